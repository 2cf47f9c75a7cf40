package io.agentauditor.gateway;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How the decision API serves (contract section 11).
 *
 * @param bindAddress the address to bind; a token is required unless it is a loopback address
 * @param port the port; 0 picks a free one
 * @param timeout the deadline of a request, from when its body is read: past it the answer is 504
 *     (a gateway must treat it as a deny)
 * @param maxInFlight requests served at once; one more is answered 429 at once
 * @param token the bearer token a request must present, or null for none (loopback only)
 */
public record GatewaySettings(
    InetAddress bindAddress, int port, Duration timeout, int maxInFlight, byte[] token) {

  /** The largest body accepted: a record of contract section 2 is at most 1 MiB. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  public GatewaySettings {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(timeout, "timeout");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
    }
    if (token == null && !bindAddress.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "the decision API needs a bearer token file unless it is bound to a loopback address,"
              + " not " + bindAddress.getHostAddress());
    }
    token = token == null ? null : token.clone();
  }
}
