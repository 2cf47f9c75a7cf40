package io.agentauditor.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.BuiltinRule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Contract section 13: the rule of a match is the runtime's rule for where it sits. */
class StorageLocationTest {

  @ParameterizedTest(name = "{0} is a {1}")
  @CsvSource({
    ".github/workflows/ci.yml, CI_DEFINITION",
    ".github/workflows/release.yaml, CI_DEFINITION",
    "services/api/.github/workflows/ci.yml, CI_DEFINITION",
    ".gitlab-ci.yml, CI_DEFINITION",
    ".env, CONFIG_FILE",
    "deploy/.env.production, CONFIG_FILE",
    "src/main/resources/application.properties, CONFIG_FILE",
    "setup.cfg, CONFIG_FILE",
    "pyproject.toml, CONFIG_FILE",
    "nginx/site.conf, CONFIG_FILE",
    "php.ini, CONFIG_FILE",
    "k8s/deployment.yaml, CONFIG_FILE",
    ".github/dependabot.yml, CONFIG_FILE",
    "src/App.java, REPOSITORY",
    "infra/main.tf, REPOSITORY",
    "README.md, REPOSITORY"
  })
  void shouldPlaceAFileByItsPath(String path, StorageLocation expected) {
    // When
    StorageLocation location = StorageLocation.of(path);
    // Then
    assertThat(location).isEqualTo(expected);
  }

  @ParameterizedTest(name = "a secret in a {0} is {1}")
  @CsvSource({
    "CI_DEFINITION, INSECURE_SECRET_STORAGE",
    "CONFIG_FILE, INSECURE_SECRET_STORAGE",
    "REPOSITORY, SECRET_IN_ARGUMENTS"
  })
  void shouldReportASecretUnderTheStorageRuleOfItsPlace(StorageLocation where, BuiltinRule rule) {
    // When / Then
    assertThat(where.rule(false)).isEqualTo(rule);
  }

  @ParameterizedTest(name = "code in a {0} is long-lived-secret-in-code")
  @CsvSource({"CI_DEFINITION", "CONFIG_FILE", "REPOSITORY"})
  void shouldReportLongLivedCredentialCodeWhereverItSits(StorageLocation where) {
    // When / Then
    assertThat(where.rule(true)).isEqualTo(BuiltinRule.LONG_LIVED_SECRET_IN_CODE);
  }
}
