package io.agentauditor.replay;

import io.agentauditor.engine.StepResult;
import java.io.IOException;

/**
 * Hears of a replay's records in input order, from the thread that writes its decisions: for the
 * outputs written beside the decisions (violations, credential ledger) and for progress and
 * summary counts. Each method does nothing by default.
 */
public interface ReplayListener {

  /** A listener that does nothing. */
  ReplayListener NONE = new ReplayListener() {};

  /**
   * A record was decided: {@code result} is its step's result, whose decision and idle timeouts
   * were just written.
   *
   * @throws IOException when writing an output of the listener's fails (the replay fails)
   */
  default void decided(StepResult result) throws IOException {}

  /** A record was a dead letter. */
  default void deadLetter() {}

  /** A record was skipped by its source. */
  default void skipped() {}

  /** A listener that tells {@code first}, then {@code second}. */
  static ReplayListener both(ReplayListener first, ReplayListener second) {
    return new ReplayListener() {
      @Override
      public void decided(StepResult result) throws IOException {
        first.decided(result);
        second.decided(result);
      }

      @Override
      public void deadLetter() {
        first.deadLetter();
        second.deadLetter();
      }

      @Override
      public void skipped() {
        first.skipped();
        second.skipped();
      }
    };
  }
}
