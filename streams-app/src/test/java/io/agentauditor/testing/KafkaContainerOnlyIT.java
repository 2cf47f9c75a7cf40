package io.agentauditor.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The container path on its own, so a machine with Docker proves it even when {@link KafkaBroker}
 * is forced to the embedded broker. Skipped (not failed) without a Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerOnlyIT {

  @Container static final KafkaContainer KAFKA = new KafkaContainer(KafkaBroker.KAFKA_IMAGE);

  @Test
  void shouldCreateAndListATopicOnTheContainerBroker() throws Exception {
    // Given
    String topic = KafkaBroker.uniqueName("container-only");
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers()))) {
      // When
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);

      // Then
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
    }
  }
}
