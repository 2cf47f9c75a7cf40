package io.agentauditor.model;

import java.util.List;
import java.util.Objects;

/**
 * The auditor's decision on one step (contract section 9.1): the audit record. Immutable.
 *
 * @param occurredAtMillis the event's occurredAt in epoch milliseconds (UTC); for an idle timeout,
 *     the stream time that closed the session
 * @param policy the bundle identity {@code name@version+sha256:DIGEST}
 * @param path agent ids from the root to the actor; empty when the actor is not in the chain
 */
public record Decision(
    String eventId,
    String sessionId,
    String agentId,
    EventType type,
    long occurredAtMillis,
    Verdict verdict,
    List<Finding> findings,
    String policy,
    List<String> path) {

  public Decision {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(policy, "policy");
    findings = List.copyOf(findings);
    path = List.copyOf(path);
  }

  /** The verdict that {@code findings} give: the highest enforced action, ALLOW when none. */
  public static Verdict verdictOf(List<Finding> findings) {
    Verdict v = Verdict.ALLOW;
    // Indexed: runs on every step, and the engine's lists are random-access.
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      if (f.enforced() && f.action().compareTo(v) > 0) {
        v = f.action();
      }
    }
    return v;
  }
}
