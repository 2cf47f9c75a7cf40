package io.agentauditor.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentauditor.model.Step;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MCP requests the ext_authz mapping reads, as the official MCP Java SDK sends them over
 * streamable HTTP: a small endpoint answers the SDK like an MCP server and records each request's
 * headers and body, which then become Envoy's CheckRequests.
 */
class McpSdkRequestsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSION = "mcp-session-7f3a";

  /** One request as the endpoint saw it (header names lower case, as Envoy passes them). */
  record Recorded(Map<String, String> headers, String body) {}

  private final List<Recorded> recorded = Collections.synchronizedList(new ArrayList<>());
  private HttpServer server;

  @BeforeEach
  void startRecordingEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/mcp", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** Answers as a minimal MCP server: initialize, notifications, tools/call; no event stream. */
  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
      recorded.add(new Recorded(headers, body));
      JsonNode rpc = JSON.readTree(body);
      if (!rpc.has("id")) {
        exchange.sendResponseHeaders(202, -1); // a notification
        return;
      }
      ObjectNode reply = JSON.createObjectNode().put("jsonrpc", "2.0");
      reply.set("id", rpc.get("id"));
      ObjectNode result = reply.putObject("result");
      if ("initialize".equals(rpc.path("method").asText())) {
        result.put("protocolVersion", rpc.at("/params/protocolVersion").asText());
        result.putObject("capabilities").putObject("tools");
        result.putObject("serverInfo").put("name", "recorder").put("version", "1.0.0");
        exchange.getResponseHeaders().set("Mcp-Session-Id", SESSION);
      } else {
        result.putArray("content").addObject().put("type", "text").put("text", "ok");
        result.put("isError", false);
      }
      byte[] out = JSON.writeValueAsBytes(reply);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    }
  }

  private List<Recorded> sdkSession(McpSchema.CallToolRequest call) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(
                "http://127.0.0.1:" + server.getAddress().getPort())
            .endpoint("/mcp")
            .openConnectionOnStartup(false)
            .build();
    McpSyncClient client =
        McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
    try {
      client.initialize();
      client.callTool(call);
    } finally {
      client.closeGracefully();
    }
    return List.copyOf(recorded);
  }

  private static CheckRequest asCheck(Recorded r) {
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setSource(
                    AttributeContext.Peer.newBuilder().setPrincipal("spiffe://acme.io/agent/coder"))
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        .setTime(Timestamp.newBuilder().setSeconds(1_795_687_200L))
                        .setHttp(
                            AttributeContext.HttpRequest.newBuilder()
                                .setMethod("POST")
                                .putAllHeaders(r.headers())
                                .setBody(r.body()))))
        .build();
  }

  @Test
  void shouldMapTheSdksToolsCallAndLetItsOtherRequestsThrough() {
    // Given the SDK's own requests: initialize, the initialized notification, a tools/call
    List<Recorded> requests =
        sdkSession(
            new McpSchema.CallToolRequest(
                "repo.read_file", Map.of("repo", "acme/api", "lines", 3, "follow", true)));
    McpCheck mapping = new McpCheck(null, null);

    // When each becomes an Envoy CheckRequest
    List<McpCheck.Mapped> mapped = requests.stream().map(r -> mapping.map(asCheck(r))).toList();

    // Then only the tools/call is a step, carrying the SDK's session, id, tool and arguments
    List<McpCheck.ToolCall> calls =
        mapped.stream()
            .filter(McpCheck.ToolCall.class::isInstance)
            .map(McpCheck.ToolCall.class::cast)
            .toList();
    assertThat(calls).hasSize(1);
    assertThat(mapped).hasSize(requests.size());
    assertThat(mapped.stream().filter(m -> !(m instanceof McpCheck.ToolCall)))
        .allMatch(McpCheck.Other.class::isInstance);
    Step.ToolCall step = (Step.ToolCall) calls.get(0).step();
    assertThat(step.sessionId()).isEqualTo(SESSION);
    assertThat(step.eventId()).isEqualTo("mcp:" + calls.get(0).id().toString().replace("\"", ""));
    assertThat(step.tool()).isEqualTo("repo.read_file");
    assertThat(step.arguments())
        .containsEntry("repo", "acme/api")
        .containsEntry("lines", "3")
        .containsEntry("follow", "true");
    assertThat(step.agentId()).isEqualTo("spiffe://acme.io/agent/coder");
  }
}
