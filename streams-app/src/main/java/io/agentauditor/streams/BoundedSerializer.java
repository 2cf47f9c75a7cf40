package io.agentauditor.streams;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A sink's value serializer that refuses a value over the output bound ({@link
 * OutputLimits#MAX_VALUE_BYTES}) with an {@link OutputTooLargeException}.
 *
 * <p>Why here and not in the producer: Kafka Streams hands a serializer's failure to the
 * production exception handler before anything is sent, so the record becomes a dead letter and
 * the task goes on ({@link DeadLetterProductionHandler}). Left to the producer, the same record
 * fails in {@code send} with a {@code RecordTooLargeException}, which under exactly-once puts the
 * transaction in an abortable state: the task's later sends fail, the stream thread dies, and
 * its replacement meets the same record again.
 */
final class BoundedSerializer<T> implements Serializer<T> {

  /** Thrown for a value over the bound: which topic, how large, and the bound. */
  static final class OutputTooLargeException extends SerializationException {
    private static final long serialVersionUID = 1L;

    OutputTooLargeException(String topic, int bytes, int bound) {
      super(
          "output too large: a record value of "
              + bytes
              + " bytes for "
              + topic
              + " is over the "
              + bound
              + "-byte bound of an output record (contract 9.2)");
    }
  }

  private final Serializer<T> inner;
  private final int maxValueBytes;
  private final Consumer<T> accepted;

  /**
   * @param inner the sink's serializer; its configure and close are passed on
   * @param maxValueBytes the largest value written, at least 1
   */
  BoundedSerializer(Serializer<T> inner, int maxValueBytes) {
    this(inner, maxValueBytes, value -> {});
  }

  /**
   * @param accepted told of each non-null value serialized within the bound, after it is: what the
   *     sink then hands to the producer (a refused value goes to the dead letters instead)
   * @see #BoundedSerializer(Serializer, int)
   */
  BoundedSerializer(Serializer<T> inner, int maxValueBytes, Consumer<T> accepted) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (maxValueBytes < 1) {
      throw new IllegalArgumentException("maxValueBytes must be positive: " + maxValueBytes);
    }
    this.maxValueBytes = maxValueBytes;
    this.accepted = Objects.requireNonNull(accepted, "accepted");
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    inner.configure(configs, isKey);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    return bounded(topic, data, inner.serialize(topic, data));
  }

  @Override
  public byte[] serialize(String topic, Headers headers, T data) {
    return bounded(topic, data, inner.serialize(topic, headers, data));
  }

  private byte[] bounded(String topic, T data, byte[] value) {
    if (value != null && value.length > maxValueBytes) {
      throw new OutputTooLargeException(topic, value.length, maxValueBytes);
    }
    if (data != null) {
      accepted.accept(data);
    }
    return value;
  }

  @Override
  public void close() {
    inner.close();
  }
}
