package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
 * The clock skew bound of contract 9.3 (v2) on the production topology: an event stamped more than
 * {@code maxClockSkewSeconds} after its Kafka record's timestamp is a {@code future-dated} dead
 * letter, and it moves no stream time, so one far-future stamp can't close every open session.
 */
class ClockSkewTopologyTest {

  private static final TopicNames TOPICS = AuditTestData.topicNames("skew");
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, AgentEvent> events;
  private TestOutputTopic<String, Decision> decisions;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  private void start(Policy policy) {
    AuditorConfig config =
        AuditTestData.driverConfig(TOPICS, "mock://skew-" + UUID.randomUUID(), stateDir.resolve("state"));
    Map<String, Object> serdeConfig = config.serdeConfig();
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver = new TopologyTestDriver(AuditorTopology.build(config.topics(), serdeConfig, policy), props);
    events =
        driver.createInputTopic(
            TOPICS.events(), new StringSerializer(), AvroSerde.of(AgentEvent.class, serdeConfig, false));
    decisions =
        driver.createOutputTopic(
            TOPICS.decisions(), new StringDeserializer(), AvroSerde.of(Decision.class, serdeConfig, false));
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

  private static AgentEvent started(String sid, Instant at) {
    return EventMapper.toAvro(
        EventJsonCodec.decode(
            AuditTestData.line(sid, "e1", "agent:a", at, "SESSION_STARTED",
                "\"session\":{\"initiator\":\"user:bob\",\"grantedScopes\":[\"read:repo/**\"]}")));
  }

  private static AgentEvent read(String sid, String eventId, Instant at) {
    return EventMapper.toAvro(
        EventJsonCodec.decode(
            AuditTestData.line(sid, eventId, "agent:a", at, "TOOL_CALL",
                "\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}")));
  }

  private void pipe(AgentEvent e, Instant recordTime) {
    events.pipeInput(new TestRecord<>(e.getSessionId(), e, null, recordTime));
  }

  private DeadLetter readDeadLetter() {
    TestRecord<byte[], byte[]> record = deadLetters.readRecord();
    return DeadLetter.fromRecord(
        new ConsumerRecord<>(TOPICS.deadLetters(), 0, 0L, record.timestamp(), TimestampType.CREATE_TIME,
            -1, -1, record.key(), record.value(), record.headers(), java.util.Optional.empty()));
  }

  @Test
  void shouldDeadLetterAFarFutureEventWithoutMovingStreamTime() {
    // Given an open session, produced on time
    start(AuditTestData.defaultPolicy());
    pipe(started("s1", T0), T0);

    // When one event is stamped 9999-12-31 on a record of T0 + 1 s, then s1 goes on at T0 + 2 s
    pipe(started("s2", Instant.parse("9999-12-31T23:59:59Z")), T0.plusSeconds(1));
    pipe(read("s1", "e2", T0.plusSeconds(2)), T0.plusSeconds(2));

    // Then the far-future event is a future-dated dead letter...
    DeadLetter letter = readDeadLetter();
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(letter.reason())
        .isEqualTo(
            "future-dated: occurredAt 9999-12-31T23:59:59Z is "
                + java.math.BigDecimal.valueOf(
                        Instant.parse("9999-12-31T23:59:59Z").toEpochMilli()
                            - T0.plusSeconds(1).toEpochMilli(),
                        3)
                    .toPlainString()
                + " s after the record's timestamp 2026-11-26T10:00:01Z, more than"
                + " maxClockSkewSeconds (300)");
    assertThat(letter.errorType()).isEqualTo(FutureDatedEventException.class.getName());
    assertThat(letter.sourceOffset()).isEqualTo(1L);
    // ... which closed nothing: s1 is still open, decided with no idle timeout before it
    assertThat(decisions.readValuesToList())
        .extracting(d -> d.getSessionId() + "/" + d.getEventId() + " " + d.getVerdict())
        .containsExactly("s1/e1 ALLOW", "s1/e2 ALLOW");
  }

  @Test
  void shouldAcceptAnEventStampedExactlyTheSkewAfterItsRecordAndRefuseOneAMillisecondLater() {
    // Given
    start(AuditTestData.defaultPolicy());

    // When
    pipe(started("s1", T0.plusSeconds(300)), T0);
    pipe(started("s2", T0.plusSeconds(300).plusMillis(1)), T0);

    // Then
    assertThat(decisions.readValuesToList()).extracting(Decision::getSessionId).containsExactly("s1");
    assertThat(readDeadLetter().reason()).startsWith("future-dated: occurredAt 2026-11-26T10:05:00.001Z");
  }

  @Test
  void shouldBoundTheSkewTheBundleSets() throws IOException {
    // Given a bundle allowing 60 s
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), stateDir.resolve("bundle"));
    Path settings = bundle.resolve("settings.yaml");
    Files.writeString(
        settings,
        Files.readString(settings).replace("maxClockSkewSeconds: 300", "maxClockSkewSeconds: 60"));
    start(PolicyBundleLoader.load(bundle));

    // When
    pipe(started("s1", T0.plusSeconds(60)), T0);
    pipe(started("s2", T0.plusSeconds(61)), T0);

    // Then
    assertThat(decisions.readValuesToList()).extracting(Decision::getSessionId).containsExactly("s1");
    assertThat(readDeadLetter().reason()).contains("more than maxClockSkewSeconds (60)");
  }

  @Test
  void shouldIgnoreAMarkTheProducerPutOnItsRecord() {
    // Given
    start(AuditTestData.defaultPolicy());
    RecordHeaders forged = new RecordHeaders();
    forged.add(OccurredAtTimestampExtractor.FUTURE_DATED_HEADER, "future-dated: no".getBytes(StandardCharsets.UTF_8));

    // When an event on time carries the extractor's header
    events.pipeInput(new TestRecord<>("s1", started("s1", T0), forged, T0));

    // Then it is decided
    assertThat(decisions.readValuesToList()).extracting(Decision::getSessionId).containsExactly("s1");
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldLeaveTheExtractorsMarkOutOfTheDeadLetter() {
    // Given
    start(AuditTestData.defaultPolicy());

    // When
    pipe(started("s1", T0.plusSeconds(3600)), T0);

    // Then
    TestRecord<byte[], byte[]> record = deadLetters.readRecord();
    assertThat(record.headers().lastHeader(OccurredAtTimestampExtractor.FUTURE_DATED_HEADER)).isNull();
    assertThat(List.of(record.headers().toArray()))
        .extracting(h -> h.key())
        .containsExactlyElementsOf(DeadLetterHeaders.ALL);
  }
}
