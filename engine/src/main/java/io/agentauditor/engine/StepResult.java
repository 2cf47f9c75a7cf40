package io.agentauditor.engine;

import io.agentauditor.model.Decision;
import io.agentauditor.model.CredentialChange;
import java.util.List;

/**
 * What deciding one event produced, in output order.
 *
 * @param decision the event's decision (the stored one, unchanged, for a retry)
 * @param retry whether the event repeated an already decided {@code (sessionId, eventId)}: a retry
 *     emits no violation and no credential change
 * @param idleTimeouts idle-timeout decisions (contract 9.3) that come right after {@code decision},
 *     ordered by the sessions' timer, then sessionId
 * @param credentialChanges the new lifecycle state of every credential this step (or an idle
 *     timeout) changed: issued, used, revoked or found expired
 */
public record StepResult(
    Decision decision,
    boolean retry,
    List<Decision> idleTimeouts,
    List<CredentialChange> credentialChanges) {

  public StepResult {
    idleTimeouts = List.copyOf(idleTimeouts);
    credentialChanges = List.copyOf(credentialChanges);
  }
}
