package io.agentauditor.codec;

/**
 * Thrown when an agent event line (contract section 2) cannot be decoded or breaks its contract; the
 * record is then routed to the dead letters (contract 9.4). Message format: {@link
 * InvalidJsonLineException}.
 */
public final class InvalidEventException extends InvalidJsonLineException {
  private static final long serialVersionUID = 1L;

  /**
   * @param fieldPath where the problem is; {@code $} for the line as a whole
   * @param reason why the line is invalid, one line
   */
  public InvalidEventException(String fieldPath, String reason) {
    this(fieldPath, reason, null);
  }

  /**
   * @param fieldPath where the problem is; {@code $} for the line as a whole
   * @param reason why the line is invalid, one line
   * @param cause the underlying parser error, or null
   */
  public InvalidEventException(String fieldPath, String reason, Throwable cause) {
    super(fieldPath, reason, cause);
  }
}
