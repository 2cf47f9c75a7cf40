package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Scope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default bundle in {@code policies/} is exactly the contract's defaults. */
class DefaultBundleTest {

  private final Policy policy = PolicyBundleLoader.load(TestBundles.defaultBundle());

  @Test
  void shouldCarryAnIdentityOfNameVersionAndDigest() {
    assertThat(policy.name()).isEqualTo("agent-auditor-default");
    assertThat(policy.version()).isEqualTo("1.0.0");
    assertThat(policy.digest()).matches("[0-9a-f]{64}");
    assertThat(policy.identity())
        .isEqualTo("agent-auditor-default@1.0.0+sha256:" + policy.digest());
  }

  @Test
  void shouldHaveTheContractDefaultSettings() {
    PolicySettings s = policy.settings();

    assertThat(s).isEqualTo(PolicySettings.defaults());
    assertThat(s.maxDelegationDepth()).isEqualTo(3);
    assertThat(s.maxCredentialTtlSeconds()).isEqualTo(3600);
    assertThat(s.forbiddenStorage())
        .containsExactlyInAnyOrder(
            CredentialStorage.ENV,
            CredentialStorage.CONFIG_FILE,
            CredentialStorage.REPOSITORY,
            CredentialStorage.CI_VARIABLE);
    assertThat(s.staticKinds())
        .containsExactlyInAnyOrder(
            CredentialKind.API_KEY,
            CredentialKind.STATIC_SECRET,
            CredentialKind.PASSWORD,
            CredentialKind.SSH_KEY);
    assertThat(s.sensitiveScopes())
        .extracting(Scope::toString)
        .containsExactly("admin:**", "*:deploy/prod/**", "*:secrets/prod/**");
    assertThat(s.fanOutMax()).isEqualTo(10);
    assertThat(s.fanOutWindowSeconds()).isEqualTo(60);
    assertThat(s.sessionIdleTimeoutSeconds()).isEqualTo(1800);
    assertThat(s.sessionRetentionSeconds()).isEqualTo(86_400);
    assertThat(s.limits()).isEqualTo(new SessionLimits(256, 16, 1024, 256));
    assertThat(s.maxClockSkewSeconds()).isEqualTo(300);
  }

  @Test
  void shouldHaveTheLatticeAdminWriteRead() {
    assertThat(policy.lattice().implications())
        .isEqualTo(Map.of("admin", Set.of("write"), "write", Set.of("read")));
    assertThat(policy.lattice().implies("admin", "read")).isTrue();
    assertThat(policy.lattice().implies("read", "write")).isFalse();
  }

  @Test
  void shouldHaveExactlyTheNineContractToolsWithTheirScopesAndSinks() {
    Map<String, ToolSpec> expected = new LinkedHashMap<>();
    expected.put("repo.read_file", tool("repo.read_file", "read:repo/{repo}", null));
    expected.put(
        "repo.write_file",
        tool("repo.write_file", "write:repo/{repo}", CredentialStorage.REPOSITORY));
    expected.put(
        "repo.create_pull_request",
        tool("repo.create_pull_request", "write:repo/{repo}", CredentialStorage.REPOSITORY));
    expected.put(
        "ci.set_variable",
        tool("ci.set_variable", "admin:ci/{project}", CredentialStorage.CI_VARIABLE));
    expected.put("ci.trigger_pipeline", tool("ci.trigger_pipeline", "write:ci/{project}", null));
    expected.put("cloud.deploy", tool("cloud.deploy", "write:deploy/{env}/{service}", null));
    expected.put(
        "config.write",
        tool("config.write", "write:config/{service}", CredentialStorage.CONFIG_FILE));
    expected.put(
        "secrets.put",
        tool("secrets.put", "write:secrets/{path}", CredentialStorage.SECRETS_MANAGER));
    expected.put("secrets.get", tool("secrets.get", "read:secrets/{path}", null));

    assertThat(policy.tools()).isEqualTo(expected);
  }

  private static ToolSpec tool(String name, String scope, CredentialStorage sink) {
    return new ToolSpec(name, List.of(scope), sink);
  }

