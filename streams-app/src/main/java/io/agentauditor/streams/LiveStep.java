package io.agentauditor.streams;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Step;
import java.util.List;

/**
 * What the audit processor hands the shadow processor for each event it decided: the event, the
 * live decision and the idle-timeout decisions the step produced. Only ever passed within one
 * task's thread, never serialized.
 */
record LiveStep(Step event, Decision decision, List<Decision> idleTimeouts) {

  LiveStep {
    idleTimeouts = List.copyOf(idleTimeouts);
  }
}
