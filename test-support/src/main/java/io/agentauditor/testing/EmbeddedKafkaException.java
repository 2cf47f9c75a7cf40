package io.agentauditor.testing;

/**
 * An {@link EmbeddedKafkaCluster} that did not start, or refused an admin call: the one exception it
 * throws, always keeping the original cause. Its own type because this module depends on nothing
 * of the application; the demo turns it into the application's {@code InfrastructureException}.
 */
public final class EmbeddedKafkaException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public EmbeddedKafkaException(String message, Throwable cause) {
    super(message, cause);
  }
}
