package io.agentauditor.streams;

import io.agentauditor.model.Step;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time for Kafka Streams: the event's {@code occurredAt} (contract 9.3), never the record's
 * produce time. It only sees records that decoded and validated (Streams deserializes before it
 * extracts), so dead letters never move stream time.
 *
 * <p>Kafka timestamps cannot be negative and Streams drops a record whose extracted timestamp is,
 * so an event before 1970 (valid by section 2) gets timestamp 0 instead of being lost; the engine
 * decides on {@code occurredAt} itself and keeps its own stream time, so decisions are unaffected.
 *
 * <p><b>Clock skew bound</b> (contract 9.3, v2). The Kafka record's timestamp is a second clock: an
 * event stamped more than {@code maxClockSkewSeconds} after it is invalid. An extractor can't
 * dead-letter a record, so it marks it: the header {@value #FUTURE_DATED_HEADER} (whose value is
 * the reason), and a timestamp that does not move stream time (the partition's, or 0 before the
 * first record). {@link AuditProcessor} refuses a marked record before the engine sees it, and
 * the processing handler makes it a dead letter with reason {@code future-dated}. A record without
 * a timestamp (-1, from an old client) has no second clock and is not bounded.
 */
public final class OccurredAtTimestampExtractor implements TimestampExtractor {

  /** The header that marks a future-dated record for {@link AuditProcessor}. */
  static final String FUTURE_DATED_HEADER = "agent-auditor.future-dated";

  private final long maxSkewMillis;

  /** @param maxClockSkewSeconds the bundle's {@code maxClockSkewSeconds}, at least 0 */
  public OccurredAtTimestampExtractor(long maxClockSkewSeconds) {
    if (maxClockSkewSeconds < 0) {
      throw new IllegalArgumentException("maxClockSkewSeconds must be at least 0: " + maxClockSkewSeconds);
    }
    this.maxSkewMillis = Math.multiplyExact(maxClockSkewSeconds, 1000L);
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    Headers headers = record.headers();
    // Only this extractor may mark a record: a producer's own header proves nothing.
    headers.remove(FUTURE_DATED_HEADER);
    if (record.value() instanceof Step event) {
      String futureDated = futureDated(event, record.timestamp(), maxSkewMillis);
      if (futureDated != null) {
        headers.add(FUTURE_DATED_HEADER, futureDated.getBytes(StandardCharsets.UTF_8));
        return Math.max(0L, partitionTime);
      }
      return Math.max(0L, event.occurredAtMillis());
    }
    // Not reachable through the auditor's source, which only passes validated events.
    return Math.max(0L, record.timestamp());
  }

  /**
   * Why {@code event} is future-dated against its record's timestamp {@code recordTime} (contract
   * 9.3), or null when it is not: {@code future-dated: occurredAt ... is ... s after the record's
   * timestamp ..., more than maxClockSkewSeconds (...)}. A record without a timestamp (-1) is
   * never future-dated.
   */
  static String futureDated(Step event, long recordTime, long maxSkewMillis) {
    long occurredAt = event.occurredAtMillis();
    if (recordTime < 0 || occurredAt - recordTime <= maxSkewMillis) {
      return null;
    }
    return "future-dated: occurredAt "
        + java.time.Instant.ofEpochMilli(occurredAt)
        + " is "
        + java.math.BigDecimal.valueOf(occurredAt - recordTime, 3).toPlainString()
        + " s after the record's timestamp "
        + java.time.Instant.ofEpochMilli(recordTime)
        + ", more than maxClockSkewSeconds ("
        + maxSkewMillis / 1000
        + ")";
  }
}
