package io.agentauditor.policy;

import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialStorage;
import java.util.List;
import java.util.Set;

/**
 * The bundle's rule settings (contract sections 5, 6 and 9.3). {@link #defaults()} gives the
 * contract's defaults.
 *
 * @param sessionRetentionSeconds how long, in event time, a closed session's state and its {@code
 *     eventId} dedupe records are kept after it closed; after that they are purged so stores stay
 *     bounded
 */
public record PolicySettings(
    int maxDelegationDepth,
    long maxCredentialTtlSeconds,
    Set<CredentialStorage> forbiddenStorage,
    Set<CredentialKind> staticKinds,
    List<Scope> sensitiveScopes,
    int fanOutMax,
    long fanOutWindowSeconds,
    long sessionIdleTimeoutSeconds,
    long sessionRetentionSeconds) {

  public PolicySettings {
    forbiddenStorage = Set.copyOf(forbiddenStorage);
    staticKinds = Set.copyOf(staticKinds);
    sensitiveScopes = List.copyOf(sensitiveScopes);
  }

  /** The contract's defaults; retention of closed sessions is 7 days. */
  public static PolicySettings defaults() {
    return new PolicySettings(
        3,
        3600,
        Set.of(
            CredentialStorage.ENV,
            CredentialStorage.CONFIG_FILE,
            CredentialStorage.REPOSITORY,
            CredentialStorage.CI_VARIABLE),
        Set.of(
            CredentialKind.API_KEY,
            CredentialKind.STATIC_SECRET,
            CredentialKind.PASSWORD,
            CredentialKind.SSH_KEY),
        List.of(
            Scope.parse("admin:**"), Scope.parse("*:deploy/prod/**"), Scope.parse("*:secrets/prod/**")),
        10,
        60,
        1800,
        7 * 24 * 3600);
  }
}
