package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The producer settings of {@code ./auditor produce} and the decision API's appends. */
class EventAppendsTest {

  @Test
  void shouldSendAPartitionsNextBatchOnlyOnceTheLastIsAcknowledged() {
    // Given the client settings of a command line or a deployment
    Map<String, Object> props =
        EventAppends.producerConfig(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092"));
    // Then: idempotent, acks=all, and one request in flight, so that a first batch the broker
    // refuses before appending it can't be overtaken by the next (KAFKA-14359)
    Map<String, Object> withSerializers = new HashMap<>(props);
    withSerializers.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    withSerializers.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    ProducerConfig config = new ProducerConfig(withSerializers);
    assertThat(config.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
    assertThat(config.getString(ProducerConfig.ACKS_CONFIG)).isEqualTo("-1");
    assertThat(config.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)).isEqualTo(1);
  }
}
