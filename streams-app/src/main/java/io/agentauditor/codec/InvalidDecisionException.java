package io.agentauditor.codec;

/**
 * Thrown when a decision line (contract 9.1) cannot be decoded or breaks its contract; the
 * record is then reported to the reader of the decision file. Message format: {@link
 * InvalidJsonLineException}.
 */
public final class InvalidDecisionException extends InvalidJsonLineException {
  private static final long serialVersionUID = 1L;

  /**
   * @param fieldPath where the problem is; {@code $} for the line as a whole
   * @param reason why the line is invalid, one line
   */
  public InvalidDecisionException(String fieldPath, String reason) {
    this(fieldPath, reason, null);
  }

  /**
   * @param fieldPath where the problem is; {@code $} for the line as a whole
   * @param reason why the line is invalid, one line
   * @param cause the underlying parser error, or null
   */
  public InvalidDecisionException(String fieldPath, String reason, Throwable cause) {
    super(fieldPath, reason, cause);
  }
}
