package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.Step;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.PolicySettings;
import java.time.Instant;

/**
 * {@code CREDENTIAL_ISSUED} and {@code CREDENTIAL_REVOKED}: the issuance rules ({@code
 * scope-widening} through {@code static-credential}, and {@code fan-out}), {@code
 * revocation-unknown} and {@code revocation-unauthorized}; and the ledger entries both produce.
 */
final class CredentialRules {

  private CredentialRules() {}

  static Effect issued(StepContext c, Step.CredentialIssued e) {
    String credentialId = e.credentialId();
    String actor = c.actor;
    PolicySettings settings = c.rules.settings;
    if (c.enabled(BuiltinRule.SCOPE_WIDENING)) {
      ChainChecks.scopeWidening(c, c.rules.scopes.parseAll(e.scopes()));
    }
    if (c.enabled(BuiltinRule.CREDENTIAL_LATERAL_GRANT)
        && !actor.equals(e.subjectAgentId())
        && !ChainChecks.isAncestor(c, actor, e.subjectAgentId())) {
      c.fire(
          BuiltinRule.CREDENTIAL_LATERAL_GRANT,
          "credential "
              + credentialId
              + ": subject "
              + e.subjectAgentId()
              + " is neither the issuer "
              + actor
              + " nor one of its descendants",
          credentialId);
    }
    CredentialRecord existing = c.view.credential(credentialId);
    if (existing != null) {
      c.fire(
          BuiltinRule.CREDENTIAL_ID_CONFLICT,
          "credential "
              + credentialId
              + " was already recorded in this session (issued by "
              + existing.issuer
              + " at "
              + Instant.ofEpochMilli(existing.issuedAt)
              + ")",
          credentialId);
    }
    Integer ttl = e.ttlSeconds();
    if (ttl == null) {
      c.fire(
          BuiltinRule.LONG_LIVED_CREDENTIAL,
          "credential " + credentialId + " never expires (no ttlSeconds)",
          credentialId);
    } else if (ttl > settings.maxCredentialTtlSeconds()) {
      c.fire(
          BuiltinRule.LONG_LIVED_CREDENTIAL,
          "credential "
              + credentialId
              + " has ttlSeconds "
              + ttl
              + ", above maxCredentialTtlSeconds "
              + settings.maxCredentialTtlSeconds(),
          credentialId);
    }
    if (settings.forbiddenStorage().contains(e.storage())) {
      c.fire(
          BuiltinRule.INSECURE_SECRET_STORAGE,
          "credential " + credentialId + " is stored in " + e.storage() + ", a forbidden storage",
          credentialId);
    }
    if (settings.staticKinds().contains(e.kind())) {
      c.fire(
          BuiltinRule.STATIC_CREDENTIAL,
          "credential " + credentialId + " is a static credential of kind " + e.kind(),
          credentialId);
    }
    ChainChecks.fanOut(c);
    long t = c.t;
    CredentialRecord issued = new CredentialRecord(credentialId);
    issued.issuer = actor;
    issued.subject = e.subjectAgentId();
    issued.scopes = e.scopes();
    issued.kind = e.kind();
    issued.storage = e.storage();
    issued.issuedAt = t;
    issued.expiresAt = ttl == null ? null : t + ttl * 1000L;
    c.credential = issued;
    return () -> {
      if (existing != null) {
        return; // the first credential with this id stays the recorded one
      }
      SessionMeta m = c.view.meta();
      issued.sequence = m.credentialCount++;
      issued.reported = issued.statusAt(t);
      c.view.metaChanged();
      c.view.putCredential(issued);
      c.changes.add(change(c.rules, c.sessionId, issued, t));
    };
  }

  static Effect revoked(StepContext c, Step.CredentialRevoked e) {
    String credentialId = e.credentialId();
    String actor = c.actor;
    CredentialRecord cred = c.view.credential(credentialId);
    if (cred == null) {
      c.fire(
          BuiltinRule.REVOCATION_UNKNOWN,
          "credential " + credentialId + " was never recorded in this session",
          credentialId);
    } else if (!actor.equals(cred.issuer)
        && !actor.equals(cred.subject)
        && !ChainChecks.isAncestor(c, actor, cred.issuer)
        && !ChainChecks.isAncestor(c, actor, cred.subject)) {
      c.fire(
          BuiltinRule.REVOCATION_UNAUTHORIZED,
          actor
              + " may not revoke credential "
              + credentialId
              + ": it is not the issuer "
              + cred.issuer
              + ", the subject "
              + cred.subject
              + ", or an ancestor of either",
          credentialId);
    }
    c.credential = cred;
    return () -> {
      if (cred != null && cred.revokedAt == null) {
        cred.revokedAt = c.t;
        cred.revokedBy = actor;
        cred.reported = CredentialStatus.REVOKED;
        c.view.putCredential(cred);
        c.changes.add(change(c.rules, c.sessionId, cred, c.t));
      }
    };
  }

  /** The inventory status: revoked once revoked (in arrival order), expired once seen expired. */
  static CredentialStatus inventoryStatus(CredentialRecord c, long t) {
    if (c.revokedAt != null) {
      return CredentialStatus.REVOKED;
    }
    if (c.reported == CredentialStatus.EXPIRED || c.expiredAt(t)) {
      return CredentialStatus.EXPIRED;
    }
    return CredentialStatus.ACTIVE;
  }

  /** The ledger entry of {@code c} at {@code t}. */
  static CredentialChange change(CompiledPolicy rules, String sessionId, CredentialRecord c, long t) {
    return new CredentialChange(
        sessionId,
        c.id,
        c.issuer,
        c.subject,
        c.scopes,
        c.kind,
        c.storage,
        c.reported,
        c.issuedAt,
        c.expiresAt,
        c.revokedAt,
        c.revokedBy,
        c.lastUsedAt,
        c.useCount,
        t,
        rules.identity);
  }
}
