package io.agentauditor.engine;

import io.agentauditor.model.Finding;
import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicySettings;
import io.agentauditor.policy.RuleSettings;
import java.util.List;

/**
 * What the rule families read of the bundle, compiled once per engine: rule settings indexed by
 * the rule table, the catalog, the argument scanner, durations in milliseconds, and the scope parse
 * cache. Not thread-safe (the cache), like the engine that owns it.
 */
final class CompiledPolicy {

  /** The fewest step times a fan-out record may keep before it is thinned (see ChainChecks). */
  static final int FAN_OUT_KEPT = 64;

  final Policy policy;
  final String identity;
  final PolicySettings settings;
  final ActionLattice lattice;
  final ToolCatalog catalog;
  final ScopeCache scopes = new ScopeCache(8192);
  final ArgumentScanner scanner;
  final long idleMillis;
  final long retentionMillis;
  final long windowMillis;
  /** The resource segments of each of {@code settings.sensitiveScopes()}, ASCII case folded. */
  final List<List<String>> foldedSensitive;
  /**
   * Step times an actor's fan-out record keeps at most: {@link #FAN_OUT_KEPT}, or 4 (fanOut.max + 1)
   * when more, room for two full windows once thinned (a window keeps at most 2 fanOut.max + 2).
   */
  final int fanOutKept;
  /**
   * Names the coverage relation (contract section 3) this policy's checks decide by: a hash of the
   * action lattice's implications, in a canonical order, and of {@link #COVERAGE_RULES}. An agent's
   * mark that its list lies within its parent's ({@link StateRecords.AgentNode#withinParent}) holds
   * only for the stamp it was found with, so a bundle with another lattice asks the lists again.
   */
  final int coverageStamp;
  private final RuleSettings[] builtins;

  /**
   * Changed by a release whose coverage of scopes differs from the one before (none has): the marks
   * stored by engines deciding by another relation are then not trusted.
   */
  static final String COVERAGE_RULES = "contract section 3, v1";

  CompiledPolicy(Policy policy) {
    this.policy = policy;
    this.identity = policy.identity();
    this.settings = policy.settings();
    this.lattice = policy.lattice();
    this.coverageStamp = coverageStamp(lattice);
    this.scanner = new ArgumentScanner(policy);
    this.catalog = scanner.catalog();
    this.builtins = new RuleSettings[BuiltinRule.values().length];
    for (BuiltinRule r : BuiltinRule.values()) {
      builtins[r.ordinal()] = policy.builtins().get(r);
    }
    this.idleMillis = Math.multiplyExact(settings.sessionIdleTimeoutSeconds(), 1000L);
    this.retentionMillis = Math.multiplyExact(settings.sessionRetentionSeconds(), 1000L);
    this.windowMillis = Math.multiplyExact(settings.fanOutWindowSeconds(), 1000L);
    this.fanOutKept = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(FAN_OUT_KEPT, 4L * (settings.fanOutMax() + 1)));
    List<List<String>> folded = new java.util.ArrayList<>();
    for (Scope s : settings.sensitiveScopes()) {
      folded.add(ToolCallRules.foldSegments(s.segments()));
    }
    this.foldedSensitive = List.copyOf(folded);
  }

  RuleSettings settings(BuiltinRule rule) {
    return builtins[rule.ordinal()];
  }

  boolean enabled(BuiltinRule rule) {
    return builtins[rule.ordinal()].enabled();
  }

  /** The finding of built-in {@code rule} as the bundle configures it, or null when it is off. */
  Finding finding(BuiltinRule rule, String message, String credentialId) {
    RuleSettings rs = builtins[rule.ordinal()];
    if (!rs.enabled()) {
      return null;
    }
    return new Finding(
        rule.id(), rs.action(), rs.mode(), rs.severity(), message, rs.references(), credentialId);
  }

  /**
   * Whether some scope of {@code held} covers {@code r} (section 3, lattice included): through the
   * list's index when it is a {@link ScopeList} (what {@link ScopeCache#parseAll} gives).
   */
  boolean coversAny(List<Scope> held, Scope r) {
    return held instanceof ScopeList indexed ? indexed.coversAny(r, lattice) : lattice.coversAny(held, r);
  }

  /** See {@link #coverageStamp}: a 32-bit FNV-1a hash, in sorted order, of what the relation depends on. */
  static int coverageStamp(ActionLattice lattice) {
    StringBuilder sb = new StringBuilder(COVERAGE_RULES);
    new java.util.TreeMap<>(lattice.implications())
        .forEach((action, implied) -> sb.append('|').append(action).append('>').append(new java.util.TreeSet<>(implied)));
    int h = 0x811c9dc5;
    for (int i = 0; i < sb.length(); i++) {
      h = (h ^ sb.charAt(i)) * 0x01000193;
    }
    return h;
  }
}
