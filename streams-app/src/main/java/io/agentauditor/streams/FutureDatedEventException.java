package io.agentauditor.streams;

/**
 * An event stamped more than the bundle's {@code maxClockSkewSeconds} after its Kafka record's
 * timestamp (contract 9.3, v2): invalid, a dead letter whose reason starts with {@code
 * future-dated}. One far-future stamp would otherwise move stream time and close every open
 * session at once.
 */
public final class FutureDatedEventException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param reason {@code future-dated: occurredAt ... is ... s after the record's timestamp ...} */
  public FutureDatedEventException(String reason) {
    super(reason);
  }
}
