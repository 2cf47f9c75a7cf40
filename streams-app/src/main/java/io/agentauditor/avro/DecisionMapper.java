package io.agentauditor.avro;

import io.agentauditor.model.Decision;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Finding;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
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
              Symbols.map(f.action(), io.agentauditor.schema.Verdict.class),
              Symbols.map(f.mode(), io.agentauditor.schema.RuleMode.class),
              Symbols.map(f.severity(), io.agentauditor.schema.Severity.class),
              f.message(),
              new ArrayList<>(f.references()),
              f.credentialId()));
    }
    return new io.agentauditor.schema.Decision(
        decision.eventId(),
        decision.sessionId(),
        decision.agentId(),
        Symbols.map(decision.type(), io.agentauditor.schema.EventType.class),
        Instant.ofEpochMilli(decision.occurredAtMillis()),
        Symbols.map(decision.verdict(), io.agentauditor.schema.Verdict.class),
        findings,
        decision.policy(),
        new ArrayList<>(decision.path()));
  }

  /**
   * The engine decision of an Avro record.
   *
   * @throws NullPointerException when a field the engine requires is null (a record built in code
   *     without them; Avro binary cannot carry such nulls)
   * @throws IllegalArgumentException when an enum holds a reader's default symbol ({@code
   *     UNRECOGNIZED}, {@code UNKNOWN}) that the engine has no constant for
   */
  public static Decision fromAvro(io.agentauditor.schema.Decision avro) {
    List<Finding> findings = new ArrayList<>(avro.getFindings().size());
    for (io.agentauditor.schema.Finding f : avro.getFindings()) {
      findings.add(
          new Finding(
              f.getRuleId(),
              Symbols.map(f.getAction(), Verdict.class),
              Symbols.map(f.getMode(), RuleMode.class),
              Symbols.map(f.getSeverity(), Severity.class),
              f.getMessage(),
              f.getReferences(),
              f.getCredentialId()));
    }
    return new Decision(
        avro.getEventId(),
        avro.getSessionId(),
        avro.getAgentId(),
        Symbols.map(avro.getType(), EventType.class),
        avro.getOccurredAt().toEpochMilli(),
        Symbols.map(avro.getVerdict(), Verdict.class),
        findings,
        avro.getPolicy(),
        avro.getPath());
  }
}
