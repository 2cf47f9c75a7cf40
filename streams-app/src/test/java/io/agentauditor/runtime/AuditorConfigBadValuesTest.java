package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * README "Configuration" and STYLE rule 8: every bad value is rejected when the configuration is
 * loaded, by an error naming the key and the value, not later by a client after topics were
 * created.
 */
class AuditorConfigBadValuesTest {

  private static Map<String, String> minimal() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("bootstrap.servers", "127.0.0.1:9092");
    values.put("schema.registry.url", "mock://bad-values");
    return values;
  }

  @Test
  void shouldRejectASchemaRegistryUrlThatIsNotAUrl() {
    // Given
    Map<String, String> values = minimal();
    values.put("schema.registry.url", "not a url");
    // When / Then
    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("schema.registry.url=not a url");
  }

  @Test
  void shouldAcceptRegistryUrlsOfEveryUsualShape() {
    for (String url :
        new String[] {
          "http://schema-registry:8081",
          "https://registry.example.com",
          "http://my_registry:8081,http://10.0.0.2:8081",
          "http://[::1]:8081",
          "mock://tests"
        }) {
      Map<String, String> values = minimal();
      values.put("schema.registry.url", url);
      assertThatCode(() -> AuditorConfig.fromMap(values, Map.of())).as(url).doesNotThrowAnyException();
    }
  }

  @Test
  void shouldRejectAnAnswerModeOtherThanDecidedOrCommitted() {
    // Given
    Map<String, String> values = minimal();
    values.put("gateway.answer.when", "flushed");
    // When / Then
    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("gateway.answer.when")
        .hasMessageContaining("flushed");
    values.put("gateway.answer.when", "committed");
    assertThat(AuditorConfig.fromMap(values, Map.of()).gatewayAnswersWhenCommitted()).isTrue();
    values.remove("gateway.answer.when");
    assertThat(AuditorConfig.fromMap(values, Map.of()).gatewayAnswersWhenCommitted()).isFalse();
  }

  @Test
  void shouldRejectABootstrapServerWithoutAPort() {
    // Given
    Map<String, String> values = minimal();
    values.put("bootstrap.servers", "notahost");
    // When / Then
    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("bootstrap.servers=notahost");
  }

  @Test
  void shouldRejectAStreamsPassThroughValueThatKafkaStreamsRefuses() {
    // Given
    Map<String, String> values = minimal();
    values.put("streams.num.standby.replicas", "abc");
    // When / Then
    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("streams.num.standby.replicas=abc");
  }

  @Test
  void shouldNameTheValueOfAnUnknownKey() {
    // Given a typo of topics.partitions
    Map<String, String> values = minimal();
    values.put("topics.partiton", "3");
    // When / Then
    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("topics.partiton=3");
  }
}
