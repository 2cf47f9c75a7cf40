package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Dead-letter routing on tiny topologies: our handlers write what Kafka Streams 4.3's built-in
 * dead-letter queue (KIP-1034) writes, and {@link DeadLetter} reads and writes that shape.
 */
class DeadLetterTopologyTest {

  private static final String IN = "in";
  private static final String OUT = "out";
  private static final String DLQ = "dead-letters";
  private static final String VIOLATIONS = "violations";
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  /** Fails like a validating deserializer would on an undecodable record. */
  public static final class RejectingDeserializer implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
      String text = new String(data, StandardCharsets.UTF_8);
      if (text.startsWith("bad")) {
        throw new SerializationException("undecodable event: " + text);
      }
      return text;
    }
  }

  private static Properties props() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dead-letter-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.putAll(DeadLetter.handlerProperties(DLQ, VIOLATIONS));
    return props;
  }

  private static Topology deserializingTopology() {
    StreamsBuilder builder = new StreamsBuilder();
    builder
        .stream(IN, Consumed.with(Serdes.String(), Serdes.serdeFrom(new StringSerializer(), new RejectingDeserializer())).withName("source"))
        .to(OUT, Produced.with(Serdes.String(), Serdes.String()).withName("sink"));
    return builder.build();
  }

  private static Topology throwingTopology() {
    StreamsBuilder builder = new StreamsBuilder();
    builder
        .stream(IN, Consumed.with(Serdes.String(), Serdes.String()).withName("source"))
        .mapValues(
            value -> {
              if (value.contains("boom")) {
                throw new IllegalStateException("cannot decide " + value);
              }
              return value.toUpperCase();
            },
            Named.as("decide"))
        .to(OUT, Produced.with(Serdes.String(), Serdes.String()).withName("sink"));
    return builder.build();
  }

  @Test
  void shouldWriteAnUndecodableRecordToTheDeadLetterTopicWithItsRawBytesAndSource() {
    try (TopologyTestDriver driver = new TopologyTestDriver(deserializingTopology(), props())) {
      // Given
      TestInputTopic<String, String> in =
          driver.createInputTopic(IN, new StringSerializer(), new StringSerializer());
      TestOutputTopic<byte[], byte[]> dlq =
          driver.createOutputTopic(DLQ, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
      TestOutputTopic<String, String> out =
          driver.createOutputTopic(OUT, new StringDeserializer(), new StringDeserializer());
      RecordHeaders sourceHeaders = new RecordHeaders();
      sourceHeaders.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));

      // When
      in.pipeInput(new TestRecord<>("s1", "good-1", null, T0));
      in.pipeInput(new TestRecord<>("s1", "bad-2", sourceHeaders, T0.plusSeconds(1)));
      in.pipeInput(new TestRecord<>("s1", "good-3", null, T0.plusSeconds(2)));

      // Then: the good records pass, the bad one is a dead letter, nothing stops
      assertThat(out.readValuesToList()).containsExactly("good-1", "good-3");
      TestRecord<byte[], byte[]> record = dlq.readRecord();
      assertThat(dlq.isEmpty()).isTrue();
      assertThat(record.key()).asString(StandardCharsets.UTF_8).isEqualTo("s1");
      assertThat(record.value()).asString(StandardCharsets.UTF_8).isEqualTo("bad-2");
      assertThat(record.getRecordTime()).isEqualTo(T0.plusSeconds(1));
      assertThat(Arrays.stream(record.headers().toArray()).map(Header::key))
          .containsExactly(
              "trace-id",
              DeadLetterHeaders.EXCEPTION,
              DeadLetterHeaders.MESSAGE,
              DeadLetterHeaders.STACKTRACE,
              DeadLetterHeaders.TOPIC,
              DeadLetterHeaders.PARTITION,
              DeadLetterHeaders.OFFSET);

      DeadLetter letter = DeadLetter.fromRecord(asConsumerRecord(record));
      assertThat(letter.errorType()).isEqualTo(SerializationException.class.getName());
      assertThat(letter.reason()).isEqualTo("undecodable event: bad-2");
      assertThat(letter.sourceTopic()).isEqualTo(IN);
      assertThat(letter.sourcePartition()).isZero();
      assertThat(letter.sourceOffset()).isEqualTo(1);
      assertThat(letter.timestamp()).isEqualTo(T0.plusSeconds(1).toEpochMilli());
      assertThat(letter.stackTrace()).contains("RejectingDeserializer.deserialize");
    }
  }

  @Test
  void shouldWriteARecordWhoseProcessingThrowsToTheDeadLetterTopicWithTheSourceBytes() {
    try (TopologyTestDriver driver = new TopologyTestDriver(throwingTopology(), props())) {
      // Given
      TestInputTopic<String, String> in =
          driver.createInputTopic(IN, new StringSerializer(), new StringSerializer());
      TestOutputTopic<byte[], byte[]> dlq =
          driver.createOutputTopic(DLQ, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
      TestOutputTopic<String, String> out =
          driver.createOutputTopic(OUT, new StringDeserializer(), new StringDeserializer());

      // When
      in.pipeInput("s2", "ok", T0);
      in.pipeInput("s2", "boom!", T0.plusSeconds(5));
      in.pipeInput("s2", "fine", T0.plusSeconds(6));

      // Then
      assertThat(out.readValuesToList()).containsExactly("OK", "FINE");
      TestRecord<byte[], byte[]> record = dlq.readRecord();
      assertThat(record.key()).asString(StandardCharsets.UTF_8).isEqualTo("s2");
      assertThat(record.value()).asString(StandardCharsets.UTF_8).isEqualTo("boom!");
      DeadLetter letter = DeadLetter.fromRecord(asConsumerRecord(record));
      assertThat(letter.errorType()).isEqualTo(IllegalStateException.class.getName());
      assertThat(letter.reason()).isEqualTo("cannot decide boom!");
      assertThat(letter.sourceTopic()).isEqualTo(IN);
      assertThat(letter.sourceOffset()).isEqualTo(1);
      assertThat(letter.timestamp()).isEqualTo(T0.plusSeconds(5).toEpochMilli());
    }
  }

  @Test
  void shouldWriteOurOwnDeadLettersInTheBuiltInShape() {
    // Given
    DeadLetter letter =
        DeadLetter.invalidInput(
            "sessionId is empty", "io.agentauditor.InvalidEvent", "agent-events", 3, 42L,
            T0.toEpochMilli(), "s1".getBytes(StandardCharsets.UTF_8),
            "{\"sessionId\":\"\"}".getBytes(StandardCharsets.UTF_8));

    // When
    var produced = letter.toProducerRecord(DLQ, List.of(new RecordHeader("trace-id", new byte[] {1})));
    ConsumerRecord<byte[], byte[]> consumed =
        new ConsumerRecord<>(
            DLQ, 0, 0L, produced.timestamp(), TimestampType.CREATE_TIME, -1, -1,
            produced.key(), produced.value(), produced.headers(), java.util.Optional.empty());

    // Then
    assertThat(produced.topic()).isEqualTo(DLQ);
    assertThat(Arrays.stream(produced.headers().toArray()).map(Header::key))
        .containsExactly("trace-id", DeadLetterHeaders.EXCEPTION, DeadLetterHeaders.MESSAGE,
            DeadLetterHeaders.STACKTRACE, DeadLetterHeaders.TOPIC, DeadLetterHeaders.PARTITION,
            DeadLetterHeaders.OFFSET);
    assertThat(DeadLetter.fromRecord(consumed)).isEqualTo(letter);
    assertThat(letter.toJson())
        .isEqualTo("{\"reason\":\"sessionId is empty\",\"error\":\"io.agentauditor.InvalidEvent\","
            + "\"source\":{\"topic\":\"agent-events\",\"partition\":3,\"offset\":42},"
            + "\"timestamp\":" + T0.toEpochMilli() + ",\"key\":\"czE=\","
            + "\"value\":\"eyJzZXNzaW9uSWQiOiIifQ==\"}");
  }

  @Test
  void shouldWriteExactlyWhatKafkasBuiltInHandlersWriteButTheStackTrace() {
    // Given: the same failing input through Kafka's own handlers and through ours
    Properties builtIn = props();
    builtIn.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    builtIn.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueProcessingExceptionHandler.class.getName());
    for (Topology topology : List.of(deserializingTopology(), throwingTopology())) {
      // When
      TestRecord<byte[], byte[]> theirs = deadLetterOf(topology, builtIn);
      TestRecord<byte[], byte[]> ours = deadLetterOf(topology, props());

      // Then
      assertThat(ours.key()).isEqualTo(theirs.key());
      assertThat(ours.value()).isEqualTo(theirs.value());
      assertThat(ours.getRecordTime()).isEqualTo(theirs.getRecordTime());
      assertThat(headersWithoutStackTrace(ours)).isEqualTo(headersWithoutStackTrace(theirs));
      assertThat(ours.headers().lastHeader(DeadLetterHeaders.STACKTRACE)).isNotNull();
    }
  }

  @Test
  void shouldRefuseToRunWithoutADeadLetterTopic() {
    DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();

    assertThatThrownBy(() -> handler.configure(java.util.Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
  }

  private static TestRecord<byte[], byte[]> deadLetterOf(Topology topology, Properties props) {
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      RecordHeaders headers = new RecordHeaders();
      headers.add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
      driver.createInputTopic(IN, new StringSerializer(), new StringSerializer())
          .pipeInput(new TestRecord<>("k", "bad boom", headers, T0));
      return driver
          .createOutputTopic(DLQ, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer())
          .readRecord();
    }
  }

  private static List<String> headersWithoutStackTrace(TestRecord<byte[], byte[]> record) {
    return Arrays.stream(record.headers().toArray())
        .filter(h -> !h.key().equals(DeadLetterHeaders.STACKTRACE))
        .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void shouldUseKafkaStreamsOwnHeaderNames() {
    assertThat(DeadLetterHeaders.ALL)
        .containsExactly(
            ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME,
            ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME,
            ExceptionHandlerUtils.HEADER_ERRORS_STACKTRACE_NAME,
            ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME,
            ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME,
            ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME);
  }

  @Test
  void shouldRefuseToReadARecordThatIsNotADeadLetter() {
    ConsumerRecord<byte[], byte[]> plain = new ConsumerRecord<>(DLQ, 0, 0L, null, new byte[] {1});

    assertThatThrownBy(() -> DeadLetter.fromRecord(plain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a dead-letter record: no __streams.errors.exception header");
  }

  private static ConsumerRecord<byte[], byte[]> asConsumerRecord(TestRecord<byte[], byte[]> record) {
    return new ConsumerRecord<>(
        DLQ, 0, 0L, record.timestamp(), TimestampType.CREATE_TIME, -1, -1,
        record.key(), record.value(), record.headers(), java.util.Optional.empty());
  }
}
