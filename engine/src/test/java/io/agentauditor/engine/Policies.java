package io.agentauditor.engine;

import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.CustomRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.PolicySettings;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.policy.SessionLimits;
import io.agentauditor.policy.TestBundles;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The repository's default bundle ({@code policies/}), loaded once, and variants of it for tests
 * that need a setting or a rule changed. A variant keeps the default's identity.
 */
final class Policies {

  private static Policy defaults;

  private Policies() {}

  /** The default bundle, as {@code policies/} holds it. */
  static synchronized Policy defaultPolicy() {
    if (defaults == null) {
      defaults = PolicyBundleLoader.load(TestBundles.defaultBundle());
    }
    return defaults;
  }

  /** The default bundle with a retention of closed sessions ({@code sessionRetentionSeconds}). */
  static Policy withRetention(long seconds) {
    return with(defaultPolicy().settings().withSessionRetentionSeconds(seconds), Map.of(), List.of());
  }

  /** The default bundle with other session limits ({@code limits.*}). */
  static Policy withLimits(SessionLimits limits) {
    return with(defaultPolicy().settings().withLimits(limits), Map.of(), List.of());
  }

  /** The default bundle with other settings. */
  static Policy withSettings(PolicySettings settings) {
    return with(settings, Map.of(), List.of());
  }

  /** The default bundle with other {@code fanOut} settings. */
  static Policy withFanOut(int max, long windowSeconds) {
    PolicySettings d = defaultPolicy().settings();
    return with(
        new PolicySettings(
            d.maxDelegationDepth(),
            d.maxCredentialTtlSeconds(),
            d.forbiddenStorage(),
            d.staticKinds(),
            d.sensitiveScopes(),
            max,
            windowSeconds,
            d.sessionIdleTimeoutSeconds(),
            d.sessionRetentionSeconds(),
            d.limits(),
            d.maxClockSkewSeconds()),
        Map.of(),
        List.of());
  }

  /** The default bundle with some built-ins overridden and custom rules appended. */
  static Policy with(Map<BuiltinRule, RuleSettings> overrides, List<CustomRule> customRules) {
    return with(defaultPolicy().settings(), overrides, customRules);
  }

  private static Policy with(
      PolicySettings settings, Map<BuiltinRule, RuleSettings> overrides, List<CustomRule> custom) {
    Policy d = defaultPolicy();
    Map<BuiltinRule, RuleSettings> builtins = new EnumMap<>(d.builtins());
    builtins.putAll(overrides);
    return new Policy(
        d.name(),
        d.version(),
        d.digest(),
        settings,
        d.lattice(),
        d.tools(),
        d.secretPatterns(),
        d.codePatterns(),
        builtins,
        custom);
  }

  /** Built-in {@code r} with another action, mode or switch; severity and references as default. */
  static RuleSettings rule(BuiltinRule r, Verdict action, RuleMode mode, boolean enabled) {
    RuleSettings d = defaultPolicy().builtins().get(r);
    return new RuleSettings(r.id(), enabled, action, mode, d.severity(), d.references());
  }
}
