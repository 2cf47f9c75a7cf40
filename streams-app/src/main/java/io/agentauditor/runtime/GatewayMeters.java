package io.agentauditor.runtime;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
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
 * decision within the deadline, ...), and with {@link #grpc()} every ext_authz {@code Check}:
 * {@code api="grpc"}, {@code status} the gRPC status code ({@code OK} for an answer, allow or deny;
 * {@code UNAUTHENTICATED}, {@code DEADLINE_EXCEEDED}, ...). Thread-safe.
 */
final class GatewayMeters extends Filter {

  private final MeterRegistry registry;
  private final Map<String, Timer> byStatus = new ConcurrentHashMap<>();

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
      timer("http", status < 0 ? "none" : Integer.toString(status))
          .record(Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** The interceptor timing ext_authz calls; the outermost of the server's. */
  ServerInterceptor grpc() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        return next.startCall(
            new ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                timer("grpc", status.getCode().name())
                    .record(Duration.ofNanos(System.nanoTime() - start));
                super.close(status, trailers);
              }
            },
            headers);
      }
    };
  }

  private Timer timer(String api, String status) {
    return byStatus.computeIfAbsent(
        api + " " + status,
        key ->
            Timer.builder("auditor.gateway.request")
                .description("Decision API requests: latency and outcome (HTTP or gRPC status)")
                .tag("api", api)
                .tag("status", status)
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
