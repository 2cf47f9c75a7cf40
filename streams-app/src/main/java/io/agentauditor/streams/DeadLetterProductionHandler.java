package io.agentauditor.streams;

import io.agentauditor.ocsf.OcsfDetectionFindings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output record that can't be written is never fatal (issue 12): a record the sink's serializer
 * refuses (too large for an output record, see {@link BoundedSerializer}, or not serializable) or
 * the producer fails to send (a {@code RecordTooLargeException} from a smaller limit, say) becomes
 * a {@link DeadLetter} of the input record being processed, with the reason and the input's
 * position (its raw bytes when Kafka Streams still holds them: it frees them once the record's
 * first output is sent), reported as an {@code invalid-event} finding like every dead letter, and
 * the stream thread goes on. Configured by {@link DeadLetter#handlerProperties}.
 *
 * <p>A retriable failure (a timeout, too few replicas) is not the record's fault and keeps Kafka
 * Streams' own answer: it is retried, as the default handler does. So does a failure to write
 * Streams' internal topics (the chain-state changelog): the task's state can't be dropped like an
 * output, so the thread fails and the thread-failure policy takes over. A failed dead-letter record is
 * logged, not dead-lettered again, which could loop; a failed send to the violations topic (which
 * may be an {@code invalid-event} finding) gets its dead letter without a finding.
 *
 * <p>Under exactly-once, a send that fails in the producer makes the transaction abortable whatever
 * this handler answers; that is why the auditor's own outputs are bounded in the serializer,
 * before the producer, and why the topics' {@code max.message.bytes} match (see {@link
 * OutputLimits}).
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {

  private static final Logger LOGGER = LoggerFactory.getLogger(DeadLetterProductionHandler.class);
  private final DeadLetterLog log = new DeadLetterLog(LOGGER);

  private final OcsfDetectionFindings ocsf = OcsfDetectionFindings.withInstalledVersion();
  private String deadLetterTopic;
  private String violationsTopic;

  @Override
  public void configure(Map<String, ?> configs) {
    deadLetterTopic = DeadLetter.requireDeadLetterTopic(configs);
    violationsTopic = DeadLetter.requireViolationsTopic(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (isInternal(record.topic())) {
      // A changelog record is the task's state: resuming would lose it silently, and its restore
      // would not match what the task decided. Kafka Streams' own answer: fail.
      LOGGER.error(
          "Could not write to internal topic {}: failing the stream thread: {}",
          record.topic(),
          exception.toString());
      return Response.fail();
    }
    if (exception instanceof RetriableException) {
      LOGGER.warn(
          "Retriable failure writing to {} for {}-{}@{}: {}",
          record.topic(),
          context.topic(),
          context.partition(),
          context.offset(),
          exception.toString());
      return Response.retry();
    }
    // A failed send to the violations topic may be an invalid-event finding (those are sent as
    // dead-letter records, past the serializers): no second finding, which might fail alike.
    return deadLetter(context, record.topic(), exception, !violationsTopic.equals(record.topic()));
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(
      ErrorHandlerContext context,
      ProducerRecord record,
      Exception exception,
      SerializationExceptionOrigin origin) {
    return deadLetter(context, record.topic(), exception, true);
  }

  /** Kafka Streams' internal topics: {@code <application.id>-<name>-changelog|-repartition}. */
  static boolean isInternal(String topic) {
    return topic.endsWith("-changelog") || topic.endsWith("-repartition");
  }

  private Response deadLetter(
      ErrorHandlerContext context, String outputTopic, Exception exception, boolean report) {
    if (deadLetterTopic.equals(outputTopic)) {
      LOGGER.error(
          "Dead letter of {}-{}@{} could not be written, dropped: {}",
          context.topic(),
          context.partition(),
          context.offset(),
          exception.toString());
      return Response.resume();
    }
    DeadLetter letter =
        DeadLetter.fromFailure(
            context,
            exception,
            "could not write to "
                + outputTopic
                + ": "
                + (exception.getMessage() == null
                    ? exception.getClass().getName()
                    : exception.getMessage()));
    log.warn(
        "Dead letter (output failed) {}-{}@{}: {}",
        letter.sourceTopic(),
        letter.sourcePartition(),
        letter.sourceOffset(),
        letter.reason());
    LOGGER.debug("Output failure of {}-{}@{}", letter.sourceTopic(), letter.sourcePartition(),
        letter.sourceOffset(), exception);
    if (!report) {
      return Response.resume(List.of(letter.toProducerRecord(deadLetterTopic, context.headers())));
    }
    return Response.resume(
        letter.toRecords(deadLetterTopic, violationsTopic, context.headers(), ocsf));
  }
}
