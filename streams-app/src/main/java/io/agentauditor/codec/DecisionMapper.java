package io.agentauditor.codec;

import io.agentauditor.engine.Decision;
import io.agentauditor.engine.Finding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the engine's {@link Decision} to and from its Avro form {@link
 * io.agentauditor.schema.Decision} (the record of the decisions topic). Lossless both ways for every
 * value the Avro schema can hold: {@code fromAvro(toAvro(d)).equals(d)}.
 */
public final class DecisionMapper {

  private DecisionMapper() {}

  /** The Avro record of {@code decision}; lists are copied, never shared. */
  public static io.agentauditor.schema.Decision toAvro(Decision decision) {
    List<io.agentauditor.schema.Finding> findings = new ArrayList<>(decision.findings().size());
    for (Finding f : decision.findings()) {
      findings.add(
          new io.agentauditor.schema.Finding(
              f.ruleId(),
              f.action(),
              f.mode(),
              f.severity(),
              f.message(),
              new ArrayList<>(f.references()),
              f.credentialId()));
    }
    return new io.agentauditor.schema.Decision(
        decision.eventId(),
        decision.sessionId(),
        decision.agentId(),
        decision.type(),
        Instant.ofEpochMilli(decision.occurredAtMillis()),
        decision.verdict(),
        findings,
        decision.policy(),
        new ArrayList<>(decision.path()));
  }

  /**
   * The engine decision of an Avro record.
   *
   * @throws NullPointerException when a field the engine requires is null (a record built in code
   *     without them; Avro binary cannot carry such nulls)
   */
  public static Decision fromAvro(io.agentauditor.schema.Decision avro) {
    List<Finding> findings = new ArrayList<>(avro.getFindings().size());
    for (io.agentauditor.schema.Finding f : avro.getFindings()) {
      findings.add(
          new Finding(
              f.getRuleId(),
              f.getAction(),
              f.getMode(),
              f.getSeverity(),
              f.getMessage(),
              f.getReferences(),
              f.getCredentialId()));
    }
    return new Decision(
        avro.getEventId(),
        avro.getSessionId(),
        avro.getAgentId(),
        avro.getType(),
        avro.getOccurredAt().toEpochMilli(),
        avro.getVerdict(),
        findings,
        avro.getPolicy(),
        avro.getPath());
  }
}
