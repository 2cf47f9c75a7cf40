package io.agentauditor.runtime;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times every request of the decision API and counts it by status: {@code
 * auditor_gateway_request_seconds{api="http",status}} (a histogram; its {@code _count} is the
 * requests by outcome: 200 a decision, 400 a refused event, 429 over the in-flight bound, 504 no
 * decision within the deadline, ...). Thread-safe.
 */
final class GatewayMeters extends Filter {

  private final MeterRegistry registry;
  private final Map<Integer, Timer> byStatus = new ConcurrentHashMap<>();

  GatewayMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    long start = System.nanoTime();
    try {
      chain.doFilter(exchange);
    } finally {
      int status = exchange.getResponseCode(); // -1 when the exchange failed before answering
      timer(status).record(Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private Timer timer(int status) {
    return byStatus.computeIfAbsent(
        status,
        s ->
            Timer.builder("auditor.gateway.request")
                .description("Decision API requests: latency and outcome (HTTP status)")
                .tag("api", "http")
                .tag("status", s < 0 ? "none" : Integer.toString(s))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry));
  }

  @Override
  public String description() {
    return "decision API request meters";
  }
}
