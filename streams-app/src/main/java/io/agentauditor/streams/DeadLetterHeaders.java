package io.agentauditor.streams;

import java.util.List;

/**
 * Header names of a dead-letter record. They are Kafka Streams' own (KIP-1034, written by the
 * built-in log-and-continue/log-and-fail handlers when {@code errors.dead.letter.queue.topic.name}
 * is set), so records from those handlers and from {@link DeadLetter#toProducerRecord} have one
 * shape. Every value is a UTF-8 string; partition and offset are decimal.
 */
public final class DeadLetterHeaders {

  /** Class name of the exception (ours: the validation error type). */
  public static final String EXCEPTION = "__streams.errors.exception";
  /** The exception message: the human-readable reason. Absent value if the message was null. */
  public static final String MESSAGE = "__streams.errors.message";
  /** Full stack trace; empty for our own validation failures, which have none worth keeping. */
  public static final String STACKTRACE = "__streams.errors.stacktrace";
  /** Topic of the source record. */
  public static final String TOPIC = "__streams.errors.topic";
  /** Partition of the source record. */
  public static final String PARTITION = "__streams.errors.partition";
  /** Offset of the source record. */
  public static final String OFFSET = "__streams.errors.offset";

  /** All six, in the order the built-in handler writes them. */
  public static final List<String> ALL = List.of(EXCEPTION, MESSAGE, STACKTRACE, TOPIC, PARTITION, OFFSET);

  private DeadLetterHeaders() {}
}