  @Test
  void shouldHaveExactlyTheContractSecretPatterns() {
    assertThat(policy.secretPatterns())
        .extracting(p -> p.pattern().pattern())
        .containsExactly(
            "(AKIA|ASIA)[0-9A-Z]{16}",
            "ghp_[A-Za-z0-9]{36}",
            "github_pat_[A-Za-z0-9_]{22,}",
            "xox[abprs]-[A-Za-z0-9-]{10,}",
            "-----BEGIN ([A-Z]+ )*PRIVATE KEY( BLOCK)?-----",
            "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*");
    assertThat(policy.secretPatterns()).allSatisfy(p -> assertThat(p.unless()).isNull());
  }

  @Test
  void shouldHaveTheContractLongLivedCredentialInCodePatterns() {
    assertThat(policy.codePatterns())
        .extracting(NamedPattern::id)
        .containsExactly(
            "terraform-aws-iam-access-key",
            "terraform-google-service-account-key",
            "terraform-azurerm-sas-without-expiry",
            "terraform-json-azurerm-sas-without-expiry",
            "token-expires-at-null",
            "token-expiration-never");
  }

  @Test
  void shouldConfigureEveryBuiltinAtItsContractDefaultInEnforceMode() {
    assertThat(policy.builtins()).hasSize(BuiltinRule.values().length);
    for (BuiltinRule r : BuiltinRule.values()) {
      RuleSettings s = policy.builtins().get(r);
      assertThat(s.ruleId()).isEqualTo(r.id());
      assertThat(s.action()).as(r.id()).isEqualTo(r.defaultAction());
      assertThat(s.mode()).as(r.id()).isEqualTo(RuleMode.ENFORCE);
      assertThat(s.enabled()).as(r.id()).isTrue();
    }
  }

  @Test
  void shouldListEveryBuiltinExactlyAsTheDefaultsTableInJava() {
    // BuiltinRule's defaults (what a bundle that leaves a rule out gets) are the default bundle's
    // entries: the two can't drift. No warning: every rule is listed, so this compares the file.
    assertThat(policy.warnings()).isEmpty();
    for (BuiltinRule r : BuiltinRule.values()) {
      assertThat(policy.builtins().get(r)).as(r.id()).isEqualTo(r.defaultSettings());
    }
  }

  @Test
  void shouldMapEveryBuiltinToNhiAsiAndCsfReferences() {
    for (BuiltinRule r : BuiltinRule.values()) {
      List<String> refs = policy.builtins().get(r).references();
      assertThat(refs).as(r.id()).anyMatch(x -> x.matches("NHI([1-9]|10)"));
      assertThat(refs).as(r.id()).anyMatch(x -> x.matches("ASI(0[1-9]|10)"));
      assertThat(refs).as(r.id()).anyMatch(x -> x.matches("(GV|ID|PR|DE|RS|RC)\\.[A-Z]{2}"));
    }
  }

  @Test
  void shouldHaveNoCustomRules() {
    assertThat(policy.customRules()).isEmpty();
  }

  @Test
  void shouldLoadTheOptionalExtrasWhenIncluded(@TempDir Path tmp) {
    // Given the default bundle with both extras files included
    Path dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
    String manifest = TestBundles.read(dir, "bundle.yaml");
    TestBundles.write(
        dir,
        "bundle.yaml",
        manifest
            .replace("# - extras/patterns-extended.yaml", "- extras/patterns-extended.yaml")
            .replace("# - extras/custom-rules-example.yaml", "- extras/custom-rules-example.yaml"));

    // When it loads
    Policy extended = PolicyBundleLoader.load(dir);

    // Then the extras are there, on top of the defaults, and the digest differs
    assertThat(extended.secretPatterns().size()).isGreaterThan(policy.secretPatterns().size());
    assertThat(extended.customRules())
        .extracting(c -> c.settings().ruleId())
        .containsExactly("deep-agent-deploys-to-prod", "credential-from-outside-path");
    assertThat(extended.digest()).isNotEqualTo(policy.digest());
    List<String> ids = new ArrayList<>();
    extended.secretPatterns().forEach(p -> ids.add(p.id()));
    assertThat(ids).doesNotHaveDuplicates();
  }
}
