package io.agentauditor.policytest;

import io.agentauditor.model.EventType;
import io.agentauditor.model.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * One output a policy case expects from the replay of its events, in output order: a decision or a
 * dead letter. Immutable. Fields documented as optional are null when the case leaves them out, and
 * are then not compared.
 */
public sealed interface ExpectedOutput {

  /** The line of the case file this expectation was written at (1-based), for messages. */
  int sourceLine();

  /**
   * An expected decision.
   *
   * @param eventId the decision's eventId ({@code <sessionId>#idle-timeout} for an idle timeout)
   * @param sessionId optional
   * @param type optional
   * @param agentId optional
   * @param occurredAtMillis optional: epoch milliseconds (UTC)
   * @param verdict the step's verdict
   * @param rules the rule ids of every finding, in order (shadow findings included)
   * @param credentialIds optional: the credentialIds of the {@code credential-not-revoked}
   *     findings, in order
   * @param path optional: the agent ids from the root to the actor
   * @param messageContains texts that must each occur in the message of at least one finding; empty
   *     for none
   */
  record Decision(
      int sourceLine,
      String eventId,
      String sessionId,
      EventType type,
      String agentId,
      Long occurredAtMillis,
      Verdict verdict,
      List<String> rules,
      List<String> credentialIds,
      List<String> path,
      List<String> messageContains)
      implements ExpectedOutput {

    public Decision {
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(verdict, "verdict");
      rules = List.copyOf(rules);
      credentialIds = credentialIds == null ? null : List.copyOf(credentialIds);
      path = path == null ? null : List.copyOf(path);
      messageContains = List.copyOf(messageContains);
    }
  }

  /**
   * An expected dead letter.
   *
   * @param line the 1-based line of the case's {@code events} block that is invalid
   * @param reasonContains optional: a text the dead letter's reason must contain
   */
  record DeadLetter(int sourceLine, long line, String reasonContains) implements ExpectedOutput {}
}
