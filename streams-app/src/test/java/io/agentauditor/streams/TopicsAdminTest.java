package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The topics {@link TopicsAdmin} creates, without a broker (its checks run in TopicsAdminIT). */
class TopicsAdminTest {

  private static final Admin UNUSED =
      (Admin)
          Proxy.newProxyInstance(
              Admin.class.getClassLoader(),
              new Class<?>[] {Admin.class},
              (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
              });

  @Test
  void shouldCreateEveryTopicWithTheMessageSizeOfTheRecordsItHolds() {
    // Given
    TopicsAdmin admin =
        new TopicsAdmin(
            UNUSED, new TopicSettings(AuditTestData.topicNames("sizes"), 3, (short) 1, -1, -1));

    // When
    Map<String, NewTopic> topics = admin.desiredTopics();

    // Then a 1 MiB record fits every topic, and a dead letter of a maximal input its own
    TopicNames names = AuditTestData.topicNames("sizes");
    for (String topic :
        new String[] {names.events(), names.decisions(), names.violations(), names.credentials()}) {
      assertThat(topics.get(topic).configs())
          .as(topic)
          .containsEntry(
              TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
              Integer.toString(OutputLimits.TOPIC_MAX_MESSAGE_BYTES));
    }
    assertThat(topics.get(names.deadLetters()).configs())
        .containsEntry(
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            Integer.toString(OutputLimits.DEAD_LETTER_TOPIC_MAX_MESSAGE_BYTES));
    assertThat(OutputLimits.TOPIC_MAX_MESSAGE_BYTES).isGreaterThan(OutputLimits.MAX_RECORD_BYTES);
  }
}
