package io.agentauditor.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.ocsf.OcsfDetectionFindings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * One record that could not be decided (contract 9.4): why, where it came from, and its raw bytes.
 *
 * <p>On Kafka a dead letter is a record of the dead-letter topic whose key and value are the
 * source record's raw key and value bytes, unchanged, whose timestamp is the source record's, and
 * whose headers are the source record's headers followed by the six {@link DeadLetterHeaders}.
 * That is exactly what Kafka Streams' built-in handlers write when {@link
 * StreamsConfig#ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG} is set, and what {@link
 * #toProducerRecord} writes for our own failures; {@link #fromRecord} reads either.
 *
 * <p>Outside Kafka (e.g. {@code replay} reading a file) {@code sourceTopic} is the input's name,
 * {@code sourcePartition} is -1 and {@code sourceOffset} the 1-based line number. Immutable; the
 * byte arrays are copied in and out.
 *
 * @param reason human-readable reason, never null (the exception class when it had no message)
 * @param errorType class name of the exception, or of the validation error type for our own
 * @param sourceTopic topic (or input name) of the source record
 * @param sourcePartition partition of the source record, -1 when not from Kafka
 * @param sourceOffset offset (or line number) of the source record
 * @param timestamp timestamp of the source record, ms since the epoch; -1 when unknown
 * @param rawKey raw key bytes, may be null
 * @param rawValue raw value bytes, may be null
 * @param stackTrace stack trace, empty when none was recorded
 */
