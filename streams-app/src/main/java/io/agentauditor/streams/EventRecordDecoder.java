package io.agentauditor.streams;

import io.agentauditor.model.Step;
import io.agentauditor.registry.SchemaRegistryException;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.serde.StrictStringSerde;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads an events-topic record outside Kafka Streams exactly as the topology does ({@code replay
 * --topic}, {@code diff --topic}): the same key and value deserializers ({@link StrictStringSerde},
 * {@link ValidatingEventDeserializer} over {@link AvroSerde}), then the same refusals as {@link
 * AuditProcessor}, in the same order (future-dated against the record's timestamp, then a key that
 * is not the sessionId). A record the topology dead-letters gives the same reason here: the failure's
 * message, as {@link DeadLetter#fromFailure} takes it.
 *
 * <p>A registry that can't be reached is not the record's fault: its retriable {@link
 * SchemaRegistryException} is thrown, as the topology's handler fails rather than dead-letter.
 * Thread-safe; {@link #close} releases the registry client.
 */
public final class EventRecordDecoder implements AutoCloseable {

  /** An events-topic record read: its event, or the reason it is a dead letter. */
  public record Decoded(Step event, String deadLetter) {}

  private final Deserializer<String> keys = StrictStringSerde.create().deserializer();
  private final ValidatingEventDeserializer values;
  private final long maxSkewMillis;

  /**
   * @param serdeConfig the Avro serde's configuration (registry URL and client settings)
   * @param maxClockSkewSeconds the bundle's {@code maxClockSkewSeconds}
   * @throws org.apache.kafka.common.config.ConfigException when the serde configuration is invalid
   */
  public EventRecordDecoder(Map<String, ?> serdeConfig, long maxClockSkewSeconds) {
    this.values = new ValidatingEventDeserializer(AvroSerde.of(AgentEvent.class, serdeConfig, false));
    this.maxSkewMillis = Math.multiplyExact(maxClockSkewSeconds, 1000L);
  }

  /**
   * The event of {@code record}, or why the topology makes it a dead letter.
   *
   * @throws SchemaRegistryException when the registry could not be asked (retriable)
   */
  public Decoded decode(ConsumerRecord<byte[], byte[]> record) {
    String key;
    Step event;
    try {
      key = keys.deserialize(record.topic(), record.headers(), record.key());
      event = values.deserialize(record.topic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      SchemaRegistryException outage = DeadLetterDeserializationHandler.retriableRegistryFailure(e);
      if (outage != null) {
        throw outage;
      }
      return failed(e);
    }
    String futureDated =
        OccurredAtTimestampExtractor.futureDated(event, record.timestamp(), maxSkewMillis);
    if (futureDated != null) {
      return new Decoded(null, futureDated);
    }
    if (!event.sessionId().equals(key)) {
      return failed(new EventKeyMismatchException(key, event.sessionId()));
    }
    return new Decoded(event, null);
  }

  private static Decoded failed(Exception e) {
    String message = e.getMessage();
    return new Decoded(null, message == null ? e.getClass().getName() : message);
  }

  @Override
  public void close() {
    values.close();
  }
}
