package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.streams.InfrastructureException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class OperationsServerTest {

  private final AtomicReference<KafkaStreams.State> state =
      new AtomicReference<>(KafkaStreams.State.CREATED);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private OperationsServer server;

  @BeforeEach
  void startServer() {
    server = OperationsServer.start("127.0.0.1", 0, state::get, registry);
  }

  @AfterEach
  void stopServer() {
    server.close();
    registry.close();
  }

  private HttpResponse<String> get(String path, String accept) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(5));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @EnumSource(value = KafkaStreams.State.class, names = {"CREATED", "RUNNING", "REBALANCING"})
  void shouldReportLiveWhileStreamsStartsRunsOrRebalances(KafkaStreams.State current) throws Exception {
    // Given
    state.set(current);

    // When
    HttpResponse<String> response = get("/health", null);

    // Then
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body()).isEqualTo("{\"status\":\"UP\",\"state\":\"" + current + "\"}");
  }

  @ParameterizedTest
  @EnumSource(value = KafkaStreams.State.class, names = {"PENDING_SHUTDOWN", "NOT_RUNNING", "PENDING_ERROR", "ERROR"})
  void shouldReportDownOnceStreamsStopsOrFails(KafkaStreams.State current) throws Exception {
    state.set(current);

    HttpResponse<String> response = get("/health", null);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("{\"status\":\"DOWN\",\"state\":\"" + current + "\"}");
  }

  @ParameterizedTest
  @EnumSource(KafkaStreams.State.class)
  void shouldReportReadyOnlyWhileStreamsRuns(KafkaStreams.State current) throws Exception {
    state.set(current);

    HttpResponse<String> response = get("/ready", null);

    boolean running = current == KafkaStreams.State.RUNNING;
    assertThat(response.statusCode()).isEqualTo(running ? 200 : 503);
    assertThat(response.body())
        .isEqualTo("{\"ready\":" + running + ",\"state\":\"" + current + "\"}");
  }

  @Test
  void shouldServeThePrometheusScrapeOfTheRegistry() throws Exception {
    // Given
    Counter.builder("auditor.decisions").tag("verdict", "BLOCK").register(registry).increment(3);

    // When
    HttpResponse<String> text = get("/metrics", null);
    HttpResponse<String> openMetrics = get("/metrics", "application/openmetrics-text; version=1.0.0");

    // Then
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(text.body()).contains("auditor_decisions_total{verdict=\"BLOCK\"} 3.0");
    assertThat(openMetrics.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/openmetrics-text");
    assertThat(openMetrics.body()).contains("auditor_decisions_total{verdict=\"BLOCK\"} 3.0").endsWith("# EOF\n");
  }

  @Test
  void shouldAnswerUnknownPathsWith404AndOtherMethodsWith405() throws Exception {
    assertThat(get("/healthz", null).statusCode()).isEqualTo(404);
    assertThat(get("/", null).statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void shouldBindToLoopbackOnAnEphemeralPortAndFailClearlyWhenThePortIsTaken() {
    assertThat(server.baseUri().getHost()).isEqualTo("127.0.0.1");
    assertThat(server.port()).isPositive();

    assertThatThrownBy(() -> OperationsServer.start("127.0.0.1", server.port(), state::get, registry))
        .isInstanceOf(InfrastructureException.class)
        .hasMessageContaining("127.0.0.1:" + server.port());
  }

  @Test
  void shouldStopServingOnClose() {
    URI health = server.baseUri().resolve("/health");
    server.close();

    assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);
  }
}
