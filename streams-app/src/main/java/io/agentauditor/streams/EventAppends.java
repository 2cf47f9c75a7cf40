package io.agentauditor.streams;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The producer settings of everything that appends events to the events topic outside the
 * topology ({@code ./auditor produce}, the decision API): a session's events must reach the log whole
 * and in order.
 */
public final class EventAppends {

  private EventAppends() {}

  /**
   * {@code client}'s settings (bootstrap servers, TLS, SASL, batching) with idempotence, {@code
   * acks=all} and one request in flight per broker: a partition's next batch is sent only once the
   * previous one is acknowledged. With more in flight, a first batch that the broker refuses before
   * appending it (NOT_LEADER_OR_FOLLOWER while it is only becoming the leader) lets the next batch
   * be written first, since a broker accepts any sequence from a producer it has no state for; the
   * first batch is then refused as OUT_OF_ORDER_SEQUENCE_NUMBER until it expires, and its events are
   * lost after later ones were written (KAFKA-14359; docs/RELIABILITY.md).
   */
  public static Map<String, Object> producerConfig(Map<String, ?> client) {
    Map<String, Object> config = new HashMap<>(client);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return config;
  }
}
