package io.agentauditor.streams;

import io.agentauditor.ocsf.OcsfDetectionFindings;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record whose processing threw: its source record (raw bytes as read from the input topic)
 * becomes a {@link DeadLetter} and processing continues. Same record shape as Kafka's {@code
 * LogAndContinueProcessingExceptionHandler} with a dead-letter topic, one WARN line per record
 * (stack trace at DEBUG). Configured by {@link DeadLetter#handlerProperties}.
 *
 * <p>Each dead letter is also reported on the violations topic as an OCSF {@code invalid-event}
 * finding (contract 9.4).
 *
 * <p>For records produced by a punctuation there is no source record: key and value are then
 * null.
 *
 * @throws org.apache.kafka.common.config.ConfigException from {@link #configure} when no
 *     dead-letter topic is configured
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

  private static final Logger LOGGER = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);
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
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    DeadLetter letter = DeadLetter.fromFailure(context, exception);
    log.warn(
        "Dead letter (processing failed in {}) {}-{}@{}: {}: {}",
        context.processorNodeId(), letter.sourceTopic(), letter.sourcePartition(),
        letter.sourceOffset(), letter.errorType(), letter.reason());
    LOGGER.debug("Processing failure of {}-{}@{}", letter.sourceTopic(),
        letter.sourcePartition(), letter.sourceOffset(), exception);
    return Response.resume(
        letter.toRecords(deadLetterTopic, violationsTopic, context.headers(), ocsf));
  }
}
