package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.gateway.DecisionApi;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.testing.KafkaBroker;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision API on a real broker (contract section 11): each answer is the decision the
 * topology wrote to the decisions topic for that event, byte for byte in JSON form; a retry gets
 * the stored decision; an invalid event is refused and appended nowhere.
 */
class DecisionApiIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final String START =
      "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";
  private static final String READ =
      "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:01Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";
  private static final String WRITE =
      "{\"eventId\":\"e3\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:02Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/api\",\"content\":\"x\"}}}";
  private static final String OTHER_SESSION =
      "{\"eventId\":\"x1\",\"sessionId\":\"s2\",\"agentId\":\"agent:other\",\"occurredAt\":\"2026-11-26T10:00:03Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldAnswerEachEventWithTheDecisionTheTopologyWroteForIt(@TempDir Path stateDir)
      throws Exception {
    // Given an auditor with the decision API on
    String prefix = KafkaBroker.uniqueName("api");
    AuditorConfig config = config(prefix, stateDir);
    Policy policy = PolicyBundleLoader.load(TestBundles.defaultBundle());
    AuditorApp app = AuditorApp.start(config, policy, AuditorTopology::build);
    try {
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
      URI api = app.decisionApiUri().orElseThrow().resolve(DecisionApi.PATH);

      // When a session's steps, a step of a session never started, a retry and an invalid event
      // are posted
      List<String> answers = new ArrayList<>();
      for (String event : List.of(START, READ, WRITE, OTHER_SESSION)) {
        HttpResponse<String> r = post(api, event);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        answers.add(r.body());
      }
      HttpResponse<String> retry = post(api, WRITE);
      HttpResponse<String> invalid = post(api, READ.replace("\"agentId\":\"agent:planner\"", "\"agentId\":7"));

      // Then every answer is the decision on the decisions topic, in JSON form
      List<String> written = decisionsAsJson(config, 5);
      assertThat(answers).containsExactlyElementsOf(written.subList(0, 4));
      assertThat(retry.statusCode()).isEqualTo(200);
      assertThat(retry.body()).isEqualTo(answers.get(2)).isEqualTo(written.get(4));
      assertThat(DecisionJsonCodec.decode(answers.get(2)).findings())
          .extracting(f -> f.ruleId())
          .containsExactly("scope-widening");
      assertThat(DecisionJsonCodec.decode(answers.get(3)).findings())
          .extracting(f -> f.ruleId())
          .containsExactly("unknown-session");
      // ... and the invalid event is refused and appended nowhere
      assertThat(invalid.statusCode()).isEqualTo(400);
      assertThat(invalid.body()).contains("\"field\":\"agentId\"");
      assertThat(endOffsets(config.topics().events())).isEqualTo(5);

      // When Envoy asks ext_authz about an MCP tools/call of the same session, over real gRPC
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", app.extAuthzPort().orElseThrow())
              .usePlaintext()
              .build();
      try {
        CheckResponse r =
            AuthorizationGrpc.newBlockingStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .check(mcpToolsCall());
        // Then it is allowed, and its decision is the topology's, filed under mcp: + the id
        assertThat(r.getStatus().getCode()).isEqualTo(com.google.rpc.Code.OK_VALUE);
        List<String> all = decisionsAsJson(config, 6);
        assertThat(DecisionJsonCodec.decode(all.get(5)).eventId()).isEqualTo("mcp:9");
        assertThat(r.getOkResponse().getHeadersList())
            .anySatisfy(h -> assertThat(h.getHeader().getValue()).isEqualTo("mcp:9"));
        // ... and /metrics counts the requests of both APIs by outcome
        String metrics =
            http.send(
                    HttpRequest.newBuilder(app.operationsUri().resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(metrics)
            .contains("auditor_gateway_request_seconds_count{api=\"grpc\",status=\"OK\"} 1")
            .contains("auditor_gateway_request_seconds_count{api=\"http\",status=\"200\"} 5")
            .contains("auditor_gateway_request_seconds_count{api=\"http\",status=\"400\"} 1");
      } finally {
        channel.shutdownNow();
      }
    } finally {
      assertThat(app.close(Duration.ofSeconds(30))).isTrue();
    }
  }

  private static CheckRequest mcpToolsCall() {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":"
            + "\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setSource(AttributeContext.Peer.newBuilder().setPrincipal("agent:planner"))
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        // 2026-11-26T10:00:04Z, after the session's steps above
                        .setTime(Timestamp.newBuilder().setSeconds(1_795_687_204L))
                        .setHttp(
                            AttributeContext.HttpRequest.newBuilder()
                                .setMethod("POST")
                                .putHeaders("mcp-session-id", "s1")
                                .setBody(body))))
        .build();
  }

  private HttpResponse<String> post(URI api, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(api).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> decisionsAsJson(AuditorConfig config, int count) {
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer();
        AvroSerde<Decision> serde = AvroSerde.of(Decision.class, config.serdeConfig(), false)) {
      consumer.subscribe(List.of(config.topics().decisions()));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  Decision d = serde.deserialize(r.topic(), r.value());
                  out.add(DecisionJsonCodec.encode(DecisionMapper.fromAvro(d)));
                }
                return out.size() >= count;
              });
    }
    return out;
  }

  private static long endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static AuditorConfig config(String prefix, Path stateDir) {
    return ItConfigs.config(
        KAFKA,
        prefix,
        stateDir,
        1,
        ItConfigs.gateway("0"));
  }


  private static KafkaConsumer<byte[], byte[]> consumer() {
    return ItConfigs.committedReader(KAFKA);
  }

}
