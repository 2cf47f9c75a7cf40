package io.agentauditor.policy;

import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in rules of contract section 5, in the order of its table: findings are listed in this
 * order. The ids are part of the contract.
 *
 * <p>Each carries its default, which a bundle that does not list the rule gets: the contract's
 * action, enforce mode, enabled, and the severity and references of the default bundle's entry
 * ({@code policies/rules.yaml}; a test keeps the two equal).
 */
public enum BuiltinRule {
  EVENT_ID_REUSE("event-id-reuse", Verdict.BLOCK, true, Severity.HIGH,
      "NHI4", "ASI02", "ASI07", "PR.AA", "PR.DS", "DE.CM"),
  UNKNOWN_SESSION("unknown-session", Verdict.BLOCK, true, Severity.HIGH,
      "NHI4", "ASI07", "PR.AA", "DE.CM"),
  DUPLICATE_SESSION("duplicate-session", Verdict.BLOCK, true, Severity.HIGH,
      "NHI4", "ASI07", "PR.AA", "DE.CM"),
  SESSION_CLOSED("session-closed", Verdict.BLOCK, true, Severity.MEDIUM,
      "NHI1", "ASI10", "PR.AA", "DE.CM", "MANAGE 2.4"),
  UNKNOWN_AGENT("unknown-agent", Verdict.BLOCK, true, Severity.HIGH,
      "NHI4", "ASI03", "ASI07", "PR.AA", "DE.CM"),
  SESSION_LIMIT("session-limit", Verdict.BLOCK, true, Severity.HIGH,
      "NHI5", "ASI08", "ASI10", "PR.IR", "DE.CM", "MANAGE 2.4"),
  GRANT_EXCEEDS_BOUNDARY("grant-exceeds-boundary", Verdict.BLOCK, false, Severity.CRITICAL,
      "NHI5", "ASI03", "PR.AA"),
  SCOPE_WIDENING("scope-widening", Verdict.BLOCK, false, Severity.CRITICAL,
      "NHI5", "ASI03", "PR.AA"),
  DELEGATION_CYCLE("delegation-cycle", Verdict.BLOCK, false, Severity.HIGH,
      "NHI5", "ASI03", "ASI08", "PR.AA"),
  AGENT_REPARENTED("agent-reparented", Verdict.BLOCK, false, Severity.HIGH,
      "NHI5", "ASI03", "ASI07", "PR.AA"),
  DELEGATION_DEPTH("delegation-depth", Verdict.FLAG, false, Severity.MEDIUM,
      "NHI5", "ASI03", "ASI08", "PR.AA", "DE.AE", "MEASURE 2.4"),
  CREDENTIAL_LATERAL_GRANT("credential-lateral-grant", Verdict.BLOCK, false, Severity.CRITICAL,
      "NHI5", "ASI03", "PR.AA"),
  CREDENTIAL_ID_CONFLICT("credential-id-conflict", Verdict.BLOCK, false, Severity.HIGH,
      "NHI9", "ASI03", "PR.AA", "DE.AE"),
  LONG_LIVED_CREDENTIAL("long-lived-credential", Verdict.BLOCK, false, Severity.HIGH,
      "NHI7", "ASI03", "PR.AA"),
  INSECURE_SECRET_STORAGE("insecure-secret-storage", Verdict.BLOCK, false, Severity.HIGH,
      "NHI2", "ASI03", "PR.DS"),
  STATIC_CREDENTIAL("static-credential", Verdict.FLAG, false, Severity.MEDIUM,
      "NHI7", "NHI4", "ASI03", "PR.AA"),
  UNKNOWN_TOOL("unknown-tool", Verdict.BLOCK, false, Severity.HIGH,
      "NHI3", "ASI02", "ASI04", "ID.AM", "PR.PS", "MAP 4.2", "MANAGE 3.1"),
  MALFORMED_ARGUMENTS("malformed-arguments", Verdict.BLOCK, false, Severity.HIGH,
      "NHI5", "ASI02", "PR.AA", "PR.DS"),
  APPROVAL_REQUIRED("approval-required", Verdict.BLOCK, false, Severity.HIGH,
      "NHI5", "ASI02", "ASI03", "PR.AA", "MAP 3.5"),
  CREDENTIAL_UNKNOWN("credential-unknown", Verdict.BLOCK, false, Severity.HIGH,
      "NHI4", "ASI03", "PR.AA", "DE.CM"),
  CREDENTIAL_REUSE("credential-reuse", Verdict.BLOCK, false, Severity.CRITICAL,
      "NHI9", "ASI03", "PR.AA", "DE.CM"),
  CREDENTIAL_EXPIRED("credential-expired", Verdict.BLOCK, false, Severity.HIGH,
      "NHI7", "NHI4", "ASI03", "PR.AA"),
  CREDENTIAL_REVOKED("credential-revoked", Verdict.BLOCK, false, Severity.CRITICAL,
      "NHI1", "ASI03", "ASI10", "PR.AA", "DE.CM", "MANAGE 2.4"),
  CREDENTIAL_SCOPE_EXCEEDED("credential-scope-exceeded", Verdict.BLOCK, false, Severity.HIGH,
      "NHI5", "ASI03", "PR.AA"),
  SECRET_IN_ARGUMENTS("secret-in-arguments", Verdict.BLOCK, false, Severity.CRITICAL,
      "NHI2", "ASI02", "PR.DS"),
  LONG_LIVED_SECRET_IN_CODE("long-lived-secret-in-code", Verdict.BLOCK, false, Severity.HIGH,
      "NHI2", "NHI7", "ASI02", "PR.DS", "PR.PS"),
  REVOCATION_UNKNOWN("revocation-unknown", Verdict.FLAG, false, Severity.LOW,
      "NHI1", "ASI03", "ID.AM", "DE.AE", "GOVERN 1.6"),
  REVOCATION_UNAUTHORIZED("revocation-unauthorized", Verdict.BLOCK, false, Severity.HIGH,
      "NHI5", "ASI03", "ASI10", "PR.AA", "MANAGE 2.4"),
  SELF_APPROVAL("self-approval", Verdict.BLOCK, false, Severity.CRITICAL,
      "NHI10", "ASI09", "ASI03", "PR.AA", "GV.RR", "GOVERN 3.2", "MAP 3.5"),
  CREDENTIAL_NOT_REVOKED("credential-not-revoked", Verdict.FLAG, false, Severity.MEDIUM,
      "NHI1", "NHI7", "ASI03", "PR.AA", "GOVERN 1.7"),
  FAN_OUT("fan-out", Verdict.FLAG, false, Severity.MEDIUM,
      "NHI5", "ASI08", "ASI10", "DE.AE", "DE.CM", "MEASURE 2.4", "MEASURE 3.1");

