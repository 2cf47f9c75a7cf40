package io.agentauditor.streams;

import io.agentauditor.model.Decision;
import java.util.Objects;

/**
 * Told of what the topology does with each input record, on the stream thread: that it arrived
 * ({@link #received}), and its decision ({@link #decided(Decision, long, long)}) right after the
 * decision is forwarded to the decisions sink (idle-timeout decisions excepted: no request waits
 * for them), and every decision record the decisions sink hands to the producer ({@link #sent}).
 * The decision API completes its waiting requests through it; the runtime's meters count and time
 * through it. An implementation must return quickly and must not throw.
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

  /**
   * The decisions sink serialized {@code record} within the output bound and hands it to the
   * producer: an event's decision (a retry's re-emitted one included) or an idle timeout's, each
   * once per send. Not called for a decision that becomes a dead letter instead (over the bound,
   * or its serializer failed), so that what is counted here is what was sent. Called on the stream
   * thread, with the record about to be written; it must not be changed.
   */
  default void sent(io.agentauditor.schema.Decision record) {}

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

      @Override
      public void sent(io.agentauditor.schema.Decision record) {
        first.sent(record);
        second.sent(record);
      }
    };
  }
}
