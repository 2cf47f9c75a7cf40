package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record that can't be sent is never fatal (issue 12), on a real broker: a session end whose
 * decision is too large for its output (its 100 live credentials, against a lowered bound) becomes
 * a dead letter with the reason, reported as an {@code invalid-event} finding, and the stream
 * thread goes on deciding, under exactly-once: the sink's serializer refuses it before the
 * producer, and Kafka Streams' production exception handler dead-letters it.
 *
 * <p>Not tested here, and why: a record the broker refuses reaches the handler on the producer's
 * network thread after the task moved on, so Kafka Streams names the wrong source record, has freed
 * its bytes, and sends the dead letter from that thread, which blocks on metadata it can't fetch
 * (60 s, then a corrupted task); under exactly-once the transaction aborts anyway. That is why the
 * auditor bounds its outputs before the producer ({@link BoundedSerializer}) and sets the topics'
 * sizes ({@link OutputLimits}); {@code DeadLetterProductionHandlerTest} covers the handler's answer.
 */
class OutputFailureIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final int CREDENTIALS = 100;

  private static AgentEvent event(String json) {
    return EventMapper.toAvro(EventJsonCodec.decode(json));
  }

  /** Session s1: 100 credentials then its end (a decision of ~13 KB); then session s2 starts. */
  private static List<AgentEvent> input() {
    List<AgentEvent> events = new ArrayList<>();
    events.add(event(AuditTestData.line("s1", "e0", "agent:a", T0, "SESSION_STARTED",
        "\"session\":{\"initiator\":\"user:bob\",\"grantedScopes\":[\"read:repo/**\"]}")));
    for (int i = 1; i <= CREDENTIALS; i++) {
      events.add(event(AuditTestData.line("s1", "e" + i, "agent:a", T0.plusSeconds(i * 7L), "CREDENTIAL_ISSUED",
          "\"credential\":{\"credentialId\":\"c" + i + "\",\"subjectAgentId\":\"agent:a\","
              + "\"scopes\":[\"read:repo/acme\"],\"kind\":\"SHORT_LIVED_TOKEN\",\"ttlSeconds\":3600,"
              + "\"storage\":\"MEMORY\"}")));
    }
    events.add(event(AuditTestData.line("s1", "end", "agent:a", T0.plusSeconds(800), "SESSION_ENDED", null)));
    events.add(event(AuditTestData.line("s2", "e0", "agent:b", T0.plusSeconds(801), "SESSION_STARTED",
        "\"session\":{\"initiator\":\"user:bob\",\"grantedScopes\":[\"read:repo/**\"]}")));
    return events;
  }

  @Test
  void shouldDeadLetterAnOutputTheSerializerRefusesUnderExactlyOnceAndKeepDeciding(@TempDir Path stateDir) {
    // Given an exactly-once auditor whose output values are bounded at 10,000 bytes
    RunningAuditor app = new RunningAuditor(KAFKA, "too-large-eos", 1);
    app.createTopics(stateDir);
    KafkaStreams streams = app.start(stateDir, Map.of(), 10_000);
    try {
      // When
      // Then
      assertTheSessionEndIsADeadLetterAndTheNextSessionIsDecided(app, streams);
    } finally {
      RunningAuditor.closeQuietly(streams);
    }
  }

  private static void assertTheSessionEndIsADeadLetterAndTheNextSessionIsDecided(
      RunningAuditor app, KafkaStreams streams) {
    List<AgentEvent> input = input();
    try (RunningAuditor.Reader decisions = app.reader(app.topics().decisions());
        RunningAuditor.Reader deadLetters = app.reader(app.topics().deadLetters());
        RunningAuditor.Reader violations = app.reader(app.topics().violations())) {
      // When the input is produced
      app.produce(input);

      // Then every decision but the session end's arrives, s2's (after it) included...
      List<String> decided =
          decisions
              .awaitUntil(rs -> rs.stream().anyMatch(r -> app.decision(r.value()).getSessionId().equals("s2")))
              .stream()
              .map(r -> app.decision(r.value()).getEventId())
              .toList();
      assertThat(decided).hasSize(input.size() - 1).doesNotContain("end");
      // ... the session end is one dead letter, with its reason, position and bytes...
      List<DeadLetter> letters =
          deadLetters.awaitAtLeast(1).stream().map(DeadLetter::fromRecord).toList();
      assertThat(letters).hasSize(1);
      DeadLetter letter = letters.get(0);
      assertThat(letter.reason()).startsWith("could not write to " + app.topics().decisions());
      assertThat(letter.reason()).contains("output too large: a record value of");
      assertThat(letter.sourceTopic()).isEqualTo(app.topics().events());
      assertThat(letter.sourceOffset()).isEqualTo(CREDENTIALS + 1L);
      assertThat(letter.rawValue()).isEqualTo(app.serialize(input.get(CREDENTIALS + 1)));
      // ... reported to the SIEM...
      List<ConsumerRecord<byte[], byte[]>> reported =
          violations.awaitUntil(
              rs -> rs.stream().anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"invalid-event\"")));
      assertThat(reported)
          .filteredOn(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"invalid-event\""))
          .hasSize(1);
      // ... and the auditor never stopped
      assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }
  }
}