  private static final Map<String, BuiltinRule> BY_ID = new HashMap<>();

  static {
    for (BuiltinRule r : values()) {
      BY_ID.put(r.id, r);
    }
  }

  private final String id;
  private final Verdict defaultAction;
  private final boolean gate;
  private final RuleSettings defaults;

  BuiltinRule(
      String id, Verdict defaultAction, boolean gate, Severity severity, String... references) {
    this.id = id;
    this.defaultAction = defaultAction;
    this.gate = gate;
    this.defaults =
        new RuleSettings(
            id, true, defaultAction, RuleMode.ENFORCE, severity, List.of(references));
  }

  /** The contract's rule id, e.g. {@code scope-widening}. */
  public String id() {
    return id;
  }

  /** The contract's default action: FLAG or BLOCK. */
  public Verdict defaultAction() {
    return defaultAction;
  }

  /**
   * The settings a bundle that does not list this rule gets: {@link #defaultAction()}, enforce
   * mode, enabled, and the default bundle's severity and references. Never null.
   */
  public RuleSettings defaultSettings() {
    return defaults;
  }

  /** Gate rules are tried first, end evaluation when they fire, and can't be shadowed or disabled. */
  public boolean gate() {
    return gate;
  }

  /** The built-in with this id, if any. */
  public static Optional<BuiltinRule> byId(String id) {
    return Optional.ofNullable(BY_ID.get(id));
  }
}
