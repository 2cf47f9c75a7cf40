package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A bundle with many distinct errors is rejected with all of them, each at its file and line. */
class BrokenBundleTest {

  @Test
  void shouldReportEveryErrorOfTheBrokenBundleWithItsFileAndLine() {
    // Given the fixture bundles/broken, whose files each hold known mistakes
    // When it is loaded
    PolicyLoadException e =
        catchThrowableOfType(
            PolicyLoadException.class,
            () -> PolicyBundleLoader.load(TestBundles.fixture("broken")));

    // Then every mistake is reported, in manifest order, with its file and line
    List<String> expected =
        List.of(
            "bundle.yaml:3: manifest: unknown key 'descripton' (did you mean 'description'?)",
            "bundle.yaml:11: include 'missing.yaml': no such file in the bundle",
            "bundle.yaml:12: include '../outside.yaml': must not contain",
            "settings.yaml:2: settings: unknown key 'maxDelegationDepht' (did you mean"
                + " 'maxDelegationDepth'?)",
            "settings.yaml:5: settings.sensitiveScopes: malformed scope \"deploy/prod/**\"",
            "settings.yaml:6: settings.forbiddenStorage item: 'DISK' is not one of",
            "settings.yaml:8: settings.fanOut.max must be between 1 and",
            "tools.yaml:3: tool 'repo.read_file': scope template 'read:repo/{repo': malformed"
                + " placeholder",
            "tools.yaml:5: tool 'cloud.deploy': scope template 'write:deploy/{env}//{service}':"
                + " malformed scope",
            "tools.yaml:6: tool 'cloud.deploy' sink: 'DISK' is not one of",
            "patterns.yaml:4: secretPatterns 'backreference' regex: RE2 rejects '(a)\\1'",
            "patterns.yaml:7: secretPatterns 'lookahead' regex: RE2 rejects 'foo(?=bar)'",
            "patterns.yaml:9: duplicate pattern id 'backreference' (first defined at"
                + " patterns.yaml:2)",
            "rules.yaml:4: gate rule 'unknown-session' can't be put in shadow mode",
            "rules.yaml:9: gate rule 'session-closed' can't be disabled",
            "rules.yaml:10: unknown built-in rule id 'scope-widenning' (did you mean"
                + " 'scope-widening'?)",
            "rules.yaml:14: rule 'fan-out' action: 'WARN' is not one of BLOCK, FLAG",
            "rules.yaml:16: duplicate rule id 'fan-out' (first defined at rules.yaml:13)",
            "rules.yaml:18: rule 'fan-out' severity: 'URGENT' is not one of",
            "custom.yaml:6: custom rule 'does-not-compile': CEL: undeclared reference to 'stepp'",
            "custom.yaml:11: custom rule 'returns-a-string': CEL: expression must be of type bool,"
                + " but it is string",
            "custom.yaml:14: duplicate rule id 'scope-widening': it is a built-in rule's id",
            "bad-yaml.yaml:3: bad YAML: mapping values are not allowed here");
    assertThat(e.errors()).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(e.errors().get(i).toString()).startsWith(expected.get(i));
    }
  }

  @Test
  void shouldListEveryErrorInTheExceptionMessage() {
    PolicyLoadException e =
        catchThrowableOfType(
            PolicyLoadException.class,
            () -> PolicyBundleLoader.load(TestBundles.fixture("broken")));

    assertThat(e.getMessage()).contains("rejected with " + e.errors().size() + " errors");
    for (PolicyError error : e.errors()) {
      assertThat(e.getMessage()).contains(error.toString());
    }
  }
}
