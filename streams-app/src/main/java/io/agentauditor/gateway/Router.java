package io.agentauditor.gateway;

import java.net.URI;
import java.util.Optional;

/**
 * Which instance decides a session: the one whose stream task owns the session's partition. The
 * decision API answers for local sessions and forwards the rest.
 */
@FunctionalInterface
public interface Router {

  /** Every session is decided here (one instance, or tests). */
  Router LOCAL = sessionId -> Optional.empty();

  /**
   * The decision API of the instance that owns {@code sessionId}'s partition, or empty when it is
   * this instance or no owner is known yet (the event is then appended here, and the owner
   * decides it when it can).
   */
  Optional<URI> ownerOf(String sessionId);
}
