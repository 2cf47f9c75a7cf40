package io.agentauditor.streams;

import io.agentauditor.model.Step;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time for Kafka Streams: the event's {@code occurredAt} (contract 9.3), never the record's
 * produce time. It only sees records that decoded and validated (Streams deserializes before it
 * extracts), so dead letters never move stream time.
 *
 * <p>Kafka timestamps cannot be negative and Streams drops a record whose extracted timestamp is,
 * so an event before 1970 (valid by section 2) gets timestamp 0 instead of being lost; the engine
 * decides on {@code occurredAt} itself and keeps its own stream time, so decisions are unaffected.
 */
public final class OccurredAtTimestampExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof Step event) {
      return Math.max(0L, event.occurredAtMillis());
    }
    // Not reachable through the auditor's source, which only passes validated events.
    return Math.max(0L, record.timestamp());
  }
}
