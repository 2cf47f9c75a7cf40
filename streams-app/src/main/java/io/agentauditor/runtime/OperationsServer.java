package io.agentauditor.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentauditor.streams.InfrastructureException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auditor's operations endpoint, on the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /health}: liveness, 200 with {@code {"status":"UP","state":"RUNNING",...}} while
 *       the Kafka Streams state is {@code CREATED}, {@code REBALANCING} or {@code RUNNING}, else 503
 *       with {@code "DOWN"} and the state; with the policy in force and each task's lag when the
 *       server was given them ({@link HealthReport});
 *   <li>{@code GET /ready}: readiness, 200 only in {@code RUNNING}, else 503;
 *   <li>{@code GET /metrics}: the Prometheus scrape of the registry, in the OpenMetrics format when
 *       the {@code Accept} header asks for it, else the Prometheus text format 0.0.4.
 * </ul>
 *
 * Other paths are 404, other methods 405. {@code HEAD} is answered like {@code GET} without a
 * body. Lifecycle: {@link #start} binds and serves; {@link #close()} stops at once, cutting requests in flight.
 */
public final class OperationsServer implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(OperationsServer.class);
  // The Prometheus client's writer classes are runtime-only dependencies; these are their types.
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final HealthReport health;
  private final PrometheusMeterRegistry registry;
  private final Runnable beforeScrape;

  private OperationsServer(
      HttpServer server,
      ExecutorService executor,
      HealthReport health,
      PrometheusMeterRegistry registry,
      Runnable beforeScrape) {
    this.server = server;
    this.executor = executor;
    this.health = health;
    this.registry = registry;
    this.beforeScrape = beforeScrape;
  }

  /**
   * Binds {@code bindAddress:port} (port 0 picks a free one) and starts serving.
   *
   * @param state the current Kafka Streams state, e.g. {@code streams::state}; null counts as down
   * @throws InfrastructureException if the address cannot be bound
   */
  public static OperationsServer start(
      String bindAddress, int port, Supplier<KafkaStreams.State> state, PrometheusMeterRegistry registry) {
    return start(bindAddress, port, HealthReport.of(state), registry, () -> {});
  }

  /**
   * Binds {@code bindAddress:port} (port 0 picks a free one) and starts serving {@code health};
   * {@code beforeScrape} runs before each {@code /metrics} scrape (meters read at scrape time).
   *
   * @throws InfrastructureException if the address cannot be bound
   */
  static OperationsServer start(
      String bindAddress,
      int port,
      HealthReport health,
      PrometheusMeterRegistry registry,
      Runnable beforeScrape) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
    } catch (IOException e) {
      throw new InfrastructureException(
          "cannot bind the operations endpoint to " + bindAddress + ":" + port, e);
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, "auditor-http-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    OperationsServer operations =
        new OperationsServer(server, executor, health, registry, beforeScrape);
    server.createContext("/", operations::handle);
    server.setExecutor(executor);
    server.start();
    LOGGER.info("Operations endpoint at {} (/health, /ready, /metrics)", operations.baseUri());
    return operations;
  }

  /** The bound port; the real one when started with 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://host:port} of the endpoint. */
  public URI baseUri() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + address.getHostString() + ":" + address.getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/health") && !path.equals("/ready") && !path.equals("/metrics")) {
        respond(exchange, 404, "text/plain; charset=utf-8", "not found\n");
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      if (path.equals("/health") || path.equals("/ready")) {
        HealthReport.Probe probe = path.equals("/health") ? health.liveness() : health.readiness();
        respond(exchange, probe.ok() ? 200 : 503, "application/json", probe.json());
      } else {
        beforeScrape.run();
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        String contentType =
            accept != null && accept.contains("application/openmetrics-text")
                ? OPEN_METRICS
                : PROMETHEUS_TEXT;
        respond(exchange, 200, contentType, registry.scrape(contentType));
      }
    } catch (RuntimeException e) {
      // The JDK server would drop the connection silently; a scraper should see a 500 instead.
      LOGGER.warn("Operations endpoint failed on {}: {}", exchange.getRequestURI(), e.toString());
      respond(exchange, 500, "text/plain; charset=utf-8", "internal error\n");
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops serving at once; health checks and scrapes in flight are cut. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
