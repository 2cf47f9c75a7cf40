package io.agentauditor.gateway;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link ExtAuthzService} over gRPC on the decision API's address. With a token, every
 * call must carry {@code authorization: Bearer <token>} in its metadata (Envoy's {@code
 * grpc_service.initial_metadata}), compared in constant time; else the call fails {@code
 * UNAUTHENTICATED}, which Envoy treats as a denial when {@code failure_mode_allow} is false.
 */
public final class ExtAuthzServer implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(ExtAuthzServer.class);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Server server;
  private final ExecutorService executor;

  private ExtAuthzServer(Server server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code settings.bindAddress():port} (0 picks a free port) and serves.
   *
   * @throws UncheckedIOException when the address can't be bound
   */
  public static ExtAuthzServer start(GatewaySettings settings, int port, ExtAuthzService service) {
    return start(settings, port, service, java.util.List.of());
  }

  /**
   * Binds and serves, every call passing through {@code interceptors} first (outermost first; the
   * runtime's request meters), then the bearer-token check.
   *
   * @throws UncheckedIOException when the address can't be bound
   */
  public static ExtAuthzServer start(
      GatewaySettings settings,
      int port,
      ExtAuthzService service,
      java.util.List<io.grpc.ServerInterceptor> interceptors) {
    // ServerInterceptors.intercept calls the last one first.
    java.util.List<io.grpc.ServerInterceptor> chain = new java.util.ArrayList<>(interceptors);
    java.util.Collections.reverse(chain);
    chain.add(0, new BearerToken(settings.token()));
    AtomicInteger n = new AtomicInteger();
    // Checks block until decided; one thread per request in flight, and a few for the refusals.
    ExecutorService executor =
        Executors.newFixedThreadPool(
            settings.maxInFlight() + 4,
            r -> {
              Thread t = new Thread(r, "ext-authz-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(settings.bindAddress(), port))
            .executor(executor)
            .addService(ServerInterceptors.intercept(service, chain))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException(
          "cannot bind ext_authz to " + settings.bindAddress().getHostAddress() + ":" + port, e);
    }
    LOGGER.info("Envoy ext_authz (gRPC) on {}:{}", settings.bindAddress().getHostAddress(), server.getPort());
    return new ExtAuthzServer(server, executor);
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    executor.shutdownNow();
  }

  /** Refuses calls without the bearer token; lets every call through when there is none. */
  private record BearerToken(byte[] token) implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      if (token != null) {
        String header = headers.get(AUTHORIZATION);
        String prefix = "Bearer ";
        boolean ok =
            header != null
                && header.regionMatches(true, 0, prefix, 0, prefix.length())
                && MessageDigest.isEqual(
                    token,
                    header.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8));
        if (!ok) {
          call.close(Status.UNAUTHENTICATED.withDescription("a valid bearer token is required"), new Metadata());
          return new ServerCall.Listener<>() {};
        }
      }
      return next.startCall(call, headers);
    }
  }
}
