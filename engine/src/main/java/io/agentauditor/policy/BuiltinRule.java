package io.agentauditor.policy;

import io.agentauditor.model.Verdict;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in rules of contract section 5, in the order of its table: findings are listed in this
 * order. The ids are part of the contract.
 */
public enum BuiltinRule {
  UNKNOWN_SESSION("unknown-session", Verdict.BLOCK, true),
  DUPLICATE_SESSION("duplicate-session", Verdict.BLOCK, true),
  SESSION_CLOSED("session-closed", Verdict.BLOCK, true),
  UNKNOWN_AGENT("unknown-agent", Verdict.BLOCK, true),
  SCOPE_WIDENING("scope-widening", Verdict.BLOCK, false),
  DELEGATION_CYCLE("delegation-cycle", Verdict.BLOCK, false),
  AGENT_REPARENTED("agent-reparented", Verdict.BLOCK, false),
  DELEGATION_DEPTH("delegation-depth", Verdict.FLAG, false),
  CREDENTIAL_LATERAL_GRANT("credential-lateral-grant", Verdict.BLOCK, false),
  CREDENTIAL_ID_CONFLICT("credential-id-conflict", Verdict.BLOCK, false),
  LONG_LIVED_CREDENTIAL("long-lived-credential", Verdict.BLOCK, false),
  INSECURE_SECRET_STORAGE("insecure-secret-storage", Verdict.BLOCK, false),
  STATIC_CREDENTIAL("static-credential", Verdict.FLAG, false),
  UNKNOWN_TOOL("unknown-tool", Verdict.BLOCK, false),
  MALFORMED_ARGUMENTS("malformed-arguments", Verdict.BLOCK, false),
  APPROVAL_REQUIRED("approval-required", Verdict.BLOCK, false),
  CREDENTIAL_UNKNOWN("credential-unknown", Verdict.BLOCK, false),
  CREDENTIAL_REUSE("credential-reuse", Verdict.BLOCK, false),
  CREDENTIAL_EXPIRED("credential-expired", Verdict.BLOCK, false),
  CREDENTIAL_REVOKED("credential-revoked", Verdict.BLOCK, false),
  CREDENTIAL_SCOPE_EXCEEDED("credential-scope-exceeded", Verdict.BLOCK, false),
  SECRET_IN_ARGUMENTS("secret-in-arguments", Verdict.BLOCK, false),
  LONG_LIVED_SECRET_IN_CODE("long-lived-secret-in-code", Verdict.BLOCK, false),
  REVOCATION_UNKNOWN("revocation-unknown", Verdict.FLAG, false),
  REVOCATION_UNAUTHORIZED("revocation-unauthorized", Verdict.BLOCK, false),
  SELF_APPROVAL("self-approval", Verdict.BLOCK, false),
  CREDENTIAL_NOT_REVOKED("credential-not-revoked", Verdict.FLAG, false),
  FAN_OUT("fan-out", Verdict.FLAG, false);

  private static final Map<String, BuiltinRule> BY_ID = new HashMap<>();

  static {
    for (BuiltinRule r : values()) {
      BY_ID.put(r.id, r);
    }
  }

  private final String id;
  private final Verdict defaultAction;
  private final boolean gate;

  BuiltinRule(String id, Verdict defaultAction, boolean gate) {
    this.id = id;
    this.defaultAction = defaultAction;
    this.gate = gate;
  }

  /** The contract's rule id, e.g. {@code scope-widening}. */
  public String id() {
    return id;
  }

  /** The contract's default action: FLAG or BLOCK. */
  public Verdict defaultAction() {
    return defaultAction;
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
