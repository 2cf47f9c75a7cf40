package io.agentauditor.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import com.google.rpc.Code;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.model.Step;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Envoy's ext_authz Check for MCP (contract section 11), called through the gRPC stub generated
 * from Envoy's own protos, over a stand-in topology that decides each appended step with a real
 * engine on another thread.
 */
class ExtAuthzServiceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final String AGENT = "spiffe://acme.io/agent/coder";
  /** A session whose events the log refuses, as a cluster that can't take them would. */
  private static final String UNAPPENDABLE = "mcp-unappendable";

  private final ExecutorService topology = Executors.newSingleThreadExecutor();
  private final PendingDecisions pending = new PendingDecisions();
  private final List<Step> appended = Collections.synchronizedList(new ArrayList<>());
  private final AuditEngine engine =
      new AuditEngine(PolicyBundleLoader.load(TestBundles.defaultBundle()));
  private final InMemoryStateStore store = new InMemoryStateStore();
  private DecisionService decisions;
  private Server server;
  private ManagedChannel channel;
  private AuthorizationGrpc.AuthorizationBlockingStub authz;

  @BeforeEach
  void start() throws Exception {
    EventLog deciding =
        (step, notAppended) -> {
          if (step.sessionId().equals(UNAPPENDABLE)) {
            notAppended.accept(new IllegalStateException("the events topic refused it"));
            return;
          }
          appended.add(step);
          topology.execute(() -> pending.decided(engine.process(step, store).decision()));
        };
    decisions = new DecisionService(deciding, pending, Router.LOCAL, Duration.ofSeconds(5));
    GatewaySettings settings =
        new GatewaySettings(InetAddress.getLoopbackAddress(), 0, Duration.ofSeconds(10), 8, null);
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(new ExtAuthzService(decisions, settings, "x-agent-id", "x-credential-id"))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    authz = AuthorizationGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    topology.shutdownNow();
  }

  private void sessionStarted(String sessionId, String... granted) {
    Step start =
        new Step.SessionStarted(
            "start", sessionId, AGENT, T0.toEpochMilli(), "user:alice", List.of(granted), null);
    assertThat(decisions.decide(start, System.nanoTime() + 5_000_000_000L, null, false).status())
        .isEqualTo(200);
  }

  private static CheckRequest check(String body, Map<String, String> headers, String principal) {
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setSource(AttributeContext.Peer.newBuilder().setPrincipal(principal))
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        .setTime(Timestamp.newBuilder().setSeconds(T0.getEpochSecond() + 1))
                        .setHttp(
                            AttributeContext.HttpRequest.newBuilder()
                                .setMethod("POST")
                                .setPath("/mcp")
                                .putAllHeaders(headers)
                                .setBody(body))))
        .build();
  }

  private static Map<String, String> headers(String sessionId) {
    return Map.of(
        "mcp-session-id",
        sessionId,
        "x-forwarded-client-cert",
        "By=spiffe://acme.io/gateway;Hash=abc;Subject=\"CN=coder,O=acme\";URI=" + AGENT);
  }

  private static String toolsCall(String id, String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
        + tool + "\",\"arguments\":" + arguments + "}}";
  }

  private static Map<String, String> headerMap(List<HeaderValueOption> headers) {
    return headers.stream()
        .collect(Collectors.toMap(h -> h.getHeader().getKey(), h -> h.getHeader().getValue()));
  }

  @Test
  void shouldAllowAnAllowedToolCallWithItsVerdictAndEventIdForTheUpstream() {
    // Given
    sessionStarted("mcp-s1", "read:repo/acme/**");
    // When
    CheckResponse r =
        authz.check(
            check(toolsCall("7", "repo.read_file", "{\"repo\":\"acme/api\"}"), headers("mcp-s1"), ""));
    // Then
    assertThat(r.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(headerMap(r.getOkResponse().getHeadersList()))
        .containsEntry(ExtAuthzService.VERDICT_HEADER, "ALLOW")
        .containsEntry(ExtAuthzService.EVENT_HEADER, "mcp:7");
    Step step = appended.get(1);
    assertThat(step).isInstanceOf(Step.ToolCall.class);
    assertThat(step.agentId()).isEqualTo(AGENT);
    assertThat(step.occurredAtMillis()).isEqualTo(T0.toEpochMilli() + 1000);
  }

  @Test
  void shouldDenyABlockedToolCallWithA403AndAJsonRpcErrorNamingTheRules() throws Exception {
    // Given a session whose grants do not cover a write
    sessionStarted("mcp-s2", "read:repo/acme/**");
    // When
    CheckResponse r =
        authz.check(
            check(
                toolsCall("\"call-1\"", "repo.write_file", "{\"repo\":\"acme/api\",\"lines\":3}"),
                headers("mcp-s2"),
                ""));
    // Then
    assertThat(r.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    JsonNode body = JSON.readTree(r.getDeniedResponse().getBody());
    assertThat(body.get("id").asText()).isEqualTo("call-1");
    assertThat(body.at("/error/message").asText()).contains("scope-widening");
    assertThat(body.at("/error/data/ruleIds/0").asText()).isEqualTo("scope-widening");
    // ... and a non-string argument went in as its JSON text
    assertThat(((Step.ToolCall) appended.get(1)).arguments()).containsEntry("lines", "3");
  }

  @Test
  void shouldDenyAToolCallTheLogDidNotTakeWithA503() {
    // When a tool call's event is refused by the events topic
    CheckResponse r =
        authz.check(
            check(
                toolsCall("7", "repo.read_file", "{\"repo\":\"acme/api\"}"),
                headers(UNAPPENDABLE),
                ""));
    // Then it is denied with the HTTP API's status for it, not as a policy deny
    assertThat(r.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(503);
    assertThat(appended).isEmpty();
  }

  @Test
  void shouldAllowOtherMcpMethodsAndDecideNothing() {
    // When
    CheckResponse r =
        authz.check(
            check(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", headers("mcp-s3"), ""));
    CheckResponse stream = authz.check(check("", headers("mcp-s3"), ""));
    // Then
    assertThat(r.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(r.getOkResponse().getHeadersList()).isEmpty();
    assertThat(stream.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(appended).isEmpty();
  }

  @Test
  void shouldDenyAToolCallItCannotMap() {
    // When: no session header, no agent at all, a body that is not JSON
    CheckResponse noSession =
        authz.check(check(toolsCall("1", "repo.read_file", "{}"), Map.of(), "spiffe://a/b"));
    CheckResponse noAgent =
        authz.check(
            check(toolsCall("2", "repo.read_file", "{}"), Map.of("mcp-session-id", "s"), ""));
    CheckResponse garbage = authz.check(check("{\"method\":\"tools/call\"", headers("s"), ""));
    // Then every one fails closed, and nothing is appended
    for (CheckResponse r : List.of(noSession, noAgent, garbage)) {
      assertThat(r.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
      assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    }
    assertThat(appended).isEmpty();
  }

  @Test
  void shouldTakeTheAgentFromThePrincipalThenTheConfiguredHeader() {
    // Given
    sessionStarted("mcp-s4", "read:repo/**");
    // When
    authz.check(
        check(
            toolsCall("1", "repo.read_file", "{\"repo\":\"a\"}"),
            Map.of("mcp-session-id", "mcp-s4"),
            AGENT));
    authz.check(
        check(
            toolsCall("2", "repo.read_file", "{\"repo\":\"a\"}"),
            Map.of("mcp-session-id", "mcp-s4", "x-agent-id", "agent:header"),
            ""));
    // Then
    assertThat(appended).extracting(Step::agentId).containsExactly(AGENT, AGENT, "agent:header");
  }

  @Test
  void shouldReadTheSpiffeIdOfTheLastClientCertificateElement() {
    assertThat(McpCheck.spiffeId("URI=spiffe://a/first,By=x;Subject=\"CN=a,b;c\";URI=spiffe://a/last"))
        .isEqualTo("spiffe://a/last");
    assertThat(McpCheck.spiffeId("Hash=1;URI=\"spiffe://a/quoted\"")).isEqualTo("spiffe://a/quoted");
    assertThat(McpCheck.spiffeId("Hash=1;URI=https://not-spiffe")).isNull();
    assertThat(McpCheck.spiffeId("Hash=1")).isNull();
  }
}
