package io.agentauditor.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code mock://} registry behaves like Confluent's for the client's calls. */
class InMemorySchemaRegistryTest {

  private final String scope = "registry-test-" + UUID.randomUUID();

  private static final Schema V1 = SchemaBuilder.record("Thing").namespace("t").fields()
      .requiredString("id").endRecord();
  private static final Schema V2 = SchemaBuilder.record("Thing").namespace("t").fields()
      .requiredString("id").optionalString("note").endRecord();
  private static final Schema BREAKING = SchemaBuilder.record("Thing").namespace("t").fields()
      .requiredString("id").requiredInt("count").endRecord();

  @AfterEach
  void drop() {
    InMemorySchemaRegistry.drop(scope);
  }

  @Test
  void shouldAssignIdsInOrderShareThemAcrossSubjectsAndVersionSubjects() {
    // Given
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.named(scope);

    // When
    int first = registry.register("a-value", V1);
    int again = registry.register("a-value", V1);
    int second = registry.register("a-value", V2);
    int sameSchemaOtherSubject = registry.register("b-value", V1);

    // Then
    assertThat(first).isEqualTo(1).isEqualTo(again).isEqualTo(sameSchemaOtherSubject);
    assertThat(second).isEqualTo(2);
    assertThat(registry.getLatest("a-value")).isEqualTo(new RegisteredSchema("a-value", 2, 2, V2));
    assertThat(registry.getLatest("b-value").version()).isEqualTo(1);
    assertThat(registry.getId("a-value", V1)).isEqualTo(1);
    assertThat(registry.getById(2)).isEqualTo(V2);
  }

  @Test
  void shouldKeepTheIdOfTheCanonicalFormWhenASchemaIsRegisteredAgainOrDiffersOnlyInItsDoc() {
    // Given: Avro's equals ignores docs, the canonical form (hence the id) does not
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.named(scope);
    Schema documented = SchemaBuilder.record("Thing").namespace("t").doc("a thing").fields()
        .requiredString("id").endRecord();
    assertThat(documented).isEqualTo(V1);

    // When
    int first = registry.register("a-value", V1);
    int repeated = registry.register("a-value", V1);
    int looked = registry.getId("a-value", V1);
    int other = registry.register("a-value", documented);

    // Then
    assertThat(repeated).isEqualTo(first).isEqualTo(looked);
    assertThat(other).isNotEqualTo(first);
    assertThat(registry.getLatest("a-value").version()).isEqualTo(2);
    assertThat(registry.getId("a-value", documented)).isEqualTo(other);
  }

  @Test
  void shouldBeSharedByEveryClientConfiguredWithTheSameName() {
    // Given
    SchemaRegistryClient producerSide = SchemaRegistryClient.create(Map.of("schema.registry.url", "mock://" + scope));
    SchemaRegistryClient consumerSide = SchemaRegistryClient.create(Map.of("schema.registry.url", "mock://" + scope));
    SchemaRegistryClient elsewhere = SchemaRegistryClient.create(Map.of("schema.registry.url", "mock://" + scope + "-other"));

    // When
    int id = producerSide.register("a-value", V1);

    // Then
    assertThat(consumerSide.getById(id)).isEqualTo(V1);
    assertThatThrownBy(() -> elsewhere.getById(id)).isInstanceOf(SchemaRegistryException.class);
    InMemorySchemaRegistry.drop(scope + "-other");
  }

  @Test
  void shouldRejectAVersionThatCannotReadTheLatestWith409() {
    // Given
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.named(scope);
    registry.register("a-value", V1);

    // When / Then
    assertThatThrownBy(() -> registry.register("a-value", BREAKING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE);
        });
    assertThat(registry.getLatest("a-value").version()).isEqualTo(1);
  }

  @Test
  void shouldAnswerNotFoundWithConfluentsErrorCodes() {
    // Given
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.named(scope);
    registry.register("a-value", V1);

    // When / Then
    assertThatThrownBy(() -> registry.getId("missing-value", V1))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(List.of(e.status(), e.errorCode())).containsExactly(404, 40401));
    assertThatThrownBy(() -> registry.getId("a-value", V2))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(List.of(e.status(), e.errorCode())).containsExactly(404, 40403));
    assertThatThrownBy(() -> registry.getById(77))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(List.of(e.status(), e.errorCode())).containsExactly(404, 40403));
    assertThatThrownBy(() -> registry.getLatest("missing-value"))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
  }

  @Test
  void shouldRefuseMockCombinedWithRealUrls() {
    assertThatThrownBy(() -> SchemaRegistryClient.create(Map.of("schema.registry.url", "mock://x,http://127.0.0.1:1")))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("mock://");
  }
}
