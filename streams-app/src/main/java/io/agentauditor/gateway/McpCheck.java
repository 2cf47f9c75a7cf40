package io.agentauditor.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import io.agentauditor.model.InvalidStepException;
import io.agentauditor.model.Step;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps an Envoy ext_authz {@link CheckRequest} of an MCP streamable-HTTP request (body forwarded)
 * to a step, as contract section 11 says: a JSON-RPC request with method {@code tools/call} is a
 * {@code TOOL_CALL}; {@code sessionId} is the {@code mcp-session-id} header; {@code agentId} the
 * SPIFFE id ({@code URI=}) of {@code x-forwarded-client-cert}, else the source principal, else the
 * configured agent header; {@code eventId} is {@code mcp:} + the JSON-RPC id; {@code occurredAt}
 * the request's time; {@code tool} {@code params.name}; {@code arguments} {@code params.arguments},
 * a non-string value as its JSON text; {@code credentialId} the configured header. Stateless.
 */
final class McpCheck {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a request is to the auditor. */
  sealed interface Mapped {}

  /** Not a {@code tools/call}: allowed, nothing decided. */
  record Other() implements Mapped {}

  /** A {@code tools/call} that can't be mapped: denied (fail closed). {@code id} may be null. */
  record Unmappable(String reason, JsonNode id) implements Mapped {}

  /** A {@code tools/call}, and its JSON-RPC id for the error body. */
  record ToolCall(Step step, JsonNode id) implements Mapped {}

  private final String agentHeader;
  private final String credentialHeader;

  /**
   * @param agentHeader the header naming the agent when there is no client certificate or
   *     principal (lower case), or null
   * @param credentialHeader the header naming the presented credential (lower case), or null
   */
  McpCheck(String agentHeader, String credentialHeader) {
    this.agentHeader = agentHeader;
    this.credentialHeader = credentialHeader;
  }

  Mapped map(CheckRequest request) {
    AttributeContext.HttpRequest http = request.getAttributes().getRequest().getHttp();
    String body =
        http.getRawBody().isEmpty()
            ? http.getBody()
            : http.getRawBody().toString(StandardCharsets.UTF_8);
    if (body.isBlank()) {
      return new Other(); // a GET of the event stream, a DELETE of the session
    }
    JsonNode rpc;
    try {
      rpc = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return new Unmappable("the body is not JSON", null);
    }
    if (rpc.isArray()) {
      for (JsonNode m : rpc) {
        if ("tools/call".equals(m.path("method").asText(null))) {
          return new Unmappable("a tools/call in a JSON-RPC batch", m.get("id"));
        }
      }
      return new Other();
    }
    if (!"tools/call".equals(rpc.path("method").asText(null))) {
      return new Other();
    }
    JsonNode id = rpc.get("id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
      return new Unmappable("a tools/call without a string or integer id", id);
    }
    Map<String, String> headers = http.getHeadersMap();
    String sessionId = headers.get("mcp-session-id");
    if (sessionId == null || sessionId.isEmpty()) {
      return new Unmappable("no mcp-session-id header", id);
    }
    String agentId = agent(request, headers);
    if (agentId == null) {
      return new Unmappable("no agent: no SPIFFE id, source principal or agent header", id);
    }
    if (!request.getAttributes().getRequest().hasTime()) {
      return new Unmappable("no request time", id);
    }
    JsonNode params = rpc.path("params");
    JsonNode name = params.get("name");
    if (name == null || !name.isTextual()) {
      return new Unmappable("params.name is not a string", id);
    }
    Map<String, String> arguments = new LinkedHashMap<>();
    JsonNode args = params.get("arguments");
    if (args != null && !args.isNull()) {
      if (!args.isObject()) {
        return new Unmappable("params.arguments is not an object", id);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> a = it.next();
        JsonNode v = a.getValue();
        arguments.put(a.getKey(), v.isTextual() ? v.asText() : v.toString());
      }
    }
    String credentialId = credentialHeader == null ? null : headers.get(credentialHeader);
    try {
      return new ToolCall(
          new Step.ToolCall(
              "mcp:" + (id.isTextual() ? id.asText() : id.toString()),
              sessionId,
              agentId,
              millis(request.getAttributes().getRequest().getTime()),
              name.asText(),
              arguments,
              credentialId == null || credentialId.isEmpty() ? null : credentialId),
          id);
    } catch (InvalidStepException e) {
      return new Unmappable(e.getMessage(), id);
    }
  }

  private String agent(CheckRequest request, Map<String, String> headers) {
    String spiffe = spiffeId(headers.get("x-forwarded-client-cert"));
    if (spiffe != null) {
      return spiffe;
    }
    String principal = request.getAttributes().getSource().getPrincipal();
    if (!principal.isEmpty()) {
      return principal;
    }
    String header = agentHeader == null ? null : headers.get(agentHeader);
    return header == null || header.isEmpty() ? null : header;
  }

  /**
   * The {@code URI=} of the last element of an {@code x-forwarded-client-cert} value (the element
   * the nearest proxy added, for the client that connected to it), when it is a SPIFFE id.
   */
  static String spiffeId(String xfcc) {
    if (xfcc == null || xfcc.isEmpty()) {
      return null;
    }
    // Elements are separated by commas and pairs by semicolons, outside double quotes (a
    // Subject holds both).
    int start = 0;
    boolean quoted = false;
    for (int i = 0; i < xfcc.length(); i++) {
      char c = xfcc.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted) {
        i++;
      } else if (c == ',' && !quoted) {
        start = i + 1;
      }
    }
    String last = xfcc.substring(Math.min(start, xfcc.length()));
    int pairStart = 0;
    quoted = false;
    for (int i = 0; i <= last.length(); i++) {
      char c = i < last.length() ? last.charAt(i) : ';';
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ';' && !quoted) {
        String pair = last.substring(pairStart, i);
        pairStart = i + 1;
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase("URI")) {
          String value = pair.substring(eq + 1).trim();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return value.startsWith("spiffe://") ? value : null;
        }
      }
    }
    return null;
  }

  private static long millis(Timestamp t) {
    return Math.addExact(Math.multiplyExact(t.getSeconds(), 1000L), t.getNanos() / 1_000_000);
  }
}
