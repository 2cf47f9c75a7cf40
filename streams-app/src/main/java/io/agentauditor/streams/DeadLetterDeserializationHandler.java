package io.agentauditor.streams;

import java.util.List;
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
 * not flood the logs). Configured by {@link DeadLetter#handlerProperties}.
 *
 * @throws org.apache.kafka.common.config.ConfigException from {@link #configure} when no
 *     dead-letter topic is configured: a dropped record would break contract 9.4
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

  private static final Logger LOGGER = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

  private String deadLetterTopic;

  @Override
  public void configure(Map<String, ?> configs) {
    deadLetterTopic = DeadLetter.requireDeadLetterTopic(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    DeadLetter letter = DeadLetter.fromFailure(context, exception);
    LOGGER.warn(
        "Dead letter (undecodable) {}-{}@{}: {}: {}",
        letter.sourceTopic(), letter.sourcePartition(), letter.sourceOffset(),
        letter.errorType(), letter.reason());
    LOGGER.debug("Deserialization failure of {}-{}@{}", letter.sourceTopic(),
        letter.sourcePartition(), letter.sourceOffset(), exception);
    return Response.resume(List.of(letter.toProducerRecord(deadLetterTopic, context.headers())));
  }
}
