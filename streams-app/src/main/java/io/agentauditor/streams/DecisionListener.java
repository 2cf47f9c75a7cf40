package io.agentauditor.streams;

import io.agentauditor.model.Decision;

/**
 * Told of every event's decision by the audit processor that made it, on the stream thread, right
 * after the decision is forwarded to the decisions sink (idle-timeout decisions excepted: no
 * request waits for them). The decision API completes its waiting requests through it. An
 * implementation must return quickly and must not throw.
 */
@FunctionalInterface
public interface DecisionListener {

  /** A listener that does nothing. */
  DecisionListener NONE = decision -> {};

  /** {@code decision} was made (or, for a retry, re-emitted) for one input event. */
  void decided(Decision decision);
}
