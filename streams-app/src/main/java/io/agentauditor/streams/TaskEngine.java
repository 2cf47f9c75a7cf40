package io.agentauditor.streams;

import io.agentauditor.engine.AuditEngine;
import io.agentauditor.policy.Policy;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's engine, rebuilt when its {@link PolicySource} gives another bundle. Checked before
 * each step, so a switch lands between two steps of the task, never inside one. Not thread-safe:
 * one per task, used on its stream thread.
 */
final class TaskEngine {

  private static final Logger LOGGER = LoggerFactory.getLogger(TaskEngine.class);

  private final PolicySource source;
  private AuditEngine engine;

  TaskEngine(PolicySource source) {
    this.source = Objects.requireNonNull(source, "source");
    this.engine = new AuditEngine(source.current());
  }

  /** The engine for the next step: the current bundle's. */
  AuditEngine forNextStep(String task) {
    Policy current = source.current();
    if (current != engine.policy()) {
      LOGGER.info(
          "Task {} now decides with policy {} (was {})",
          task,
          current.identity(),
          engine.policy().identity());
      engine = new AuditEngine(current);
    }
    return engine;
  }
}
