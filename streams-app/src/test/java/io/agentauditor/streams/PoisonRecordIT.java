package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerializationException;
import io.agentauditor.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison records among good ones on a real broker, exactly-once: garbage bytes, a wrong magic byte
 * and a contract-violating Avro event each become one dead letter with the reason, the source
 * position and the raw bytes; every good record is decided; nothing stops.
 */
class PoisonRecordIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @Test
  void shouldDeadLetterPoisonRecordsAndDecideTheRest(@TempDir Path stateDir) {
    // Given the demo session's 17 events with three poison records in between, on one partition
    RunningAuditor app = new RunningAuditor(KAFKA, "poison", 1);
    app.createTopics(stateDir);
    List<AgentEvent> good = AuditTestData.decode(AuditTestData.demoScenario());
    byte[] garbage = "{\"eventId\":\"e99\"} is JSON, not Avro".getBytes(StandardCharsets.UTF_8);
    byte[] wrongMagic = app.serialize(good.get(5));
    wrongMagic[0] = 0x7f;
    byte[] invalid = app.serialize(AgentEvent.newBuilder(good.get(9)).setEventId("").build());
    List<Map.Entry<String, byte[]>> input = new ArrayList<>();
    for (int i = 0; i < good.size(); i++) {
      input.add(Map.entry(AuditTestData.DEMO_SESSION, app.serialize(good.get(i))));
      if (i == 2) {
        input.add(Map.entry(AuditTestData.DEMO_SESSION, garbage)); // offset 3
      } else if (i == 7) {
        input.add(Map.entry(AuditTestData.DEMO_SESSION, wrongMagic)); // offset 9
      } else if (i == 11) {
        input.add(Map.entry(AuditTestData.DEMO_SESSION, invalid)); // offset 14
      }
    }
    KafkaStreams streams = app.start(stateDir);
    try (RunningAuditor.Reader decisions = app.reader(app.topics().decisions());
        RunningAuditor.Reader deadLetters = app.reader(app.topics().deadLetters())) {

      // When
      app.produceRaw(input);

      // Then every good record is decided, exactly as replay decides the good ones alone ...
      decisions.awaitAtLeast(good.size());
      List<String> decided =
          decisions.drain().stream().map(r -> AuditTestData.json(app.decision(r.value()))).toList();
      assertThat(decided)
          .containsExactlyElementsOf(AuditTestData.replay(AuditTestData.demoScenario()));

      // ... and each poison record is one dead letter with its reason, position and bytes
      deadLetters.awaitAtLeast(3);
      List<DeadLetter> letters = deadLetters.drain().stream().map(DeadLetter::fromRecord).toList();
      assertThat(letters).extracting(DeadLetter::sourceOffset).containsExactly(3L, 9L, 14L);
      assertThat(letters).extracting(DeadLetter::sourceTopic).containsOnly(app.topics().events());
      assertThat(letters).extracting(DeadLetter::sourcePartition).containsOnly(0);
      assertThat(letters.get(0).rawValue()).isEqualTo(garbage);
      assertThat(letters.get(0).reason()).startsWith("UNKNOWN_MAGIC_BYTE: first byte 0x7b");
      assertThat(letters.get(1).rawValue()).isEqualTo(wrongMagic);
      assertThat(letters.get(1).reason()).startsWith("UNKNOWN_MAGIC_BYTE: first byte 0x7f");
      assertThat(letters.get(1).errorType()).isEqualTo(AvroSerializationException.class.getName());
      assertThat(letters.get(2).rawValue()).isEqualTo(invalid);
      assertThat(letters.get(2).reason()).isEqualTo("eventId: must not be empty");
      assertThat(letters.get(2).errorType()).isEqualTo(InvalidAgentEventException.class.getName());
      assertThat(letters)
          .allSatisfy(
              l ->
                  assertThat(l.rawKey())
                      .asString(StandardCharsets.UTF_8)
                      .isEqualTo(AuditTestData.DEMO_SESSION));

      // ... so the counts hold
      assertThat(decided.size() + letters.size()).isEqualTo(input.size());
    } finally {
      RunningAuditor.closeQuietly(streams);
    }
  }
}
