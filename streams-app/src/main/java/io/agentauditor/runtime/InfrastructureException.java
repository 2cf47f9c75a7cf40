package io.agentauditor.runtime;

/**
 * An unchecked failure at a library boundary of the runtime (broker start/stop, admin calls, HTTP
 * server): the one domain exception those boundaries throw, always keeping the original cause.
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
