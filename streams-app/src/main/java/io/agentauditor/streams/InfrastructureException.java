package io.agentauditor.streams;

/**
 * An unchecked failure at a library boundary of the runtime (broker start/stop, admin calls, HTTP
 * server): the one domain exception those boundaries throw, always keeping the original cause.
 * It lives in {@code streams}, the lower layer, so that the topic admin here and the runtime above
 * throw the same type without the two packages importing each other.
 */
public final class InfrastructureException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InfrastructureException(String message, Throwable cause) {
    super(message, cause);
  }

  public InfrastructureException(String message) {
    super(message);
  }
}
