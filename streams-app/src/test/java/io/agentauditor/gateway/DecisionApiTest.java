package io.agentauditor.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Step;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The decision API's HTTP contract (section 11) over a stand-in for the topology: an event log
 * that decides each appended event with a real engine on another thread, as the audit processor
 * would, or never decides.
 */
class DecisionApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String START =
      "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":"
          + "\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":"
          + "\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";
  private static final String CALL =
      "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":"
          + "\"2026-11-26T10:00:01Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":"
          + "\"repo.write_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";

  private final HttpClient http = HttpClient.newHttpClient();
  private final ExecutorService topology = Executors.newSingleThreadExecutor();
  private final PendingDecisions pending = new PendingDecisions();
  private final List<Step> appended = Collections.synchronizedList(new ArrayList<>());
  private final AuditEngine engine =
      new AuditEngine(PolicyBundleLoader.load(TestBundles.defaultBundle()));
  private final InMemoryStateStore store = new InMemoryStateStore();
  private DecisionApi api;

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    topology.shutdownNow();
  }

  /** Decides each appended step on the "stream thread", as the audit processor does. */
  private final EventLog deciding =
      (step, notAppended) -> {
        appended.add(step);
        topology.execute(() -> pending.decided(engine.process(step, store).decision()));
      };

  /** Appends and never decides: a partition that is not being processed. */
  private final EventLog silent = (step, notAppended) -> appended.add(step);

  private void start(EventLog log, Duration timeout, int maxInFlight, String token)
      throws Exception {
    GatewaySettings settings =
        new GatewaySettings(
            InetAddress.getLoopbackAddress(),
            0,
            timeout,
            maxInFlight,
            token == null ? null : token.getBytes(StandardCharsets.UTF_8));
    api = DecisionApi.start(settings, log, pending, Router.LOCAL);
  }

  private HttpResponse<String> post(String body, String token) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(api.baseUri().resolve(DecisionApi.PATH))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerWithTheDecisionTheProcessorMadeForTheEvent() throws Exception {
    // Given
    start(deciding, Duration.ofSeconds(10), 8, null);
    // When
    HttpResponse<String> started = post(START, null);
    HttpResponse<String> call = post(CALL, null);
    // Then: the decisions the engine made, in the JSON form of 9.1
    assertThat(started.statusCode()).isEqualTo(200);
    Decision d = DecisionJsonCodec.decode(call.body());
    assertThat(call.statusCode()).isEqualTo(200);
    assertThat(d.eventId()).isEqualTo("e2");
    assertThat(d.findings()).extracting(f -> f.ruleId()).containsExactly("scope-widening");
    assertThat(call.body()).isEqualTo(DecisionJsonCodec.encode(d));
    assertThat(appended).extracting(Step::eventId).containsExactly("e1", "e2");
  }

  @Test
  void shouldAnswerARetryWithTheStoredDecision() throws Exception {
    // Given
    start(deciding, Duration.ofSeconds(10), 8, null);
    String first = post(START, null).body();
    // When
    HttpResponse<String> retry = post(START, null);
    // Then
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo(first);
  }

  @Test
  void shouldAnswer400NamingTheFieldOfAnInvalidEventAndAppendNothing() throws Exception {
    // Given
    start(deciding, Duration.ofSeconds(10), 8, null);
    // When
    HttpResponse<String> r = post(START.replace("\"eventId\":\"e1\"", "\"eventId\":\"\""), null);
    // Then
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("field").asText()).isEqualTo("eventId");
    assertThat(body.get("error").asText()).isEqualTo("must not be empty");
    assertThat(appended).isEmpty();
  }

  @Test
  void shouldAnswer400ToAnEventStampedPastTheClockSkewBoundAndAppendNothing() throws Exception {
    // Given
    start(deciding, Duration.ofSeconds(10), 8, null);
    // When: one far-future stamp would move stream time and close every open session
    HttpResponse<String> r =
        post(START.replace("2026-11-26T10:00:00Z", "9999-12-31T23:59:59Z"), null);
    // Then
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("field").asText()).isEqualTo("occurredAt");
    assertThat(body.get("error").asText()).startsWith("future-dated: ");
    assertThat(appended).isEmpty();
  }

  @Test
  void shouldAnswer413ToABodyOverOneMebibyteAndAppendNothing() throws Exception {
    // Given
    start(deciding, Duration.ofSeconds(10), 8, null);
    String big = START.replace("user:alice", "u".repeat(GatewaySettings.MAX_BODY_BYTES));
    // When
    HttpResponse<String> r = post(big, null);
    // Then
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(appended).isEmpty();
  }

  @Test
  void shouldAnswer401WithoutTheConfiguredTokenAnd200WithIt() throws Exception {
    // Given
    start(deciding, Duration.ofSeconds(10), 8, "s3cret-token");
    // When
    HttpResponse<String> none = post(START, null);
    HttpResponse<String> wrong = post(START, "s3cret-tokeN");
    HttpResponse<String> right = post(START, "s3cret-token");
    // Then
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(appended).hasSize(1);
  }

  @Test
  void shouldAnswer504WhenNoDecisionComesBeforeTheDeadline() throws Exception {
    // Given: the event is appended but its partition is not being processed
    start(silent, Duration.ofMillis(100), 8, null);
    // When
    HttpResponse<String> r = post(START, null);
    // Then: fail closed; the request no longer waits
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(appended).hasSize(1);
    assertThat(pending.size()).isZero();
  }

  @Test
  void shouldAnswer503BeforeTheDeadlineWhenTheLogDoesNotTakeTheEvent() throws Exception {
    // Given a log that refuses each append on its own thread, as the producer's callback does
    EventLog refusing =
        (step, notAppended) ->
            topology.execute(() -> notAppended.accept(new IllegalStateException("cluster unreachable")));
    start(refusing, Duration.ofSeconds(60), 8, null);
    // When
    HttpResponse<String> r = post(START, null);
    // Then: not a 504, whose event stays in the log, but a 503 naming why it is not there
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(r.body()).get("error").asText())
        .isEqualTo("event not appended: cluster unreachable");
    assertThat(pending.size()).isZero();
  }

  @Test
  void shouldAnswer429AtOnceWhenMoreRequestsThanTheBoundAreInFlight() throws Exception {
    // Given one request holding the only slot until its deadline
    start(silent, Duration.ofSeconds(30), 1, null);
    CompletableFuture<HttpResponse<String>> holding =
        http.sendAsync(
            HttpRequest.newBuilder(api.baseUri().resolve(DecisionApi.PATH))
                .POST(HttpRequest.BodyPublishers.ofString(START))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> api.inFlight() == 1);
    // When
    HttpResponse<String> r = post(CALL, null);
    // Then: refused at once, not queued behind the first
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(holding).isNotDone();
    assertThat(appended).extracting(Step::eventId).containsExactly("e1");
  }

  @Test
  void shouldAnswer404And405OutsideThePostOfItsPath() throws Exception {
    // Given
    start(deciding, Duration.ofSeconds(10), 8, null);
    // When
    HttpResponse<String> path =
        http.send(
            HttpRequest.newBuilder(api.baseUri().resolve("/v1/other"))
                .POST(HttpRequest.BodyPublishers.ofString(START))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> method =
        http.send(
            HttpRequest.newBuilder(api.baseUri().resolve(DecisionApi.PATH)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    // Then
    assertThat(path.statusCode()).isEqualTo(404);
    assertThat(method.statusCode()).isEqualTo(405);
    assertThat(appended).isEmpty();
  }

  @Test
  void shouldRefuseToServeWithoutATokenOnAnAddressThatIsNotLoopback() throws Exception {
    InetAddress any = InetAddress.getByName("0.0.0.0");
    assertThatThrownBy(() -> new GatewaySettings(any, 0, Duration.ofMillis(250), 8, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token");
  }

  @Test
  void shouldForwardASessionOwnedByAnotherInstanceToIt() throws Exception {
    // Given an owner instance deciding, and this one routing every session to it
    start(deciding, Duration.ofSeconds(10), 8, null);
    DecisionApi owner = api;
    PendingDecisions mine = new PendingDecisions();
    List<Step> mineAppended = Collections.synchronizedList(new ArrayList<>());
    try (DecisionApi front =
        DecisionApi.start(
            new GatewaySettings(InetAddress.getLoopbackAddress(), 0, Duration.ofSeconds(10), 8, null),
            (step, notAppended) -> mineAppended.add(step),
            mine,
            sessionId -> java.util.Optional.of(owner.baseUri()))) {
      // When
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(front.baseUri().resolve(DecisionApi.PATH))
                  .POST(HttpRequest.BodyPublishers.ofString(START))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // Then: the owner appended and decided it; this instance appended nothing
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(DecisionJsonCodec.decode(r.body()).eventId()).isEqualTo("e1");
      assertThat(appended).hasSize(1);
      assertThat(mineAppended).isEmpty();
    }
  }

}
