package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters on the production topology, beyond their routing ({@link
 * StreamingConformanceTopologyTest}): each is also reported to the SIEM as an {@code invalid-event}
 * finding (contract 9.4, v2), and an output that can't be written is a dead letter, never a stop
 * (issue 12).
 */
class DeadLetterReportsTopologyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TopicNames TOPICS = AuditTestData.topicNames("dlr");
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private AvroSerde<AgentEvent> eventSerde;
  private TestInputTopic<byte[], byte[]> raw;
  private TestOutputTopic<String, Decision> decisions;
  private TestOutputTopic<String, String> violations;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  /** The eventIds of the decisions the listener was told were sent. */
  private final List<String> sent = new ArrayList<>();

  private void start(int maxOutputValueBytes) {
    AuditorConfig config =
        AuditTestData.driverConfig(TOPICS, "mock://dlr-" + UUID.randomUUID(), stateDir);
    Map<String, Object> serdeConfig = config.serdeConfig();
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver =
        new TopologyTestDriver(
            AuditorTopology.build(
                config.topics(),
                serdeConfig,
                AuditTestData.defaultPolicy(),
                16,
                new DecisionListener() {
                  @Override
                  public void decided(io.agentauditor.model.Decision decision) {}

                  @Override
                  public void sent(Decision record) {
                    sent.add(record.getEventId());
                  }
                },
                maxOutputValueBytes),
            props);
    eventSerde = AvroSerde.of(AgentEvent.class, serdeConfig, false);
    raw = driver.createInputTopic(TOPICS.events(), new ByteArraySerializer(), new ByteArraySerializer());
    decisions =
        driver.createOutputTopic(
            TOPICS.decisions(), new StringDeserializer(), AvroSerde.of(Decision.class, serdeConfig, false));
    violations =
        driver.createOutputTopic(TOPICS.violations(), new StringDeserializer(), new StringDeserializer());
    deadLetters =
        driver.createOutputTopic(
            TOPICS.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private byte[] avro(String json) {
    return eventSerde.serialize(TOPICS.events(), EventMapper.toAvro(EventJsonCodec.decode(json)));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void pipe(String key, byte[] value, Instant recordTime) {
    raw.pipeInput(new TestRecord<>(utf8(key), value, recordTime));
  }

  private DeadLetter readDeadLetter() {
    TestRecord<byte[], byte[]> record = deadLetters.readRecord();
    return DeadLetter.fromRecord(
        new ConsumerRecord<>(TOPICS.deadLetters(), 0, 0L, record.timestamp(), TimestampType.CREATE_TIME,
            -1, -1, record.key(), record.value(), record.headers(), java.util.Optional.empty()));
  }

  private static String started(String sid, String eventId, Instant at) {
    return AuditTestData.line(sid, eventId, "agent:a", at, "SESSION_STARTED",
        "\"session\":{\"initiator\":\"user:bob\",\"grantedScopes\":[\"write:repo/**\"]}");
  }

  @Test
  void shouldReportEachDeadLetterToTheSiemAsAnInvalidEventFindingWithoutItsBytes() {
    // Given an auditor
    start(OutputLimits.MAX_VALUE_BYTES);
    byte[] garbage = utf8("{\"eventId\":\"e1\",\"secret\":\"AKIAIOSFODNN7EXAMPLE\"} is not Avro");

    // When an undecodable record arrives between two valid ones
    pipe("s1", avro(started("s1", "e1", T0)), T0);
    pipe("s1", garbage, T0.plusSeconds(1));
    pipe("s1", avro(AuditTestData.line("s1", "e2", "agent:a", T0.plusSeconds(2), "SESSION_ENDED", null)), T0.plusSeconds(2));

    // Then it is a dead letter, and one invalid-event finding on the violations topic names it
    DeadLetter letter = readDeadLetter();
    assertThat(deadLetters.isEmpty()).isTrue();
    List<TestRecord<String, String>> reported = violations.readRecordsToList();
    assertThat(reported).hasSize(1);
    JsonNode finding = parse(reported.get(0).value());
    assertThat(reported.get(0).key()).isEqualTo("s1");
    assertThat(finding.get("class_uid").asInt()).isEqualTo(2004);
    assertThat(finding.at("/finding_info/analytic/uid").asText()).isEqualTo("invalid-event");
    assertThat(finding.at("/finding_info/types/0").asText()).isEqualTo("invalid-event");
    assertThat(finding.get("severity_id").asInt()).isEqualTo(3);
    assertThat(finding.get("severity").asText()).isEqualTo("Medium");
    assertThat(finding.get("message").asText()).isEqualTo(letter.reason()).startsWith("UNKNOWN_MAGIC_BYTE");
    assertThat(finding.at("/unmapped/agent_auditor/dead_letter/source/topic").asText()).isEqualTo(TOPICS.events());
    assertThat(finding.at("/unmapped/agent_auditor/dead_letter/source/offset").asLong()).isEqualTo(1L);
    assertThat(finding.at("/metadata/uid").asText()).isEqualTo("invalid-event/" + TOPICS.events() + "/0/1");
    assertThat(finding.get("time").asLong()).isEqualTo(T0.plusSeconds(1).toEpochMilli());
    // ... never the raw bytes, which may hold anything (here a key)
    assertThat(reported.get(0).value()).doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("is not Avro");
    // ... and the valid records are decided
    assertThat(decisions.readValuesToList()).extracting(Decision::getEventId).containsExactly("e1", "e2");
  }

  @Test
  void shouldDeadLetterAnOutputTooLargeToWriteAndKeepDeciding() {
    // Given an auditor whose output bound a decision with a long message exceeds
    start(400);
    String longTool = "t".repeat(256);

    // When a step's decision (and its violation) are over the bound, and a valid step follows
    pipe("s1", avro(started("s1", "e1", T0)), T0);
    pipe(
        "s1",
        avro(AuditTestData.line("s1", "e2", "agent:a", T0.plusSeconds(1), "TOOL_CALL",
            "\"toolCall\":{\"tool\":\"" + longTool + "\",\"arguments\":{}}")),
        T0.plusSeconds(1));
    pipe("s1", avro(AuditTestData.line("s1", "e3", "agent:a", T0.plusSeconds(2), "SESSION_ENDED", null)), T0.plusSeconds(2));

    // Then each output too large is a dead letter of the input, with its reason and bytes...
    DeadLetter decision = readDeadLetter();
    DeadLetter violation = readDeadLetter();
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(decision.reason())
        .startsWith("could not write to " + TOPICS.decisions() + ": output too large: a record value of")
        .endsWith("bytes for " + TOPICS.decisions() + " is over the 400-byte bound of an output record (contract 9.2)");
    assertThat(violation.reason()).startsWith("could not write to " + TOPICS.violations() + ": output too large");
    assertThat(List.of(decision, violation))
        .allSatisfy(
            l -> {
              assertThat(l.errorType()).isEqualTo(BoundedSerializer.OutputTooLargeException.class.getName());
              assertThat(l.sourceOffset()).isEqualTo(1L);
              assertThat(l.rawValue()).isNotNull();
            });
    // ... reported like any dead letter, and the thread decided the next record
    assertThat(violations.readValuesToList())
        .hasSize(2)
        .allSatisfy(v -> assertThat(parse(v).at("/finding_info/analytic/uid").asText()).isEqualTo("invalid-event"));
    assertThat(decisions.readValuesToList()).extracting(Decision::getEventId).containsExactly("e1", "e3");
    // ... and only the decisions written are told as sent (the meters count them, not the refused one)
    assertThat(sent).containsExactly("e1", "e3");
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
