package io.agentauditor.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.codec.InvalidEventException;
import io.agentauditor.model.Step;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision API for agent gateways (contract section 11): {@code POST /v1/decisions} with one
 * event in the JSON form, answered with the decision that the topology's audit processor made for
 * it. The API never decides: {@link DecisionService} appends the event to the events topic and
 * waits for the processor, or asks the instance that owns the session.
 *
 * <ul>
 *   <li>{@code 200}: the decision JSON (contract 9.1); a retry of an eventId gets the stored one.
 *   <li>{@code 400} {@code {"error": reason, "field": path}}: not a valid event, or one stamped
 *       more than the bundle's {@code maxClockSkewSeconds} after this instance's clock
 *       ({@code future-dated}); appended nowhere.
 *   <li>{@code 401}: no or another bearer token (compared in constant time).
 *   <li>{@code 413}: a body over 1 MiB.
 *   <li>{@code 429}: more requests in flight than {@link GatewaySettings#maxInFlight()}, at once.
 *   <li>{@code 503} {@code {"error": "event not appended: ..."}}: the events topic did not take
 *       the event before the deadline (the cluster can't be reached, or refused it); fail closed.
 *       Nothing of it is in the log; a retry appends it again.
 *   <li>{@code 504}: no decision within {@link GatewaySettings#timeout()}; fail closed. The event
 *       stays in the log and is decided; a retry gets that decision.
 * </ul>
 *
 * Other paths are 404, other methods 405. Lifecycle: {@link #start} binds and serves; {@link
 * #close()} stops at once.
 */
public final class DecisionApi implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(DecisionApi.class);

  /** The path of the API. */
  public static final String PATH = "/v1/decisions";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_TYPE = "application/json";

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final GatewaySettings settings;
  private final DecisionService service;
  private final Semaphore inFlight;

  private DecisionApi(
      HttpServer server,
      ThreadPoolExecutor executor,
      GatewaySettings settings,
      DecisionService service) {
    this.server = server;
    this.executor = executor;
    this.settings = settings;
    this.service = service;
    this.inFlight = new Semaphore(settings.maxInFlight());
  }

  /**
   * Binds and starts serving.
   *
   * @throws UncheckedIOException when the address can't be bound
   */
  public static DecisionApi start(
      GatewaySettings settings, EventLog log, PendingDecisions pending, Router router) {
    return start(settings, new DecisionService(log, pending, router, settings.timeout()));
  }

  /**
   * Binds and starts serving, deciding through {@code service}.
   *
   * @throws UncheckedIOException when the address can't be bound
   */
  public static DecisionApi start(GatewaySettings settings, DecisionService service) {
    return start(settings, service, java.util.List.of());
  }

  /**
   * Binds and starts serving, deciding through {@code service}, every request passing through
   * {@code filters} first (the runtime's request meters).
   *
   * @throws UncheckedIOException when the address can't be bound
   */
  public static DecisionApi start(
      GatewaySettings settings,
      DecisionService service,
      java.util.List<com.sun.net.httpserver.Filter> filters) {
    HttpServer server;
    try {
      server =
          HttpServer.create(new InetSocketAddress(settings.bindAddress(), settings.port()), 128);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot bind the decision API to "
              + settings.bindAddress().getHostAddress()
              + ":"
              + settings.port(),
          e);
    }
    // Requests past the in-flight bound are answered 429 at once, so a few threads more than the
    // bound serve them; the queue in front is bounded too.
    AtomicInteger n = new AtomicInteger();
    int threads = settings.maxInFlight() + 4;
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(Math.max(64, settings.maxInFlight())),
            r -> {
              Thread t = new Thread(r, "decision-api-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    executor.allowCoreThreadTimeOut(true);
    DecisionApi api = new DecisionApi(server, executor, settings, service);
    server.createContext("/", api::handle).getFilters().addAll(filters);
    server.setExecutor(executor);
    server.start();
    LOGGER.info("Decision API on {}{}", api.baseUri(), PATH);
    return api;
  }

  /** The base URI, e.g. {@code http://127.0.0.1:8088}. */
  public URI baseUri() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!PATH.equals(exchange.getRequestURI().getPath())) {
        error(exchange, 404, "no such path; the decision API is POST " + PATH, null);
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().add("Allow", "POST");
        error(exchange, 405, "method not allowed", null);
        return;
      }
      if (!authorized(exchange)) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
        error(exchange, 401, "a valid bearer token is required", null);
        return;
      }
      if (!inFlight.tryAcquire()) {
        error(exchange, 429, "too many requests in flight", null);
        return;
      }
      try {
        serve(exchange);
      } finally {
        inFlight.release();
      }
    } catch (IOException | RuntimeException e) {
      LOGGER.debug("decision API request failed", e);
    }
  }

  private boolean authorized(HttpExchange exchange) {
    byte[] token = settings.token();
    if (token == null) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String prefix = "Bearer ";
    if (header == null || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return false;
    }
    byte[] given = header.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(token, given);
  }

  private void serve(HttpExchange exchange) throws IOException {
    byte[] body = readBody(exchange.getRequestBody());
    if (body == null) {
      error(exchange, 413, "body larger than " + GatewaySettings.MAX_BODY_BYTES + " bytes", null);
      return;
    }
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    Step step;
    try {
      step = EventJsonCodec.decode(body);
    } catch (InvalidEventException e) {
      error(exchange, 400, e.reason(), e.fieldPath());
      return;
    }
    String future = service.futureDated(step);
    if (future != null) {
      error(exchange, 400, future, "occurredAt");
      return;
    }
    boolean forwarded = exchange.getRequestHeaders().containsKey(DecisionService.FORWARDED);
    DecisionService.Answer answer =
        service.decide(
            step, deadline, exchange.getRequestHeaders().getFirst("Authorization"), forwarded);
    respond(exchange, answer.status(), answer.body());
  }

  /** The body, or null when it is over the limit. */
  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(GatewaySettings.MAX_BODY_BYTES + 1);
    return body.length > GatewaySettings.MAX_BODY_BYTES ? null : body;
  }

  private static void error(HttpExchange exchange, int status, String message, String field)
      throws IOException {
    respond(exchange, status, errorBody(message, field));
  }

  /** {@code {"error": message, "field": field}}, the field omitted when null. */
  static byte[] errorBody(String message, String field) {
    ObjectNode node = JSON.createObjectNode().put("error", message);
    if (field != null) {
      node.put("field", field);
    }
    try {
      return JSON.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e); // an ObjectNode of two strings always writes
    }
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", JSON_TYPE);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Requests being served now. */
  int inFlight() {
    return settings.maxInFlight() - inFlight.availablePermits();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
