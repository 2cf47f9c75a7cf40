package io.agentauditor.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.model.Step;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The decision API's producer against a real broker that goes away. */
class KafkaEventLogIT {

  private static final Step START =
      EventJsonCodec.decode(
          "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":"
              + "\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":"
              + "\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}");

  private static final Step SECOND =
      EventJsonCodec.decode(
          "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":"
              + "\"2026-11-26T10:00:01Z\",\"type\":\"SESSION_ENDED\"}");

  @Test
  void shouldCloseWithinItsBoundAndReportTheAppendsTheClusterNeverTook() throws Exception {
    // Given a log that has appended a step, and then its cluster gone
    List<Exception> refused = new CopyOnWriteArrayList<>();
    KafkaEventLog log;
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      kafka.createTopic("events", 1, Map.of());
      log =
          new KafkaEventLog(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
              Map.of("schema.registry.url", "mock://event-log-it"),
              "events",
              Duration.ofSeconds(2));
      log.append(START, refused::add);
      TopicPartition events = new TopicPartition("events", 0);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  admin
                          .listOffsets(Map.of(events, OffsetSpec.latest()))
                          .partitionResult(events)
                          .get()
                          .offset()
                      == 1);
    }
    // When a second step is appended (handed over at once: the producer knows the topic) and the
    // log closed
    log.append(SECOND, refused::add);
    CompletableFuture<Void> closing = CompletableFuture.runAsync(log::close);
    // Then the close ends within its bound, not after the client's two-minute delivery timeout,
    // and the second step, only the second, is reported not appended
    await()
        .atMost(KafkaEventLog.CLOSE_TIMEOUT.plusSeconds(15))
        .until(() -> closing.isDone() && !refused.isEmpty());
    assertThat(refused).hasSize(1);
  }
}
