package io.agentauditor.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-memory registry over real HTTP, spoken to by {@link RestSchemaRegistryClient}: the same
 * ids in both directions, and errors with Confluent's statuses and codes.
 */
class SchemaRegistryHttpServerTest {

  private static final Schema V1 =
      SchemaBuilder.record("Thing").namespace("t").fields().requiredString("id").endRecord();
  private static final Schema BREAKING =
      SchemaBuilder.record("Thing").namespace("t").fields().requiredString("id").requiredInt("count").endRecord();

  private final String scope = "http-registry-" + UUID.randomUUID();
  private final SchemaRegistryHttpServer server =
      SchemaRegistryHttpServer.start(InMemorySchemaRegistry.named(scope), 0);

  @AfterEach
  void stop() {
    server.close();
    InMemorySchemaRegistry.drop(scope);
  }

  @Test
  void shouldServeTheInMemoryRegistrysIdsToARestClient() {
    // Given
    SchemaRegistryClient client =
        SchemaRegistryClient.create(Map.of("schema.registry.url", server.uri().toString()));

    // When
    int id = client.register("a topic-value", V1);

    // Then
    assertThat(InMemorySchemaRegistry.named(scope).getId("a topic-value", V1)).isEqualTo(id);
    assertThat(client.getId("a topic-value", V1)).isEqualTo(id);
    assertThat(SchemaRegistryClient.create(Map.of("schema.registry.url", server.uri().toString())).getById(id))
        .isEqualTo(V1);
    RegisteredSchema latest = client.getLatest("a topic-value");
    assertThat(latest.version()).isEqualTo(1);
    assertThat(latest.id()).isEqualTo(id);
    assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void shouldAnswerUnknownIdsSubjectsAndIncompatibleSchemasAsConfluentDoes() {
    // Given
    SchemaRegistryClient client =
        SchemaRegistryClient.create(Map.of("schema.registry.url", server.uri().toString()));
    client.register("s-value", V1);

    // When
    SchemaRegistryException unknownId = catchThrowableOfType(SchemaRegistryException.class, () -> client.getById(999));
    SchemaRegistryException unknownSubject =
        catchThrowableOfType(SchemaRegistryException.class, () -> client.getLatest("nothing-value"));
    SchemaRegistryException incompatible =
        catchThrowableOfType(SchemaRegistryException.class, () -> client.register("s-value", BREAKING));

    // Then
    assertThat(unknownId.status()).isEqualTo(404);
    assertThat(unknownId.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
    assertThat(unknownSubject.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
    assertThat(incompatible.isIncompatible()).isTrue();
  }

  @Test
  void shouldRefuseABodyThatIsNotASchemaAndAnUnknownPath() throws Exception {
    // Given
    HttpClient http = HttpClient.newHttpClient();

    // When
    HttpResponse<String> invalid =
        http.send(
            HttpRequest.newBuilder(URI.create(server.uri() + "/subjects/x-value/versions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{not avro\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> unknown =
        http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/config")).build(), HttpResponse.BodyHandlers.ofString());

    // Then
    assertThat(invalid.statusCode()).isEqualTo(422);
    assertThat(invalid.body()).contains("\"error_code\":42201");
    assertThat(unknown.statusCode()).isEqualTo(404);
  }
}
