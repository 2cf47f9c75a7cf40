package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the production handler answers for each kind of failure, without a broker. */
class DeadLetterProductionHandlerTest {

  private static final byte[] RAW = "{\"the\":\"input\"}".getBytes(StandardCharsets.UTF_8);

  private final DeadLetterProductionHandler handler = new DeadLetterProductionHandler();

  private static final ErrorHandlerContext CONTEXT =
      new ErrorHandlerContext() {
        @Override
        public String topic() {
          return "events";
        }

        @Override
        public int partition() {
          return 2;
        }

        @Override
        public long offset() {
          return 41;
        }

        @Override
        public Headers headers() {
          return new RecordHeaders();
        }

        @Override
        public String processorNodeId() {
          return "decisions-sink";
        }

        @Override
        public TaskId taskId() {
          return new TaskId(0, 2);
        }

        @Override
        public long timestamp() {
          return 1_000L;
        }

        @Override
        public byte[] sourceRawKey() {
          return "s1".getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] sourceRawValue() {
          return RAW;
        }
      };

  @BeforeEach
  void configure() {
    handler.configure(
        Map.of(
            "errors.dead.letter.queue.topic.name", "dead-letters",
            DeadLetter.VIOLATIONS_TOPIC_CONFIG, "violations"));
  }

  private static ProducerRecord<byte[], byte[]> output(String topic) {
    return new ProducerRecord<>(topic, new byte[] {1}, new byte[] {2});
  }

  @Test
  void shouldDeadLetterARecordTheProducerRefusesAndResume() {
    // When
    Response response =
        handler.handleError(CONTEXT, output("decisions"), new RecordTooLargeException("too big"));

    // Then the input is a dead letter with the reason, reported as an invalid-event finding
    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).extracting(ProducerRecord::topic)
        .containsExactly("dead-letters", "violations");
    ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
    assertThat(letter.value()).isEqualTo(RAW);
    assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.MESSAGE).value(), StandardCharsets.UTF_8))
        .isEqualTo("could not write to decisions: too big");
    assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.EXCEPTION).value(), StandardCharsets.UTF_8))
        .isEqualTo(RecordTooLargeException.class.getName());
    assertThat(new String(response.deadLetterQueueRecords().get(1).value(), StandardCharsets.UTF_8))
        .contains("\"invalid-event\"")
        .doesNotContain("the\\\":\\\"input");
  }

  @Test
  void shouldRetryARetriableFailureAsKafkaStreamsDoes() {
    // When
    Response response =
        handler.handleError(CONTEXT, output("decisions"), new NotEnoughReplicasException("later"));

    // Then
    assertThat(response.result()).isEqualTo(Result.RETRY);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void shouldFailRatherThanLoseAChangelogRecord() {
    // When
    Response response =
        handler.handleError(
            CONTEXT, output("app-chain-state-changelog"), new RecordTooLargeException("too big"));

    // Then
    assertThat(response.result()).isEqualTo(Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void shouldNotDeadLetterADeadLetterAgain() {
    // When
    Response response =
        handler.handleError(CONTEXT, output("dead-letters"), new RecordTooLargeException("too big"));

    // Then
    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void shouldNotReportAFailedSendToTheViolationsTopicWithAnotherFinding() {
    // When
    Response response =
        handler.handleError(CONTEXT, output("violations"), new RecordTooLargeException("too big"));

    // Then
    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).extracting(ProducerRecord::topic)
        .containsExactly("dead-letters");
  }

  @Test
  void shouldDeadLetterAValueItsSerializerRefusesAndResume() {
    // When
    Response response =
        handler.handleSerializationError(
            CONTEXT,
            new ProducerRecord<>("violations", "s1", "{}"),
            new BoundedSerializer.OutputTooLargeException("violations", 2_000_000, 1_047_552),
            org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

    // Then
    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).extracting(ProducerRecord::topic)
        .containsExactly("dead-letters", "violations");
  }

  @Test
  void shouldCutTheStackTraceAndReasonSoADeadLetterAddsABoundedAmount() {
    // Given a failure with a long reason and a deep stack trace
    DeadLetter letter =
        new DeadLetter(
            "r\u00e9".repeat(10_000), "E", "events", 0, 1, 1_000L, null, RAW, "at x\n".repeat(100_000));

    // When
    ProducerRecord<byte[], byte[]> record = letter.toProducerRecord("dead-letters", null);

    // Then the headers stay within the bound, and no character is split
    int headerBytes = 0;
    for (org.apache.kafka.common.header.Header h : record.headers()) {
      headerBytes += h.key().length() + h.value().length;
    }
    assertThat(headerBytes).isLessThanOrEqualTo(OutputLimits.DEAD_LETTER_HEADER_BYTES);
    String reason = new String(record.headers().lastHeader(DeadLetterHeaders.MESSAGE).value(), StandardCharsets.UTF_8);
    assertThat(reason).doesNotContain("\uFFFD").startsWith("r\u00e9r\u00e9");
    assertThat(record.value()).isEqualTo(RAW);
  }
}
