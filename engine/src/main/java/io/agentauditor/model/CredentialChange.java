package io.agentauditor.model;

import java.util.List;
import java.util.Objects;

/**
 * The new state of a credential that a step changed (issued, used, revoked or found expired): one
 * entry of the credential ledger (contract 9.5). Immutable. Times are epoch milliseconds (UTC).
 *
 * @param expiresAtMillis null when the credential never expires
 * @param revokedAtMillis the occurredAt of the first revocation to arrive; null when not revoked
 * @param revokedBy the agent that revoked it; null when not revoked
 * @param lastUsedAtMillis null when never presented by an applied step
 * @param lastEventAtMillis the occurredAt of the step (or the stream time of the idle timeout) that
 *     made this change
 * @param policy the bundle identity of the engine that made the change
 */
public record CredentialChange(
    String sessionId,
    String credentialId,
    String issuerAgentId,
    String subjectAgentId,
    List<String> scopes,
    CredentialKind kind,
    CredentialStorage storage,
    CredentialStatus status,
    long issuedAtMillis,
    Long expiresAtMillis,
    Long revokedAtMillis,
    String revokedBy,
    Long lastUsedAtMillis,
    long useCount,
    long lastEventAtMillis,
    String policy) {

  public CredentialChange {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(issuerAgentId, "issuerAgentId");
    Objects.requireNonNull(subjectAgentId, "subjectAgentId");
    scopes = List.copyOf(scopes);
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(policy, "policy");
  }

  /** This change with another status (a blocked use reports a credential found expired). */
  public CredentialChange withStatus(CredentialStatus newStatus) {
    return new CredentialChange(
        sessionId, credentialId, issuerAgentId, subjectAgentId, scopes, kind, storage, newStatus,
        issuedAtMillis, expiresAtMillis, revokedAtMillis, revokedBy, lastUsedAtMillis, useCount,
        lastEventAtMillis, policy);
  }
}
