package io.agentauditor.gateway;

import io.agentauditor.model.Step;

/** Where the decision API appends an event for the topology to decide: the events topic. */
@FunctionalInterface
public interface EventLog {

  /**
   * Appends {@code step} (key: its sessionId), in call order for one session. Returns once the
   * append is handed to the client; a failure to send surfaces as the request's deadline passing.
   *
   * @throws RuntimeException when the step can't be handed over at all
   */
  void append(Step step);
}
