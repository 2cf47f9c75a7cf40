package io.agentauditor.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.rpc.Code;
import com.google.rpc.Status;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Verdict;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * Envoy's external authorizer ({@code envoy.service.auth.v3.Authorization/Check}) for MCP over
 * streamable HTTP (contract section 11): a {@code tools/call} is decided by the topology through
 * {@link DecisionService}; {@code BLOCK} is DENIED with HTTP 403 and a JSON-RPC error body naming
 * the rule ids, {@code ALLOW} and {@code FLAG} are OK with the verdict and the event id in headers
 * for the upstream. Other MCP methods are allowed and decide nothing. A {@code tools/call} that
 * can't be mapped, a deadline that passes and a flood beyond the in-flight bound are DENIED: the
 * gateway fails closed.
 */
public final class ExtAuthzService extends AuthorizationGrpc.AuthorizationImplBase {

  /** The verdict of an allowed call, for the upstream. */
  public static final String VERDICT_HEADER = "x-agent-auditor-verdict";

  /** The event id the decision is filed under ({@code mcp:} + the JSON-RPC id). */
  public static final String EVENT_HEADER = "x-agent-auditor-event-id";

  /** The JSON-RPC error code of a denied call (implementation-defined server error range). */
  static final int JSON_RPC_DENIED = -32001;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DecisionService decisions;
  private final McpCheck mapping;
  private final Duration timeout;
  private final Semaphore inFlight;

  /**
   * @param agentHeader the header naming the agent when the request has no client certificate or
   *     principal, or null
   * @param credentialHeader the header naming the presented credential, or null
   */
  public ExtAuthzService(
      DecisionService decisions,
      GatewaySettings settings,
      String agentHeader,
      String credentialHeader) {
    this.decisions = decisions;
    this.mapping =
        new McpCheck(
            agentHeader == null ? null : agentHeader.toLowerCase(java.util.Locale.ROOT),
            credentialHeader == null ? null : credentialHeader.toLowerCase(java.util.Locale.ROOT));
    this.timeout = settings.timeout();
    this.inFlight = new Semaphore(settings.maxInFlight());
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> response) {
    long deadline = System.nanoTime() + timeout.toNanos();
    response.onNext(decide(request, deadline));
    response.onCompleted();
  }

  private CheckResponse decide(CheckRequest request, long deadline) {
    McpCheck.Mapped mapped = mapping.map(request);
    if (mapped instanceof McpCheck.Other) {
      return ok(null, null);
    }
    if (mapped instanceof McpCheck.Unmappable u) {
      return denied(StatusCode.Forbidden, u.id(), "not auditable: " + u.reason(), null);
    }
    McpCheck.ToolCall call = (McpCheck.ToolCall) mapped;
    String future = decisions.futureDated(call.step());
    if (future != null) {
      return denied(StatusCode.Forbidden, call.id(), "not auditable: " + future, null);
    }
    if (!inFlight.tryAcquire()) {
      return denied(StatusCode.TooManyRequests, call.id(), "too many requests in flight", null);
    }
    DecisionService.Answer answer;
    try {
      answer = decisions.decide(call.step(), deadline, null, false);
    } finally {
      inFlight.release();
    }
    Decision d = answer.decision();
    if (d == null) {
      // Denied either way (fail closed), with the status the HTTP API answers: 504 no decision in
      // time, 503 the events topic did not take the event.
      StatusCode code =
          switch (answer.status()) {
            case 504 -> StatusCode.GatewayTimeout;
            case 503 -> StatusCode.ServiceUnavailable;
            default -> StatusCode.Forbidden;
          };
      return denied(code, call.id(), "no decision (HTTP " + answer.status() + "): denied", null);
    }
    if (d.verdict() == Verdict.BLOCK) {
      String rules =
          d.findings().stream().map(Finding::ruleId).distinct().collect(Collectors.joining(", "));
      return denied(StatusCode.Forbidden, call.id(), "blocked by agent-auditor: " + rules, d);
    }
    return ok(d.verdict(), d.eventId());
  }

  private static CheckResponse ok(Verdict verdict, String eventId) {
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder();
    if (verdict != null) {
      ok.addHeaders(header(VERDICT_HEADER, verdict.name()));
      ok.addHeaders(header(EVENT_HEADER, eventId));
    }
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(Code.OK_VALUE))
        .setOkResponse(ok)
        .build();
  }

  private static CheckResponse denied(StatusCode code, JsonNode id, String message, Decision d) {
    ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0");
    body.set("id", id == null ? JSON.nullNode() : id);
    ObjectNode error = body.putObject("error").put("code", JSON_RPC_DENIED).put("message", message);
    if (d != null) {
      ObjectNode data = error.putObject("data");
      data.put("eventId", d.eventId()).put("verdict", d.verdict().name());
      d.findings().forEach(f -> data.withArray("ruleIds").add(f.ruleId()));
    }
    DeniedHttpResponse.Builder denied =
        DeniedHttpResponse.newBuilder()
            .setStatus(HttpStatus.newBuilder().setCode(code))
            .addHeaders(header("content-type", "application/json"))
            .setBody(body.toString());
    if (d != null) {
      denied.addHeaders(header(VERDICT_HEADER, d.verdict().name()));
      denied.addHeaders(header(EVENT_HEADER, d.eventId()));
    }
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(Code.PERMISSION_DENIED_VALUE).setMessage(message))
        .setDeniedResponse(denied)
        .build();
  }

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .build();
  }

}
