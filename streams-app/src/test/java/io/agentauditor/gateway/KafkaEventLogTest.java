package io.agentauditor.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.model.Step;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The decision API's producer: how it keeps a session's events in order and bounds an append. */
class KafkaEventLogTest {

  private static final Step START =
      EventJsonCodec.decode(
          "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":"
              + "\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":"
              + "\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}");

  @Test
  void shouldSendAPartitionsNextBatchOnlyOnceTheLastIsAcknowledged() {
    // Given the client settings of a deployment
    Map<String, Object> props =
        KafkaEventLog.producerConfig(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092"), Duration.ofMillis(250));
    // Then: idempotent, acks=all, and one request in flight, so that a first batch the broker
    // refuses before appending it can't be overtaken by the next (KAFKA-14359)
    Map<String, Object> withSerializers = new HashMap<>(props);
    withSerializers.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    withSerializers.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    ProducerConfig config = new ProducerConfig(withSerializers);
    assertThat(config.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
    assertThat(config.getString(ProducerConfig.ACKS_CONFIG)).isEqualTo("-1");
    assertThat(config.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)).isEqualTo(1);
    assertThat(config.getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG)).isEqualTo(250L);
    // and the topic's metadata kept while the API is idle, so that the first request after a quiet
    // spell doesn't spend its deadline fetching it
    assertThat(config.getLong(ProducerConfig.METADATA_MAX_IDLE_CONFIG))
        .isEqualTo(Duration.ofDays(1).toMillis());
  }

  @Test
  void shouldReportAnAppendNotAppendedWithinTheDeadlineWhenTheClusterCannotBeReached()
      throws IOException {
    // Given a cluster address nothing listens on and a 500 ms deadline
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    List<Exception> refused = new CopyOnWriteArrayList<>();
    AtomicReference<KafkaEventLog> log = new AtomicReference<>();
    // When the log starts and a step is appended (both may wait, so on their own thread)
    CompletableFuture<Void> appending =
        CompletableFuture.runAsync(
            () -> {
              log.set(
                  new KafkaEventLog(
                      Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port),
                      Map.of("schema.registry.url", "mock://event-log-test"),
                      "events",
                      Duration.ofMillis(500)));
              log.get().append(START, refused::add);
            });
    try {
      // Then it is reported not appended about the deadline, not after the client's minutes
      await().atMost(Duration.ofSeconds(20)).until(() -> !refused.isEmpty());
      assertThat(refused).singleElement().isInstanceOf(TimeoutException.class);
    } finally {
      appending.join();
      log.get().close();
    }
  }
}
