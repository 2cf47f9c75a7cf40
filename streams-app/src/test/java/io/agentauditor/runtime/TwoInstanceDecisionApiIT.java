package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.gateway.DecisionApi;
import io.agentauditor.model.Decision;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.testing.KafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two auditor instances in one group (contract section 11): a request for any session, sent to
 * either instance, gets the decision the topology wrote for it, whichever instance owns the
 * session's partition; after one instance stops, the other answers for every session, and no
 * decision is lost or doubled on the decisions topic.
 */
class TwoInstanceDecisionApiIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final int SESSIONS = 8;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldAnswerEverySessionFromEitherInstanceAndAfterOneStops(
      @TempDir Path first, @TempDir Path second) throws Exception {
    // Given two instances of one application, each advertising its decision API
    String prefix = KafkaBroker.uniqueName("pair");
    Policy policy = PolicyBundleLoader.load(TestBundles.defaultBundle());
    AuditorConfig configA = config(prefix, first, freePort());
    AuditorConfig configB = config(prefix, second, freePort());
    AuditorApp a = AuditorApp.start(configA, policy, AuditorTopology::build);
    AuditorApp b = AuditorApp.start(configB, policy, AuditorTopology::build);
    Map<String, String> answers = new LinkedHashMap<>();
    try {
      assertThat(a.awaitRunning(Duration.ofSeconds(90))).isTrue();
      assertThat(b.awaitRunning(Duration.ofSeconds(90))).isTrue();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> a.state().isRunningOrRebalancing() && b.state().isRunningOrRebalancing());
      URI apiA = a.decisionApiUri().orElseThrow().resolve(DecisionApi.PATH);
      URI apiB = b.decisionApiUri().orElseThrow().resolve(DecisionApi.PATH);

      // When every session starts through one instance and calls a tool through the other
      for (int i = 0; i < SESSIONS; i++) {
        answers.put("s" + i + "/start", answer(i % 2 == 0 ? apiA : apiB, start(i)));
        answers.put("s" + i + "/call", answer(i % 2 == 0 ? apiB : apiA, call(i, "c1", 1)));
      }
      // ... and then one instance stops and every session is asked through the other
      assertThat(b.close(Duration.ofSeconds(30))).isTrue();
      for (int i = 0; i < SESSIONS; i++) {
        answers.put("s" + i + "/after", answer(apiA, call(i, "c2", 2)));
      }
    } finally {
      a.close(Duration.ofSeconds(30));
      b.close(Duration.ofSeconds(30));
    }

    // Then each answer is the decision on the decisions topic, and each event has exactly one
    Map<String, String> written = decisions(configA, answers.size());
    assertThat(written).hasSize(answers.size());
    for (Map.Entry<String, String> e : answers.entrySet()) {
      Decision d = DecisionJsonCodec.decode(e.getValue());
      assertThat(written.get(d.sessionId() + "/" + d.eventId())).isEqualTo(e.getValue());
    }
  }

  private String answer(URI api, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(api).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private static String start(int i) {
    return "{\"eventId\":\"e0\",\"sessionId\":\"s" + i + "\",\"agentId\":\"agent:planner\","
        + "\"occurredAt\":\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":"
        + "{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";
  }

  private static String call(int i, String eventId, int second) {
    return "{\"eventId\":\"" + eventId + "\",\"sessionId\":\"s" + i + "\",\"agentId\":"
        + "\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:0" + second + "Z\",\"type\":"
        + "\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":"
        + "\"acme/api\"}}}";
  }

  /** The decisions on the topic as JSON lines, by session/event; a second one fails the test. */
  private static Map<String, String> decisions(AuditorConfig config, int count) {
    Map<String, String> out = new HashMap<>();
    List<String> duplicates = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer();
        AvroSerde<io.agentauditor.schema.Decision> serde =
            AvroSerde.of(io.agentauditor.schema.Decision.class, config.serdeConfig(), false)) {
      consumer.subscribe(List.of(config.topics().decisions()));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  Decision d = DecisionMapper.fromAvro(serde.deserialize(r.topic(), r.value()));
                  String key = d.sessionId() + "/" + d.eventId();
                  if (out.put(key, DecisionJsonCodec.encode(d)) != null) {
                    duplicates.add(key);
                  }
                }
                return out.size() >= count;
              });
      // Nothing more comes after the last expected decision.
      consumer.poll(Duration.ofSeconds(1)).forEach(r -> duplicates.add("extra at " + r.offset()));
    }
    assertThat(duplicates).isEmpty();
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static AuditorConfig config(String prefix, Path stateDir, int gatewayPort) {
    return ItConfigs.config(
        KAFKA,
        prefix,
        stateDir,
        4,
        Map.of(
            "gateway.enabled", "true",
            "gateway.port", Integer.toString(gatewayPort),
            "gateway.grpc.port", "-1",
            // A rebalance (one instance leaving) may hold a partition's first decision for a while.
            "gateway.timeout.ms", "60000"));
  }


  private static KafkaConsumer<byte[], byte[]> consumer() {
    return ItConfigs.committedReader(KAFKA);
  }

}
