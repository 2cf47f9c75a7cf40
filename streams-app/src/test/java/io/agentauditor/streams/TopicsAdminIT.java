package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.testing.KafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicsAdminIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static AuditorConfig configWithUniqueTopics(String prefix) {
    return AuditorConfig.fromMap(
        Map.of(
            "bootstrap.servers", KAFKA.bootstrapServers(),
            "schema.registry.url", "mock://topics-admin",
            "topics.events", prefix + "-events",
            "topics.decisions", prefix + "-decisions",
            "topics.violations", prefix + "-violations",
            "topics.credentials", prefix + "-credentials",
            "topics.dead.letters", prefix + "-dead-letters",
            "topics.partitions", "3",
            "topics.retention.ms", "3600000",
            "topics.dead.letters.retention.ms", "86400000"),
        Map.of());
  }

  @Test
  void shouldCreateEveryMissingTopicWithItsConfigurationAndThenFindThemAll() throws Exception {
    // Given
    String prefix = KafkaBroker.uniqueName("ta");
    AuditorConfig config = configWithUniqueTopics(prefix);

    try (Admin admin = KAFKA.admin()) {
      // When
      TopicsAdmin.Result first = new TopicsAdmin(admin, config.topicSettings()).ensureTopics();
      TopicsAdmin.Result second = new TopicsAdmin(admin, config.topicSettings()).ensureTopics();

      // Then
      assertThat(first.created()).containsExactlyElementsOf(config.topics().all());
      assertThat(first.warnings()).isEmpty();
      assertThat(second.created()).isEmpty();
      assertThat(second.existing()).containsExactlyElementsOf(config.topics().all());
      assertThat(second.warnings()).isEmpty();

      Map<String, Integer> partitions =
          admin.describeTopics(config.topics().all()).allTopicNames().get(30, TimeUnit.SECONDS)
              .entrySet().stream()
              .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().partitions().size()));
      assertThat(partitions.values()).containsOnly(3);
      assertThat(topicConfig(admin, prefix + "-events", "cleanup.policy")).isEqualTo("delete");
      assertThat(topicConfig(admin, prefix + "-events", "retention.ms")).isEqualTo("3600000");
      assertThat(topicConfig(admin, prefix + "-credentials", "cleanup.policy")).isEqualTo("compact");
      assertThat(topicConfig(admin, prefix + "-dead-letters", "cleanup.policy")).isEqualTo("delete");
      assertThat(topicConfig(admin, prefix + "-dead-letters", "retention.ms")).isEqualTo("86400000");
    }
  }

  @Test
  void shouldWarnWhenAnExistingTopicDisagreesWithTheConfiguration() throws Exception {
    // Given: an events topic with the wrong partition count and a credentials topic not compacted,
    // both with the broker's default max.message.bytes
    String prefix = KafkaBroker.uniqueName("ta");
    AuditorConfig config = configWithUniqueTopics(prefix);
    KAFKA.createTopic(prefix + "-events", 1, Map.of());
    KAFKA.createTopic(prefix + "-credentials", 3, Map.of("cleanup.policy", "delete"));

    try (Admin admin = KAFKA.admin()) {
      // When
      TopicsAdmin.Result result = new TopicsAdmin(admin, config.topicSettings()).ensureTopics();

      // Then
      assertThat(result.existing()).containsExactly(prefix + "-events", prefix + "-credentials");
      assertThat(result.created())
          .containsExactly(prefix + "-decisions", prefix + "-violations", prefix + "-dead-letters");
      assertThat(result.warnings())
          .containsExactlyInAnyOrder(
              "events topic " + prefix + "-events has 1 partitions, the auditor expects 3"
                  + " (topics.partitions): fix one of them, sessions are spread over stream tasks"
                  + " by partition",
              "topic " + prefix + "-credentials has cleanup.policy=delete, expected compact",
              // the broker's default is short of a 1 MiB record; the events topic is not reported
              "topic " + prefix + "-credentials has max.message.bytes=1048588, the auditor's"
                  + " records take up to " + OutputLimits.TOPIC_MAX_MESSAGE_BYTES);
    }
  }

  private static String topicConfig(Admin admin, String topic, String key) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    return config.get(key).value();
  }
}
