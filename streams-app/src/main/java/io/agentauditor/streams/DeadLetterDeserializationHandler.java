package io.agentauditor.streams;

import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.registry.SchemaRegistryException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undecodable input record: becomes a {@link DeadLetter} on the dead-letter topic and processing
 * continues. Same record shape as Kafka's {@code LogAndContinueExceptionHandler} with a dead-letter
 * topic, but logs one WARN line per record (stack trace at DEBUG only: a flood of bad input must
 * not flood the logs). Configured by {@link DeadLetter#handlerProperties}. Each dead letter is also
 * reported on the violations topic as an OCSF {@code invalid-event} finding (contract 9.4).
 *
 * <p>One failure is not the record's fault and is never dead-lettered: a schema registry that could
 * not be reached ({@link SchemaRegistryException#isRetriable()}, anywhere in the cause chain). The
 * handler then answers {@code FAIL}: the stream thread dies without committing, the thread-failure
 * policy replaces it, and the record is read again once the registry answers. Dead-lettering it
 * would drop a possibly valid event from the audit.
 *
 * @throws org.apache.kafka.common.config.ConfigException from {@link #configure} when no
 *     dead-letter topic is configured: a dropped record would break contract 9.4
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

  private static final Logger LOGGER =
      LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);
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
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    SchemaRegistryException outage = retriableRegistryFailure(exception);
    if (outage != null) {
      LOGGER.error(
          "Schema registry unavailable decoding {}-{}@{}: failing the stream thread, the record"
              + " is read again after its replacement: {}",
          context.topic(),
          context.partition(),
          context.offset(),
          outage.getMessage());
      return Response.fail();
    }
    DeadLetter letter = DeadLetter.fromFailure(context, exception);
    log.warn(
        "Dead letter (undecodable) {}-{}@{}: {}: {}",
        letter.sourceTopic(),
        letter.sourcePartition(),
        letter.sourceOffset(),
        letter.errorType(),
        letter.reason());
    LOGGER.debug(
        "Deserialization failure of {}-{}@{}",
        letter.sourceTopic(),
        letter.sourcePartition(),
        letter.sourceOffset(),
        exception);
    return Response.resume(
        letter.toRecords(deadLetterTopic, violationsTopic, context.headers(), ocsf));
  }

  /** The retriable registry failure in {@code exception}'s cause chain, or null. */
  static SchemaRegistryException retriableRegistryFailure(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SchemaRegistryException e && e.isRetriable()) {
        return e;
      }
    }
    return null;
  }
}
