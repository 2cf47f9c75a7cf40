package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.CredentialKey;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.Verdict;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor on a real broker, three partitions, exactly-once: a few hundred interleaved events of
 * twenty sessions each get one decision; violations and credential records come out keyed as the
 * contract says.
 */
class EndToEndIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldDecideEveryEventOfManyInterleavedSessions(@TempDir Path stateDir) throws Exception {
    // Given
    RunningAuditor app = new RunningAuditor(KAFKA, "e2e", 3);
    app.createTopics(stateDir);
    List<AgentEvent> events =
        AuditTestData.decode(AuditTestData.generatedSessions("e2e", 20, 30, 7L));
    assertThat(events).hasSizeGreaterThan(200);
    KafkaStreams streams = app.start(stateDir);
    try (RunningAuditor.Reader decisions = app.reader(app.topics().decisions());
        RunningAuditor.Reader violations = app.reader(app.topics().violations());
        RunningAuditor.Reader credentials = app.reader(app.topics().credentials());
        RunningAuditor.Reader deadLetters = app.reader(app.topics().deadLetters())) {

      // When
      app.produce(events);

      // Then: one decision per input event (retries included), keyed by its session
      List<Decision> decided = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : decisions.awaitAtLeast(events.size())) {
        Decision d = app.decision(r.value());
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(d.getSessionId());
        decided.add(d);
      }
      decided.clear();
      for (ConsumerRecord<byte[], byte[]> r : decisions.drain()) {
        decided.add(app.decision(r.value()));
      }
      List<String> inputIds =
          events.stream().map(e -> e.getSessionId() + "/" + e.getEventId()).sorted().toList();
      List<Decision> stepDecisions =
          decided.stream()
              .filter(d -> !d.getEventId().endsWith(AuditEngine.IDLE_TIMEOUT_SUFFIX))
              .toList();
      assertThat(
              stepDecisions.stream()
                  .map(d -> d.getSessionId() + "/" + d.getEventId())
                  .sorted()
                  .toList())
          .isEqualTo(inputIds);
      assertThat(deadLetters.drain()).isEmpty();
      assertThat(decided)
          .extracting(Decision::getVerdict)
          .contains(Verdict.ALLOW, Verdict.FLAG, Verdict.BLOCK);

      // ... one OCSF finding per finding of a FLAG/BLOCK decision, retries excepted
      Set<String> seen = new HashSet<>();
      int expectedViolations = 0;
      for (Decision d : decided) {
        if (seen.add(d.getSessionId() + "/" + d.getEventId()) && d.getVerdict() != Verdict.ALLOW) {
          expectedViolations += d.getFindings().size();
        }
      }
      List<ConsumerRecord<byte[], byte[]>> found = violations.awaitAtLeast(expectedViolations);
      assertThat(violations.drain()).hasSize(expectedViolations);
      for (ConsumerRecord<byte[], byte[]> r : found) {
        JsonNode event = JSON.readTree(r.value());
        assertThat(event.get("class_uid").asInt()).isEqualTo(2004);
        assertThat(event.at("/actor/session/uid").asText())
            .isEqualTo(new String(r.key(), StandardCharsets.UTF_8));
      }

      // ... and the credential lifecycle keyed by (sessionId, credentialId), contract 9.5
      List<ConsumerRecord<byte[], byte[]>> lifecycle = credentials.drain();
      assertThat(lifecycle).isNotEmpty();
      Map<String, String> registry = Map.of("schema.registry.url", "mock://" + app.prefix);
      try (AvroSerde<CredentialState> serde = AvroSerde.of(CredentialState.class, registry, false);
          AvroSerde<CredentialKey> keys = AvroSerde.of(CredentialKey.class, registry, true)) {
        for (ConsumerRecord<byte[], byte[]> r : lifecycle) {
          CredentialState state = serde.deserialize(r.topic(), r.value());
          CredentialKey key = keys.deserialize(r.topic(), r.key());
          assertThat(key.getSessionId()).isEqualTo(state.getSessionId());
          assertThat(key.getCredentialId()).isEqualTo(state.getCredentialId());
        }
      }
    } finally {
      RunningAuditor.closeQuietly(streams);
    }
  }
}
