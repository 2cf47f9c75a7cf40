package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Step;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.Finding;
import io.agentauditor.schema.RuleMode;
import io.agentauditor.schema.Severity;
import io.agentauditor.schema.Verdict;
import io.agentauditor.streams.DecisionListener;
import io.agentauditor.streams.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The decision meters count the decision records the decisions sink hands to the producer, as the
 * listener is told of them; the producer interceptor counts records out and dead letters, and
 * never a decision a second time.
 */
class AuditorMetricsTest {

  private static final TopicNames TOPICS =
      new TopicNames("m-events", "m-decisions", "m-violations", "m-credentials", "m-dead-letters");
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AuditorMetrics metrics = new AuditorMetrics(registry, TOPICS);

  private static Finding finding(String rule, Verdict action, RuleMode mode) {
    return Finding.newBuilder()
        .setRuleId(rule)
        .setAction(action)
        .setMode(mode)
        .setSeverity(Severity.HIGH)
        .setMessage("m")
        .setReferences(List.of())
        .build();
  }

  private static Decision decision(String eventId, Verdict verdict, List<Finding> findings) {
    return Decision.newBuilder()
        .setEventId(eventId)
        .setSessionId("s1")
        .setAgentId("agent:a")
        .setType(EventType.TOOL_CALL)
        .setOccurredAt(T0)
        .setVerdict(verdict)
        .setFindings(findings)
        .setPolicy("default@0.1.0+sha256:00ff")
        .setPath(List.of("agent:a"))
        .build();
  }

  private double decisions(String trigger, Verdict verdict) {
    return registry.get("auditor.decisions").tag("trigger", trigger).tag("verdict", verdict.name()).counter().count();
  }

  private double findings(String rule, String action, String mode) {
    return registry.get("auditor.findings").tag("rule", rule).tag("action", action).tag("mode", mode).counter().count();
  }

  @Test
  void shouldCountTheDecisionsSentByTriggerAndVerdictAndTheirFindingsByRuleActionAndMode() {
    // Given the topology's listener
    DecisionListener listener = metrics.listener();

    // When an event's BLOCK with two findings, an ALLOW, and an idle timeout's FLAG are sent
    listener.sent(
        decision(
            "e1",
            Verdict.BLOCK,
            List.of(
                finding("secret-in-arguments", Verdict.BLOCK, RuleMode.ENFORCE),
                finding("scope-widening", Verdict.FLAG, RuleMode.SHADOW))));
    listener.sent(decision("e2", Verdict.ALLOW, List.of()));
    listener.sent(
        decision(
            "e2" + Step.IDLE_TIMEOUT_SUFFIX,
            Verdict.FLAG,
            List.of(finding("session-not-ended", Verdict.FLAG, RuleMode.ENFORCE))));

    // Then each is counted under its trigger and verdict, each finding under its rule
    assertThat(decisions("event", Verdict.BLOCK)).isEqualTo(1.0);
    assertThat(decisions("event", Verdict.ALLOW)).isEqualTo(1.0);
    assertThat(decisions("event", Verdict.FLAG)).isZero();
    assertThat(decisions("idle_timeout", Verdict.FLAG)).isEqualTo(1.0);
    assertThat(findings("secret-in-arguments", "BLOCK", "ENFORCE")).isEqualTo(1.0);
    assertThat(findings("scope-widening", "FLAG", "SHADOW")).isEqualTo(1.0);
    assertThat(findings("session-not-ended", "FLAG", "ENFORCE")).isEqualTo(1.0);
  }

  @Test
  void shouldCountEachActionAndModeOfOneRuleApartAndAddUpRepeats() {
    // Given the topology's listener
    DecisionListener listener = metrics.listener();
    Finding nullMode =
        new Finding("scope-widening", Verdict.FLAG, null, Severity.HIGH, "m", List.of(), null);

    // When one rule's findings come with every action and mode, some twice, one with no mode
    for (int round = 0; round < 2; round++) {
      for (Verdict action : Verdict.values()) {
        for (RuleMode mode : RuleMode.values()) {
          listener.sent(decision("e" + round, Verdict.ALLOW, List.of(finding("scope-widening", action, mode))));
        }
      }
    }
    listener.sent(decision("e3", Verdict.FLAG, List.of(nullMode)));

    // Then each action and mode has its own counter, and no mode is labelled as String.valueOf gives it
    for (Verdict action : Verdict.values()) {
      for (RuleMode mode : RuleMode.values()) {
        assertThat(findings("scope-widening", action.name(), mode.name())).isEqualTo(2.0);
      }
    }
    assertThat(findings("scope-widening", "FLAG", "null")).isEqualTo(1.0);
    assertThat(registry.find("auditor.findings").counters())
        .hasSize(Verdict.values().length * RuleMode.values().length + 1);
  }

  @Test
  void shouldCountRecordsOutAndDeadLettersAtSendButNoDecisionThere() {
    // Given the producer interceptor
    AuditorMetrics.OutputInterceptor interceptor = new AuditorMetrics.OutputInterceptor();
    interceptor.configure(java.util.Map.of(AuditorMetrics.INSTANCE_CONFIG, metrics));

    // When a decision's bytes and a dead letter are sent
    interceptor.onSend(new ProducerRecord<>(TOPICS.decisions(), "s1".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 1, 2}));
    ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(TOPICS.deadLetters(), null, new byte[] {1});
    letter.headers().add(
        io.agentauditor.streams.DeadLetterHeaders.EXCEPTION,
        "io.agentauditor.streams.EventKeyMismatchException".getBytes(StandardCharsets.UTF_8));
    interceptor.onSend(letter);

    // Then both are records out, the dead letter under its reason; the decision is the listener's to count
    assertThat(registry.get("auditor.records.out").tag("topic", TOPICS.decisions()).counter().count()).isEqualTo(1.0);
    assertThat(registry.get("auditor.records.out").tag("topic", TOPICS.deadLetters()).counter().count()).isEqualTo(1.0);
    assertThat(registry.get("auditor.dead.letters").tag("reason", "event_key_mismatch").counter().count()).isEqualTo(1.0);
    for (Verdict verdict : Verdict.values()) {
      assertThat(decisions("event", verdict)).isZero();
    }
  }
}
