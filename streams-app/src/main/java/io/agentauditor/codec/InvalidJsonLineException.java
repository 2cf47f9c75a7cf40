package io.agentauditor.codec;

/**
 * A JSON line (an event or a decision) that cannot be decoded or breaks its contract, with where and
 * why. The message is {@code fieldPath + ": " + reason}, e.g. {@code toolCall.arguments.repo:
 * expected string, got array}. Paths: {@code $} is the whole line, nested keys are joined by
 * {@code .}, array elements are {@code [i]}, and a key that is not a plain name is written
 * JSON-quoted in brackets: {@code toolCall.arguments["a b"]}. Input text echoed in a path or reason
 * is cut to 64 characters.
 */
public abstract class InvalidJsonLineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String fieldPath;
  private final String reason;

  /**
   * @param fieldPath where the problem is; {@code $} for the line as a whole
   * @param reason why the line is invalid, one line
   * @param cause the underlying parser error, or null
   */
  protected InvalidJsonLineException(String fieldPath, String reason, Throwable cause) {
    super(fieldPath + ": " + reason, cause);
    this.fieldPath = fieldPath;
    this.reason = reason;
  }

  /** Where the problem is: {@code $}, {@code occurredAt}, {@code session.grantedScopes[1]}, ... */
  public String fieldPath() {
    return fieldPath;
  }

  /** Why the line is invalid, without the path. */
  public String reason() {
    return reason;
  }
}
