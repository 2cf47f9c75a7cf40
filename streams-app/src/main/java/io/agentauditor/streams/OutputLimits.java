package io.agentauditor.streams;

/**
 * How large a record the auditor writes or accepts (contract 9.2, v2), in one place so that the
 * producer, the topics it creates, docker-compose and the guard on its own serializers agree.
 *
 * <ul>
 *   <li>A decision, a violation or a ledger entry is at most {@value #MAX_RECORD_BYTES} bytes of
 *       key, value and headers. The engine's bounds keep them well under it ({@code
 *       OutputBoundsTest}); the topology's serializers refuse anything larger ({@link
 *       BoundedSerializer}), so such a record becomes a dead letter instead of a send that would
 *       fail.
 *   <li>The events, decisions, violations and credentials topics take messages of {@value
 *       #TOPIC_MAX_MESSAGE_BYTES} bytes: one such record plus Kafka's batch and record framing.
 *       The events topic so bounds the raw input a dead letter carries.
 *   <li>A dead letter is its source record's raw key and value, which may be as large as the
 *       events topic allows, plus error headers of at most {@value #DEAD_LETTER_HEADER_BYTES}
 *       bytes (the stack trace and the reason are cut to fit): the dead-letter topic takes {@value
 *       #DEAD_LETTER_TOPIC_MAX_MESSAGE_BYTES} bytes, and the producer's {@code max.request.size} is
 *       that, the largest record the auditor writes.
 * </ul>
 */
public final class OutputLimits {

  /** Key, value and headers of a decision, violation or ledger entry: 1 MiB. */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  /**
   * The largest value of a decision, violation or ledger entry: the record bound less room for its
   * key (a session or credential id, at most 256 bytes) and no headers.
   */
  public static final int MAX_VALUE_BYTES = MAX_RECORD_BYTES - 1024;

  /** {@code max.message.bytes} of the events and output topics: a record plus its framing. */
  public static final int TOPIC_MAX_MESSAGE_BYTES = MAX_RECORD_BYTES + 1024;

  /** The error headers a dead letter adds to its source record, at most. */
  public static final int DEAD_LETTER_HEADER_BYTES = 16 * 1024;

  /** {@code max.message.bytes} of the dead-letter topic. */
  public static final int DEAD_LETTER_TOPIC_MAX_MESSAGE_BYTES =
      TOPIC_MAX_MESSAGE_BYTES + DEAD_LETTER_HEADER_BYTES;

  /** The producer's {@code max.request.size}: the largest record the auditor writes. */
  public static final int MAX_REQUEST_SIZE = DEAD_LETTER_TOPIC_MAX_MESSAGE_BYTES;

  private OutputLimits() {}
}