public record DeadLetter(
    String reason,
    String errorType,
    String sourceTopic,
    int sourcePartition,
    long sourceOffset,
    long timestamp,
    byte[] rawKey,
    byte[] rawValue,
    String stackTrace) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public DeadLetter {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(errorType, "errorType");
    Objects.requireNonNull(sourceTopic, "sourceTopic");
    stackTrace = stackTrace == null ? "" : stackTrace;
    rawKey = rawKey == null ? null : rawKey.clone();
    rawValue = rawValue == null ? null : rawValue.clone();
  }

  /** A validation failure of our own: no stack trace. */
  public static DeadLetter invalidInput(
      String reason,
      String errorType,
      String sourceTopic,
      int sourcePartition,
      long sourceOffset,
      long timestamp,
      byte[] rawKey,
      byte[] rawValue) {
    return new DeadLetter(
        reason, errorType, sourceTopic, sourcePartition, sourceOffset, timestamp, rawKey, rawValue, "");
  }

  /**
   * The Streams property naming the topic where each dead letter is also reported as an OCSF
   * {@code invalid-event} finding (contract 9.4): the auditor's violations topic.
   */
  public static final String VIOLATIONS_TOPIC_CONFIG = "agent.auditor.errors.violations.topic.name";

  /** The longest stack trace header a dead letter carries, in UTF-8 bytes. */
  static final int MAX_STACK_TRACE_BYTES = 8 * 1024;

  /** The longest reason header a dead letter carries, in UTF-8 bytes. */
  static final int MAX_REASON_BYTES = 4 * 1024;

  /**
   * The Streams properties that route undecodable records (deserialization handler), records whose
   * processing throws (processing handler) and outputs that can't be written (production handler)
   * to {@code deadLetterTopic}, each also reported as an {@code invalid-event} finding on {@code
   * violationsTopic}, logging and continuing: a bad record never stops the auditor.
   */
  public static Map<String, Object> handlerProperties(
      String deadLetterTopic, String violationsTopic) {
    Map<String, Object> props = new HashMap<>();
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class.getName());
    props.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProcessingHandler.class.getName());
    props.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProductionHandler.class.getName());
    props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetterTopic);
    props.put(VIOLATIONS_TOPIC_CONFIG, violationsTopic);
    // Kafka 5.0 makes this the default; opting in now keeps behaviour stable across the upgrade.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    return props;
  }

  /**
   * The dead letter of a failure Kafka Streams reports to an exception handler: the source
   * record's position, timestamp and raw bytes from {@code context}, the exception's class,
   * message and stack trace.
   */
  public static DeadLetter fromFailure(ErrorHandlerContext context, Exception exception) {
    String message = exception.getMessage();
    return fromFailure(
        context, exception, message == null ? exception.getClass().getName() : message);
  }

  /** As {@link #fromFailure(ErrorHandlerContext, Exception)}, with {@code reason} for its own. */
  static DeadLetter fromFailure(ErrorHandlerContext context, Exception exception, String reason) {
    StringWriter stackTrace = new StringWriter();
    try (PrintWriter writer = new PrintWriter(stackTrace)) {
      exception.printStackTrace(writer);
    }
    return new DeadLetter(
        reason,
        exception.getClass().getName(),
        context.topic() == null ? "" : context.topic(),
        context.partition(),
        context.offset(),
        context.timestamp(),
        context.sourceRawKey(),
        context.sourceRawValue(),
        stackTrace.toString());
  }

  static String requireViolationsTopic(Map<String, ?> configs) {
    Object topic = configs.get(VIOLATIONS_TOPIC_CONFIG);
    if (topic == null || topic.toString().isBlank()) {
      throw new ConfigException(
          VIOLATIONS_TOPIC_CONFIG,
          topic,
          "the auditor's exception handlers report every dead letter to the violations topic"
              + " (contract 9.4)");
    }
    return topic.toString();
  }

  /**
   * What a handler writes for this dead letter (contract 9.4): the dead-letter record ({@link
   * #toProducerRecord}) and its {@code invalid-event} finding on {@code violationsTopic} (key: the
   * source record's raw key when it is at most 256 bytes, as a session id is; value: the OCSF JSON).
   */
  List<ProducerRecord<byte[], byte[]>> toRecords(
      String deadLetterTopic,
      String violationsTopic,
      Iterable<Header> sourceHeaders,
      OcsfDetectionFindings ocsf) {
    return List.of(
        toProducerRecord(deadLetterTopic, sourceHeaders), toViolationRecord(violationsTopic, ocsf));
  }

  /** This dead letter's {@code invalid-event} finding as a record of {@code violationsTopic}. */
  ProducerRecord<byte[], byte[]> toViolationRecord(
      String violationsTopic, OcsfDetectionFindings ocsf) {
    String json =
        ocsf.invalidEvent(
            reason, errorType, sourceTopic, sourcePartition, sourceOffset, timestamp);
    byte[] key = rawKey != null && rawKey.length <= 256 ? rawKey.clone() : null;
    return new ProducerRecord<>(
        violationsTopic, null, timestamp < 0 ? null : timestamp, key, utf8(json));
  }

  static String requireDeadLetterTopic(Map<String, ?> configs) {
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    if (topic == null || topic.toString().isBlank()) {
      throw new ConfigException(
          StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
          topic,
          "the auditor's exception handlers need a dead-letter topic: input is never dropped");
    }
    return topic.toString();
  }

  /**
   * Reads a dead-letter record, written by Kafka Streams' handlers or by {@link #toProducerRecord}.
   *
   * @throws IllegalArgumentException if a header other than the message is missing or malformed
   */
  public static DeadLetter fromRecord(ConsumerRecord<byte[], byte[]> record) {
    Headers headers = record.headers();
    String errorType = requiredHeader(headers, DeadLetterHeaders.EXCEPTION);
    String message = header(headers, DeadLetterHeaders.MESSAGE);
    String partition = requiredHeader(headers, DeadLetterHeaders.PARTITION);
    String offset = requiredHeader(headers, DeadLetterHeaders.OFFSET);
    try {
      return new DeadLetter(
          message == null ? errorType : message,
          errorType,
          requiredHeader(headers, DeadLetterHeaders.TOPIC),
          Integer.parseInt(partition),
          Long.parseLong(offset),
          record.timestamp(),
          record.key(),
          record.value(),
          header(headers, DeadLetterHeaders.STACKTRACE));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "not a dead-letter record: partition '" + partition + "' or offset '" + offset
              + "' is not a number", e);
    }
  }

  /**
   * This dead letter as a record of {@code deadLetterTopic}, shaped like Kafka Streams' own: raw
   * key and value, source timestamp, {@code sourceHeaders} (may be null) then the six error
   * headers. The stack trace and the reason are cut to {@value #MAX_STACK_TRACE_BYTES} and {@value
   * #MAX_REASON_BYTES} bytes, so the record is its source record plus at most {@link
   * OutputLimits#DEAD_LETTER_HEADER_BYTES} bytes.
   */
  public ProducerRecord<byte[], byte[]> toProducerRecord(
      String deadLetterTopic, Iterable<Header> sourceHeaders) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            deadLetterTopic, null, timestamp < 0 ? null : timestamp, rawKey(), rawValue());
    if (sourceHeaders != null) {
      sourceHeaders.forEach(record.headers()::add);
    }
    record.headers().add(DeadLetterHeaders.EXCEPTION, utf8(errorType));
    record.headers().add(DeadLetterHeaders.MESSAGE, utf8(reason, MAX_REASON_BYTES));
    record.headers().add(DeadLetterHeaders.STACKTRACE, utf8(stackTrace, MAX_STACK_TRACE_BYTES));
    record.headers().add(DeadLetterHeaders.TOPIC, utf8(sourceTopic, 512));
    record.headers().add(DeadLetterHeaders.PARTITION, utf8(Integer.toString(sourcePartition)));
    record.headers().add(DeadLetterHeaders.OFFSET, utf8(Long.toString(sourceOffset)));
    return record;
  }

  /**
   * One-line JSON: {@code reason}, {@code error}, {@code source} ({@code topic}, {@code partition},
   * {@code offset}), {@code timestamp}, {@code key} and {@code value} as base64 (null when absent).
   * The stack trace is left out: it is for the dead-letter topic, not for terminals.
   */
  public String toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("reason", reason);
    node.put("error", errorType);
    ObjectNode source = node.putObject("source");
    source.put("topic", sourceTopic);
    source.put("partition", sourcePartition);
    source.put("offset", sourceOffset);
    node.put("timestamp", timestamp);
    node.put("key", rawKey == null ? null : Base64.getEncoder().encodeToString(rawKey));
    node.put("value", rawValue == null ? null : Base64.getEncoder().encodeToString(rawValue));
    return node.toString();
  }

  @Override
  public byte[] rawKey() {
    return rawKey == null ? null : rawKey.clone();
  }

  @Override
  public byte[] rawValue() {
    return rawValue == null ? null : rawValue.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DeadLetter that
        && reason.equals(that.reason)
        && errorType.equals(that.errorType)
        && sourceTopic.equals(that.sourceTopic)
        && sourcePartition == that.sourcePartition
        && sourceOffset == that.sourceOffset
        && timestamp == that.timestamp
        && Arrays.equals(rawKey, that.rawKey)
        && Arrays.equals(rawValue, that.rawValue)
        && stackTrace.equals(that.stackTrace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        reason, errorType, sourceTopic, sourcePartition, sourceOffset, timestamp,
        Arrays.hashCode(rawKey), Arrays.hashCode(rawValue), stackTrace);
  }

  @Override
  public String toString() {
    return "DeadLetter" + toJson();
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code value} in UTF-8, cut to at most {@code maxBytes} at a character boundary. */
  static byte[] utf8(String value, int maxBytes) {
    byte[] bytes = utf8(value);
    if (bytes.length <= maxBytes) {
      return bytes;
    }
    int cut = maxBytes;
    while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
      cut--; // bytes[cut] continues a character: cut before the character it belongs to
    }
    return Arrays.copyOf(bytes, cut);
  }

  private static String header(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String requiredHeader(Headers headers, String name) {
    String value = header(headers, name);
    if (value == null) {
      throw new IllegalArgumentException("not a dead-letter record: no " + name + " header");
    }
    return value;
  }
}
