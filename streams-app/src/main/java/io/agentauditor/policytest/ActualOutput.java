package io.agentauditor.policytest;

import io.agentauditor.model.Decision;
import java.util.Objects;

/** One output the replay of a case's events produced, in output order. Immutable. */
public sealed interface ActualOutput {

  /** A decision, exactly as {@code replay} wrote it (after its JSON round trip). */
  record Decided(Decision decision) implements ActualOutput {
    public Decided {
      Objects.requireNonNull(decision, "decision");
    }
  }

  /** A dead letter: the 1-based line of the events block and the reason. */
  record DeadLetter(long line, String reason) implements ActualOutput {
    public DeadLetter {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
