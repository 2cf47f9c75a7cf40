package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class EmbeddedKafkaClusterIT {

  private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedKafkaClusterIT.class);

  @Test
  void shouldStartOnLoopbackCreateTopicsAndDeleteItsDataOnClose() throws Exception {
    // Given
    Path data;
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      data = kafka.dataDirectory();
      LOGGER.info("Single-node embedded KRaft started in {} ms", kafka.startupTime().toMillis());

      // When
      kafka.createTopic("creds", 3, Map.of("cleanup.policy", "compact"));

      // Then
      assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
      assertThat(kafka.startupTime()).isLessThan(Duration.ofSeconds(60));
      assertThat(data).isDirectory();
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        TopicDescription creds =
            admin.describeTopics(List.of("creds")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("creds");
        assertThat(creds.partitions()).hasSize(3);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "creds");
        assertThat(
                admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource).get("cleanup.policy").value())
            .isEqualTo("compact");
      }
      assertThatThrownBy(() -> kafka.createTopic("creds", 3, Map.of()))
          .isInstanceOf(InfrastructureException.class)
          .hasMessageContaining("creds");
    }
    assertThat(Files.exists(data)).isFalse();
  }
}
