package io.agentauditor.engine;

import com.google.re2j.Pattern;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.CustomRule;
import io.agentauditor.policy.NamedPattern;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicySettings;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.policy.ToolSpec;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.RuleMode;
import io.agentauditor.schema.Severity;
import io.agentauditor.schema.Verdict;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract's default policy built in Java (tool catalog of section 6, patterns of section 7,
 * {@link PolicySettings#defaults()}, every built-in at its default action, enforced), until the
 * bundle loader takes over.
 */
final class DefaultPolicyFixture {

  static final String DIGEST = "0".repeat(64);

  /**
   * Body of a Terraform block that sets no {@code expiry} and does not reach the block's end (a
   * {@code }} at the start of a line). RE2 has no lookahead, so "contains no expiry" is spelt as
   * the regular language it is: the text is cut at every {@code e} and newline, and no piece after
   * an {@code e} may start with {@code xpiry}, no piece after a newline with {@code }}.
   */
  static final String NO_EXPIRY_BODY =
      "[^e\\n]*(?:e(?:|[^xe\\n][^e\\n]*|x(?:|[^pe\\n][^e\\n]*|p(?:|[^ie\\n][^e\\n]*"
          + "|i(?:|[^re\\n][^e\\n]*|r(?:|[^ye\\n][^e\\n]*)))))|\\n(?:|[^}e\\n][^e\\n]*))*";

  static final List<NamedPattern> SECRET_PATTERNS =
      List.of(
          pattern("aws-access-key-id", "AWS access key id", "(AKIA|ASIA)[0-9A-Z]{16}"),
          pattern("github-token", "GitHub token", "ghp_[A-Za-z0-9]{36}"),
          pattern("github-fine-grained-token", "GitHub fine-grained token", "github_pat_[A-Za-z0-9_]{22,}"),
          pattern("slack-token", "Slack token", "xox[abprs]-[A-Za-z0-9-]{10,}"),
          pattern("private-key", "PEM private key", "-----BEGIN ([A-Z]+ )?PRIVATE KEY-----"),
          pattern(
              "jwt",
              "JSON Web Token",
              "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"));

  static final List<NamedPattern> CODE_PATTERNS =
      List.of(
          pattern(
              "terraform-aws-iam-access-key",
              "Terraform aws_iam_access_key: a key that never expires",
              "resource\\s+\"aws_iam_access_key\""),
          pattern(
              "terraform-google-service-account-key",
              "Terraform google_service_account_key: a key that never expires",
              "resource\\s+\"google_service_account_key\""),
          pattern(
              "terraform-azure-sas-without-expiry",
              "Terraform azurerm_storage_account_sas block with no expiry",
              "(?:resource|data)\\s+\"azurerm_storage_account_sas\"\\s+\"[^\"\\n]*\"\\s*\\{"
                  + NO_EXPIRY_BODY
                  + "(?:\\n\\}|\\z)"),
          pattern(
              "token-expires-at-null",
              "token created with expires_at: null",
              "\"?expires_at\"?\\s*:\\s*null\\b"),
          pattern(
              "token-expiration-never",
              "token created with \"expiration\": \"never\"",
              "\"expiration\"\\s*:\\s*\"never\""));

  static final Map<String, ToolSpec> TOOLS = tools();

  private DefaultPolicyFixture() {}

  static Policy defaultPolicy() {
    return policy(PolicySettings.defaults(), Map.of(), List.of());
  }

  /** The default policy with a retention of closed sessions ({@code sessionRetentionSeconds}). */
  static Policy withRetention(long seconds) {
    PolicySettings d = PolicySettings.defaults();
    return policy(
        new PolicySettings(
            d.maxDelegationDepth(),
            d.maxCredentialTtlSeconds(),
            d.forbiddenStorage(),
            d.staticKinds(),
            d.sensitiveScopes(),
            d.fanOutMax(),
            d.fanOutWindowSeconds(),
            d.sessionIdleTimeoutSeconds(),
            seconds),
        Map.of(),
        List.of());
  }

  /** The default policy with some built-ins overridden and custom rules appended. */
  static Policy policy(
      PolicySettings settings, Map<BuiltinRule, RuleSettings> overrides, List<CustomRule> customRules) {
    Map<BuiltinRule, RuleSettings> builtins = new EnumMap<>(BuiltinRule.class);
    for (BuiltinRule r : BuiltinRule.values()) {
      builtins.put(r, defaults(r));
    }
    builtins.putAll(overrides);
    return new Policy(
        "default",
        "1.0.0",
        DIGEST,
        settings,
        ActionLattice.defaults(),
        TOOLS,
        SECRET_PATTERNS,
        CODE_PATTERNS,
        builtins,
        customRules);
  }

  static RuleSettings defaults(BuiltinRule r) {
    return new RuleSettings(
        r.id(),
        true,
        r.defaultAction(),
        RuleMode.ENFORCE,
        r.defaultAction() == Verdict.BLOCK ? Severity.HIGH : Severity.MEDIUM,
        List.of("OWASP-ASI:ASI03"));
  }

  static RuleSettings with(BuiltinRule r, Verdict action, RuleMode mode, boolean enabled) {
    return new RuleSettings(r.id(), enabled, action, mode, Severity.HIGH, List.of());
  }

  private static NamedPattern pattern(String id, String description, String regex) {
    return new NamedPattern(id, description, Pattern.compile(regex));
  }

  private static Map<String, ToolSpec> tools() {
    Map<String, ToolSpec> t = new LinkedHashMap<>();
    add(t, "repo.read_file", "read:repo/{repo}", null);
    add(t, "repo.write_file", "write:repo/{repo}", CredentialStorage.REPOSITORY);
    add(t, "repo.create_pull_request", "write:repo/{repo}", CredentialStorage.REPOSITORY);
    add(t, "ci.set_variable", "admin:ci/{project}", CredentialStorage.CI_VARIABLE);
    add(t, "ci.trigger_pipeline", "write:ci/{project}", null);
    add(t, "cloud.deploy", "write:deploy/{env}/{service}", null);
    add(t, "config.write", "write:config/{service}", CredentialStorage.CONFIG_FILE);
    add(t, "secrets.put", "write:secrets/{path}", CredentialStorage.SECRETS_MANAGER);
    add(t, "secrets.get", "read:secrets/{path}", null);
    return Map.copyOf(t);
  }

  private static void add(Map<String, ToolSpec> t, String name, String scope, CredentialStorage sink) {
    t.put(name, new ToolSpec(name, List.of(scope), sink));
  }
}
