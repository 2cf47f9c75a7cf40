package io.agentauditor.avro;

import io.agentauditor.model.CredentialChange;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.CredentialStatus;
import io.agentauditor.schema.CredentialStorage;
import java.time.Instant;
import java.util.ArrayList;

/** Maps the engine's {@link CredentialChange} to the Avro record of the credentials topic. */
public final class CredentialStateMapper {

  private CredentialStateMapper() {}

  /**
   * The Avro record of {@code change}. Every field is set, and none of the required ones can be
   * null here, so the plain setters give what the (much costlier) validating builder would.
   */
  public static CredentialState toAvro(CredentialChange c) {
    CredentialState s = new CredentialState();
    s.setCredentialId(c.credentialId());
    s.setSessionId(c.sessionId());
    s.setIssuerAgentId(c.issuerAgentId());
    s.setSubjectAgentId(c.subjectAgentId());
    s.setScopes(new ArrayList<>(c.scopes()));
    s.setKind(Symbols.map(c.kind(), CredentialKind.class));
    s.setStorage(Symbols.map(c.storage(), CredentialStorage.class));
    s.setStatus(Symbols.map(c.status(), CredentialStatus.class));
    s.setIssuedAt(Instant.ofEpochMilli(c.issuedAtMillis()));
    s.setExpiresAt(instant(c.expiresAtMillis()));
    s.setRevokedAt(instant(c.revokedAtMillis()));
    s.setRevokedBy(c.revokedBy());
    s.setLastUsedAt(instant(c.lastUsedAtMillis()));
    s.setUseCount(c.useCount());
    s.setLastEventAt(Instant.ofEpochMilli(c.lastEventAtMillis()));
    s.setPolicy(c.policy());
    return s;
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
