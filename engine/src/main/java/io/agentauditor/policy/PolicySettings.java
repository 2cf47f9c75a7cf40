package io.agentauditor.policy;

import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Scope;
import java.util.List;
import java.util.Set;

/**
 * The bundle's rule settings (contract sections 5, 6 and 9.3). {@link #defaults()} gives the
 * contract's defaults.
 *
 * @param sessionRetentionSeconds how long, in event time, a closed session's chain state and
 *     stored decisions are kept after it closed, and any stored decision after its own occurredAt
 *     (contract section 4, v2; default 86,400); 0 keeps them for good. A purged session leaves a
 *     tombstone: its id stays closed, but a retry of one of its events is decided anew, as is a
 *     retry of any event whose stored decision was dropped
 * @param limits the session limits ({@code limits.*}, section 4); not null
 * @param maxClockSkewSeconds how far an event may be stamped after a second clock where one exists
 *     (contract 9.3, v2): in the topology, the Kafka record's timestamp; an event stamped later is a
 *     {@code future-dated} dead letter. A file replay has no second clock and applies no bound
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
    long sessionRetentionSeconds,
    SessionLimits limits,
    long maxClockSkewSeconds) {

  public PolicySettings {
    java.util.Objects.requireNonNull(limits, "limits");
    forbiddenStorage = Set.copyOf(forbiddenStorage);
    staticKinds = Set.copyOf(staticKinds);
    sensitiveScopes = List.copyOf(sensitiveScopes);
  }

  /** The contract's default of {@link #maxClockSkewSeconds()}. */
  public static final long DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;

  /** The contract's defaults (a retention of 86,400 s). */
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
        86_400,
        SessionLimits.defaults(),
        DEFAULT_MAX_CLOCK_SKEW_SECONDS);
  }

  /** These settings with another {@code sessionRetentionSeconds}. */
  public PolicySettings withSessionRetentionSeconds(long seconds) {
    return new PolicySettings(
        maxDelegationDepth,
        maxCredentialTtlSeconds,
        forbiddenStorage,
        staticKinds,
        sensitiveScopes,
        fanOutMax,
        fanOutWindowSeconds,
        sessionIdleTimeoutSeconds,
        seconds,
        limits,
        maxClockSkewSeconds);
  }

  /** These settings with other session limits. */
  public PolicySettings withLimits(SessionLimits limits) {
    return new PolicySettings(
        maxDelegationDepth,
        maxCredentialTtlSeconds,
        forbiddenStorage,
        staticKinds,
        sensitiveScopes,
        fanOutMax,
        fanOutWindowSeconds,
        sessionIdleTimeoutSeconds,
        sessionRetentionSeconds,
        limits,
        maxClockSkewSeconds);
  }
}
