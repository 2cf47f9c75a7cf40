package io.agentauditor.gateway;

import io.agentauditor.model.Step;
import java.util.function.Consumer;

/** Where the decision API appends an event for the topology to decide: the events topic. */
@FunctionalInterface
public interface EventLog {

  /**
   * Appends {@code step} (key: its sessionId), in call order for one session. Returns once the
   * append is handed to the client; when the log then refuses the step or cannot take it in time,
   * {@code notAppended} is called once, on any thread, with the reason: nothing of the step is in
   * the log.
   *
   * @throws RuntimeException when the step can't be handed over at all
   */
  void append(Step step, Consumer<Exception> notAppended);
}
