package io.agentauditor.serde;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that {@link AvroSerde} cannot turn into bytes or back, with the {@link Reason}. The
 * message states the reason in words, with the topic and, when known, the schema id; the streaming
 * layer routes these records to the dead-letter topic.
 *
 * <p>A registry that cannot be reached is not this exception: that is a {@link
 * io.agentauditor.registry.SchemaRegistryException} with {@code isRetriable()}, since the record
 * itself may be fine.
 */
public class AvroSerializationException extends SerializationException {

  private static final long serialVersionUID = 1L;

  /** Schema id when the bytes named none. */
  public static final int NO_SCHEMA_ID = -1;

  /** Why a record could not be decoded or encoded. */
  public enum Reason {
    /** Deserializing: the payload was null (a tombstone where a record is required). */
    NULL_PAYLOAD,
    /** Deserializing: the payload had no bytes. */
    EMPTY_PAYLOAD,
    /** Deserializing: fewer than the 5 header bytes (magic byte and schema id). */
    TOO_SHORT,
    /** Deserializing: the first byte is not the Confluent magic byte 0. */
    UNKNOWN_MAGIC_BYTE,
    /** Deserializing: the registry knows no schema with the id in the header. */
    UNKNOWN_SCHEMA_ID,
    /** Deserializing: the writer schema cannot be resolved into the reader's class. */
    INCOMPATIBLE_SCHEMA,
    /** Deserializing: the Avro payload ended before the record did. */
    TRUNCATED_PAYLOAD,
    /** Deserializing: the Avro payload is not a valid encoding of the writer schema. */
    MALFORMED_PAYLOAD,
    /** Deserializing: bytes are left after the record. */
    TRAILING_BYTES,
    /** Serializing: the schema is not registered under the subject and auto-registration is off. */
    SCHEMA_NOT_REGISTERED,
    /** Serializing: the registry refused the schema (incompatible, invalid) or the latest version differs. */
    SCHEMA_REJECTED,
    /** Serializing: the record could not be written with its schema (e.g. a required field is null). */
    WRITE_FAILED
  }

  private final Reason reason;
  private final String topic;
  private final int schemaId;

  public AvroSerializationException(Reason reason, String topic, int schemaId, String detail, Throwable cause) {
    super(message(reason, topic, schemaId, detail), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.topic = topic;
    this.schemaId = schemaId;
  }

  public AvroSerializationException(Reason reason, String topic, int schemaId, String detail) {
    this(reason, topic, schemaId, detail, null);
  }

  private static String message(Reason reason, String topic, int schemaId, String detail) {
    StringBuilder sb = new StringBuilder(reason.name()).append(": ").append(detail).append(" (topic ").append(topic);
    if (schemaId != NO_SCHEMA_ID) {
      sb.append(", schema id ").append(schemaId);
    }
    return sb.append(')').toString();
  }

  public Reason reason() {
    return reason;
  }

  /** The topic of the record; may be null when the caller gave none. */
  public String topic() {
    return topic;
  }

  /** The schema id of the header, or {@link #NO_SCHEMA_ID}. */
  public int schemaId() {
    return schemaId;
  }
}
