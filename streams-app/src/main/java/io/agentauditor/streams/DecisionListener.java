package io.agentauditor.streams;

import io.agentauditor.model.Decision;
import java.util.Objects;

/**
 * Told of what the topology does with each input record, on the stream thread: that it arrived
 * ({@link #received}), and its decision ({@link #decided(Decision, long, long)}) right after the
 * decision is forwarded to the decisions sink (idle-timeout decisions excepted: no request waits
 * for them). The decision API completes its waiting requests through it; the runtime's meters count
 * and time through it. An implementation must return quickly and must not throw.
 */
@FunctionalInterface
public interface DecisionListener {

  /** A listener that does nothing. */
  DecisionListener NONE = decision -> {};

  /** {@code decision} was made (or, for a retry, re-emitted) for one input event. */
  void decided(Decision decision);

  /**
   * As {@link #decided(Decision)}, with when the record reached the audit processor ({@link
   * System#nanoTime()}) and the task's stream time (epoch milliseconds) when it was decided.
   */
  default void decided(Decision decision, long arrivedNanos, long streamTimeMillis) {
    decided(decision);
  }

  /**
   * A record of {@code topic} reached the topology, before it is decoded: it ends as one decision
   * or one dead letter.
   */
  default void received(String topic) {}

  /** Tells {@code first}, then {@code second}, of everything. */
  static DecisionListener both(DecisionListener first, DecisionListener second) {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    return new DecisionListener() {
      @Override
      public void decided(Decision decision) {
        first.decided(decision);
        second.decided(decision);
      }

      @Override
      public void decided(Decision decision, long arrivedNanos, long streamTimeMillis) {
        first.decided(decision, arrivedNanos, streamTimeMillis);
        second.decided(decision, arrivedNanos, streamTimeMillis);
      }

      @Override
      public void received(String topic) {
        first.received(topic);
        second.received(topic);
      }
    };
  }
}
