package io.agentauditor.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded, fully validated policy bundle (contract section 8). Immutable. Built by the bundle
 * loader, or directly in tests.
 *
 * @param digest lower-case hex SHA-256 over every file of the bundle in canonical order
 * @param builtins settings of every built-in rule, keyed by {@link BuiltinRule}
 * @param customRules custom CEL rules, evaluated after the built-ins in this order
 * @param warnings what the loader left to a default (a built-in the bundle does not list), for
 *     whoever runs the bundle to report, e.g. at startup; empty when the bundle states everything
 * @param boundaries the agents' boundaries in the order they are tried ({@code
 *     grant-exceeds-boundary}); empty when the bundle has none
 * @param waivers the pre-merge gate's waivers in bundle order, expired ones included (contract
 *     section 13); the runtime's rules ignore them; empty when the bundle has none
 */
public record Policy(
    String name,
    String version,
    String digest,
    PolicySettings settings,
    ActionLattice lattice,
    Map<String, ToolSpec> tools,
    List<NamedPattern> secretPatterns,
    List<NamedPattern> codePatterns,
    Map<BuiltinRule, RuleSettings> builtins,
    List<CustomRule> customRules,
    List<PolicyWarning> warnings,
    List<AgentBoundary> boundaries,
    List<Waiver> waivers) {

  public Policy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(lattice, "lattice");
    tools = Map.copyOf(tools);
    secretPatterns = List.copyOf(secretPatterns);
    codePatterns = List.copyOf(codePatterns);
    builtins = Map.copyOf(builtins);
    customRules = List.copyOf(customRules);
    warnings = List.copyOf(warnings);
    boundaries = List.copyOf(boundaries);
    waivers = List.copyOf(waivers);
    for (BuiltinRule r : BuiltinRule.values()) {
      if (!builtins.containsKey(r)) {
        throw new IllegalArgumentException("no settings for built-in rule " + r.id());
      }
    }
  }

  /** A policy without waivers. */
  public Policy(
      String name,
      String version,
      String digest,
      PolicySettings settings,
      ActionLattice lattice,
      Map<String, ToolSpec> tools,
      List<NamedPattern> secretPatterns,
      List<NamedPattern> codePatterns,
      Map<BuiltinRule, RuleSettings> builtins,
      List<CustomRule> customRules,
      List<PolicyWarning> warnings,
      List<AgentBoundary> boundaries) {
    this(
        name,
        version,
        digest,
        settings,
        lattice,
        tools,
        secretPatterns,
        codePatterns,
        builtins,
        customRules,
        warnings,
        boundaries,
        List.of());
  }

  /** A policy without boundaries or waivers. */
  public Policy(
      String name,
      String version,
      String digest,
      PolicySettings settings,
      ActionLattice lattice,
      Map<String, ToolSpec> tools,
      List<NamedPattern> secretPatterns,
      List<NamedPattern> codePatterns,
      Map<BuiltinRule, RuleSettings> builtins,
      List<CustomRule> customRules,
      List<PolicyWarning> warnings) {
    this(
        name,
        version,
        digest,
        settings,
        lattice,
        tools,
        secretPatterns,
        codePatterns,
        builtins,
        customRules,
        warnings,
        List.of());
  }

  /** A policy without warnings or boundaries, as built in tests or by hand. */
  public Policy(
      String name,
      String version,
      String digest,
      PolicySettings settings,
      ActionLattice lattice,
      Map<String, ToolSpec> tools,
      List<NamedPattern> secretPatterns,
      List<NamedPattern> codePatterns,
      Map<BuiltinRule, RuleSettings> builtins,
      List<CustomRule> customRules) {
    this(
        name,
        version,
        digest,
        settings,
        lattice,
        tools,
        secretPatterns,
        codePatterns,
        builtins,
        customRules,
        List.of());
  }

  /** The bundle identity carried by every decision: {@code name@version+sha256:DIGEST}. */
  public String identity() {
    return name + "@" + version + "+sha256:" + digest;
  }
}
