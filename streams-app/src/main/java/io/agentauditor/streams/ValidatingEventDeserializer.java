package io.agentauditor.streams;

import io.agentauditor.avro.AgentEventDecoder;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.InvalidEventException;
import io.agentauditor.model.FieldPath;
import io.agentauditor.model.Limits;
import io.agentauditor.model.Step;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The value deserializer of the events topic: decodes with the Avro serde, then maps the event to
 * the engine's {@link Step}, whose constructors check contract section 2 ({@link EventMapper}). A
 * value whose Avro encoding (the bytes after the registry's 5-byte header) is larger than {@link
 * Limits#MAX_RECORD_BYTES} is refused before it is decoded (section 2's record limit).
 *
 * <p>When the wrapped deserializer is an {@link AvroSerde} of {@code AgentEvent} and a record's
 * writer schema is exactly the class's own ({@link AvroSerde#isWrittenWithOwnSchema}), the record
 * is read straight into its step ({@link AgentEventDecoder}), without the {@code AgentEvent}
 * between; what that decoder declines (any other writer schema, and every record refused) takes
 * the general path, which gives the reasons. Both give equal steps.
 *
 * <p>Throws {@link io.agentauditor.serde.AvroSerializationException} for undecodable bytes and
 * {@link InvalidAgentEventException} for a contract-violating event: both are {@code
 * SerializationException}s and become dead letters. A registry that cannot be reached surfaces as
 * the serde's retriable {@link io.agentauditor.registry.SchemaRegistryException}, untouched, which
 * the dead-letter handler refuses to swallow (the record may be fine).
 *
 * <p>Thread-safe when the wrapped deserializer is; {@link #configure} and {@link #close} are passed
 * through.
 */
final class ValidatingEventDeserializer implements Deserializer<Step> {

  private final Deserializer<AgentEvent> avro;
  /** {@link #avro} when it is an Avro serde of {@code AgentEvent}'s own schema, else null. */
  private final AvroSerde<?> direct;
  private final DecisionListener listener;

  ValidatingEventDeserializer(Deserializer<AgentEvent> avro) {
    this(avro, DecisionListener.NONE);
  }

  /** Tells {@code listener} of every record it is given, before decoding it. */
  ValidatingEventDeserializer(Deserializer<AgentEvent> avro, DecisionListener listener) {
    this.avro = Objects.requireNonNull(avro, "avro");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.direct =
        avro instanceof AvroSerde<?> serde && serde.schema().equals(AgentEvent.getClassSchema())
            ? serde
            : null;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    avro.configure(configs, isKey);
  }

  @Override
  public Step deserialize(String topic, byte[] data) {
    // Kafka Streams decodes each record once, when it becomes the head of its partition's queue:
    // counting here counts every record that will end as a decision or a dead letter.
    listener.received(topic);
    // Before decoding, so an oversized record costs nothing but its length.
    if (data != null && data.length - AvroSerde.HEADER_SIZE > Limits.MAX_RECORD_BYTES) {
      throw new InvalidAgentEventException(
          new InvalidEventException(FieldPath.ROOT, Limits.RECORD_TOO_LARGE));
    }
    if (direct != null && direct.isWrittenWithOwnSchema(topic, data)) {
      Step step =
          AgentEventDecoder.decode(
              data, AvroSerde.HEADER_SIZE, data.length - AvroSerde.HEADER_SIZE);
      if (step != null) {
        return step;
      }
    }
    AgentEvent event = avro.deserialize(topic, data);
    try {
      return EventMapper.toStep(event);
    } catch (InvalidEventException e) {
      throw new InvalidAgentEventException(e);
    }
  }

  @Override
  public void close() {
    avro.close();
  }
}
