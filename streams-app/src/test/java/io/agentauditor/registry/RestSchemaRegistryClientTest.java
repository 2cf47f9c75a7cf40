package io.agentauditor.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST client against WireMock stubs of the documented Schema Registry API. */
class RestSchemaRegistryClientTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema SCHEMA = AgentEvent.getClassSchema();

  private WireMockServer registry;

  @BeforeEach
  void startRegistry() {
    registry = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    registry.start();
  }

  @AfterEach
  void stopRegistry() {
    registry.stop();
  }

  private String url() {
    return "http://127.0.0.1:" + registry.port();
  }

  private Map<String, Object> config(String url) {
    Map<String, Object> config = new HashMap<>();
    config.put(SchemaRegistryClientConfig.URL, url);
    config.put(SchemaRegistryClientConfig.RETRIES_WAIT_MS, 1);
    config.put(SchemaRegistryClientConfig.RETRIES_MAX_WAIT_MS, 5);
    return config;
  }

  private SchemaRegistryClient client(Map<String, Object> config) {
    return SchemaRegistryClient.create(config);
  }

  private static String schemaBody(Schema schema) throws IOException {
    return JSON.writeValueAsString(Map.of("schema", schema.toString()));
  }

  private static String error(int code, String message) throws IOException {
    return JSON.writeValueAsString(Map.of("error_code", code, "message", message));
  }

  @Test
  void shouldRegisterTheSchemaWithoutSchemaTypeAndReturnTheRegistrysId() throws IOException {
    // Given
    registry.stubFor(post("/subjects/agent-events-value/versions").willReturn(okJson("{\"id\":7,\"version\":1}")));

    // When
    int id = client(config(url())).register("agent-events-value", SCHEMA);

    // Then
    assertThat(id).isEqualTo(7);
    registry.verify(1, postRequestedFor(urlEqualTo("/subjects/agent-events-value/versions"))
        .withHeader("Content-Type", equalTo("application/vnd.schemaregistry.v1+json"))
        .withHeader("Accept", equalTo(
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json"))
        .withHeader("Authorization", absent())
        .withRequestBody(equalToJson(schemaBody(SCHEMA))));
  }

  @Test
  void shouldFetchASchemaByIdAndIgnoreUnknownResponseFields() throws IOException {
    // Given
    registry.stubFor(get("/schemas/ids/3").willReturn(okJson(
        JSON.writeValueAsString(Map.of("schema", SCHEMA.toString(), "guid", "x", "maxId", 9)))));

    // When
    Schema fetched = client(config(url())).getById(3);

    // Then
    assertThat(fetched).isEqualTo(SCHEMA);
  }

  @Test
  void shouldLookUpTheIdOfARegisteredSchemaWithoutRegistering() throws IOException {
    // Given
    registry.stubFor(post("/subjects/agent-events-value").willReturn(okJson(JSON.writeValueAsString(
        Map.of("subject", "agent-events-value", "id", 12, "version", 2, "schema", SCHEMA.toString())))));

    // When
    int id = client(config(url())).getId("agent-events-value", SCHEMA);

    // Then
    assertThat(id).isEqualTo(12);
    registry.verify(0, postRequestedFor(urlEqualTo("/subjects/agent-events-value/versions")));
  }

  @Test
  void shouldCacheIdsAndSchemasInBothDirections() throws IOException {
    // Given
    registry.stubFor(post("/subjects/s-value/versions").willReturn(okJson("{\"id\":5}")));
    registry.stubFor(post("/subjects/s-value").willReturn(okJson("{\"id\":5}")));
    registry.stubFor(get("/schemas/ids/6").willReturn(okJson(schemaBody(Decision.getClassSchema()))));
    SchemaRegistryClient client = client(config(url()));

    // When
    int first = client.register("s-value", SCHEMA);
    int again = client.register("s-value", SCHEMA);
    int looked = client.getId("s-value", SCHEMA);
    Schema byIdOfRegistered = client.getById(5);
    Schema fetched = client.getById(6);
    Schema fetchedAgain = client.getById(6);

    // Then: one request per distinct question, none for what an earlier answer told
    assertThat(first).isEqualTo(again).isEqualTo(looked).isEqualTo(5);
    assertThat(byIdOfRegistered).isEqualTo(SCHEMA);
    assertThat(fetched).isEqualTo(fetchedAgain).isEqualTo(Decision.getClassSchema());
    registry.verify(1, postRequestedFor(urlEqualTo("/subjects/s-value/versions")));
    registry.verify(0, postRequestedFor(urlEqualTo("/subjects/s-value")));
    registry.verify(0, getRequestedFor(urlEqualTo("/schemas/ids/5")));
    registry.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/6")));
  }

  @Test
  void shouldThrowSubjectNotFoundWithoutRetrying() throws IOException {
    // Given
    registry.stubFor(post("/subjects/missing-value").willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", "application/vnd.schemaregistry.v1+json")
        .withBody(error(40401, "Subject 'missing-value' not found."))));

    // When
    SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
        () -> client(config(url())).getId("missing-value", SCHEMA));

    // Then
    assertThat(e.status()).isEqualTo(404);
    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
    assertThat(e.isNotFound()).isTrue();
    assertThat(e.isRetriable()).isFalse();
    assertThat(e.getMessage()).contains("Subject 'missing-value' not found.").contains("40401");
    registry.verify(1, postRequestedFor(urlEqualTo("/subjects/missing-value")));
  }

  @Test
  void shouldThrowSchemaNotFoundForAnUnknownId() throws IOException {
    // Given
    registry.stubFor(get("/schemas/ids/404").willReturn(aResponse().withStatus(404)
        .withBody(error(40403, "Schema 404 not found"))));

    // When / Then
    assertThatThrownBy(() -> client(config(url())).getById(404))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
          assertThat(e.isNotFound()).isTrue();
        });
  }

  @Test
  void shouldReportAnIncompatibleSchema() throws IOException {
    // Given
    registry.stubFor(post("/subjects/s-value/versions").willReturn(aResponse().withStatus(409)
        .withBody(error(409, "Schema being registered is incompatible with an earlier schema"))));

    // When
    SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
        () -> client(config(url())).register("s-value", SCHEMA));

    // Then
    assertThat(e.isIncompatible()).isTrue();
    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE);
    assertThat(e.getMessage()).contains("incompatible with an earlier schema");
    registry.verify(1, anyRequestedFor(anyUrl()));
  }

  @Test
  void shouldRetryA5xxAndSucceed() {
    // Given: the registry fails once (its leader is moving), then answers
    registry.stubFor(post("/subjects/s-value/versions").inScenario("flaky")
        .whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503).withBody("{\"error_code\":50003,\"message\":\"forwarding\"}"))
        .willSetStateTo("recovered"));
    registry.stubFor(post("/subjects/s-value/versions").inScenario("flaky")
        .whenScenarioStateIs("recovered")
        .willReturn(okJson("{\"id\":9}")));

    // When
    int id = client(config(url())).register("s-value", SCHEMA);

    // Then
    assertThat(id).isEqualTo(9);
    registry.verify(2, postRequestedFor(urlEqualTo("/subjects/s-value/versions")));
  }

  @Test
  void shouldGiveUpAfterTheConfiguredRetries() {
    // Given
    registry.stubFor(get("/schemas/ids/1").willReturn(aResponse().withStatus(500).withBody("<html>boom</html>")));
    Map<String, Object> config = config(url());
    config.put(SchemaRegistryClientConfig.MAX_RETRIES, 2);

    // When
    SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client(config).getById(1));

    // Then: the first try and two retries; a body that is not JSON still makes a readable message
    assertThat(e.status()).isEqualTo(500);
    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.NO_ERROR_CODE);
    assertThat(e.isRetriable()).isTrue();
    assertThat(e.getMessage()).contains("HTTP 500").contains("<html>boom</html>");
    registry.verify(3, getRequestedFor(urlEqualTo("/schemas/ids/1")));
  }

  @Test
  void shouldTimeOutQuicklyOnASlowRegistry() {
    // Given: the registry answers after 5 s; the client waits 300 ms per request and retries once
    registry.stubFor(get("/schemas/ids/1").willReturn(okJson("{\"schema\":\"\\\"string\\\"\"}").withFixedDelay(5_000)));
    Map<String, Object> config = config(url());
    config.put(SchemaRegistryClientConfig.READ_TIMEOUT_MS, 300);
    config.put(SchemaRegistryClientConfig.MAX_RETRIES, 1);
    SchemaRegistryClient client = client(config);

    // When
    long start = System.nanoTime();
    SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client.getById(1));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // Then
    assertThat(e.status()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
    assertThat(e.isRetriable()).isTrue();
    assertThat(e.getMessage()).contains("no response within 300 ms");
    assertThat(took).isLessThan(Duration.ofMillis(3_000));
    registry.verify(2, getRequestedFor(urlEqualTo("/schemas/ids/1")));
  }

  @Test
  void shouldSendBasicAuthFromUserInfo() {
    // Given
    registry.stubFor(get("/schemas/ids/1").willReturn(okJson("{\"schema\":\"\\\"string\\\"\"}")));
    Map<String, Object> config = config(url());
    config.put(SchemaRegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO");
    config.put(SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO, "auditor:s3cr:et");

    // When
    client(config).getById(1);

    // Then
    registry.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/1"))
        .withHeader("Authorization", equalTo("Basic " + base64("auditor:s3cr:et"))));
  }

  @Test
  void shouldSendBasicAuthFromTheUrlAndNotSendTheUserInfoInTheUrl() {
    // Given
    registry.stubFor(get("/schemas/ids/1").willReturn(okJson("{\"schema\":\"\\\"string\\\"\"}")));
    Map<String, Object> config = config("http://alice:pw@127.0.0.1:" + registry.port());

    // When
    Schema schema = client(config).getById(1);

    // Then
    assertThat(schema.getType()).isEqualTo(Schema.Type.STRING);
    registry.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/1"))
        .withHeader("Authorization", equalTo("Basic " + base64("alice:pw"))));
  }

  @Test
  void shouldFailOverToTheNextUrlWhenOneRefusesConnections() throws IOException {
    // Given: the first URL refuses connections
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort();
    }
    registry.stubFor(get("/schemas/ids/1").willReturn(okJson("{\"schema\":\"\\\"string\\\"\"}")));
    Map<String, Object> config = config("http://127.0.0.1:" + deadPort + "," + url());
    config.put(SchemaRegistryClientConfig.MAX_RETRIES, 0);

    // When: with no retries allowed, only failover within the one try can succeed
    Schema schema = client(config).getById(1);

    // Then
    assertThat(schema.getType()).isEqualTo(Schema.Type.STRING);
  }

  @Test
  void shouldFailOverOnA5xxAndKeepUsingTheUrlThatAnswered() {
    // Given: a first registry that fails every request, and a healthy second one
    WireMockServer broken = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    broken.start();
    try {
      broken.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(502)));
      registry.stubFor(get("/schemas/ids/1").willReturn(okJson("{\"schema\":\"\\\"string\\\"\"}")));
      registry.stubFor(get("/schemas/ids/2").willReturn(okJson("{\"schema\":\"\\\"long\\\"\"}")));
      Map<String, Object> config = config("http://127.0.0.1:" + broken.port() + "," + url());
      config.put(SchemaRegistryClientConfig.MAX_RETRIES, 0);
      SchemaRegistryClient client = client(config);

      // When
      Schema first = client.getById(1);
      Schema second = client.getById(2);

      // Then: the second request went straight to the URL that answered the first
      assertThat(first.getType()).isEqualTo(Schema.Type.STRING);
      assertThat(second.getType()).isEqualTo(Schema.Type.LONG);
      broken.verify(1, anyRequestedFor(anyUrl()));
      registry.verify(2, anyRequestedFor(anyUrl()));
    } finally {
      broken.stop();
    }
  }

  @Test
  void shouldKeepTheBasePathAndEncodeTheSubject() {
    // Given: Apicurio serves the API under a path prefix
    registry.stubFor(post("/apis/ccompat/v7/subjects/team%2Fa%20b-value/versions").willReturn(okJson("{\"id\":1}")));

    // When
    int id = client(config(url() + "/apis/ccompat/v7/")).register("team/a b-value", SCHEMA);

    // Then
    assertThat(id).isEqualTo(1);
  }

  @Test
  void shouldFetchTheLatestVersionOfASubject() throws IOException {
    // Given
    registry.stubFor(get("/subjects/s-value/versions/latest").willReturn(okJson(JSON.writeValueAsString(
        Map.of("subject", "s-value", "id", 4, "version", 3, "schema", SCHEMA.toString())))));

    // When
    RegisteredSchema latest = client(config(url())).getLatest("s-value");

    // Then
    assertThat(latest).isEqualTo(new RegisteredSchema("s-value", 3, 4, SCHEMA));
  }

  @Test
  void shouldRefuseASchemaThatIsNotAvro() {
    // Given
    registry.stubFor(get("/schemas/ids/8").willReturn(okJson(
        "{\"schema\":\"syntax = \\\"proto3\\\"; message M {}\",\"schemaType\":\"PROTOBUF\"}")));

    // When / Then
    assertThatThrownBy(() -> client(config(url())).getById(8))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("PROTOBUF schema, not AVRO");
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
