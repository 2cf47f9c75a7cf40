package io.agentauditor.model;

/**
 * Thrown by the constructors of {@link Step} when a field breaks contract section 2; the record is
 * then a dead letter (contract 9.4). It carries no stack trace: invalid input is an expected
 * outcome, not a bug.
 */
public final class InvalidStepException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  /**
   * @param path the field, in the JSON form's terms ({@code $} for the record, {@code
   *     delegation.scopes[2]}, {@code toolCall.arguments.repo}); see {@link FieldPath}
   * @param reason why the field is invalid, one line; input text in it is escaped
   */
  public InvalidStepException(String path, String reason) {
    super(path + ": " + reason, null);
    this.path = path;
    this.reason = reason;
  }

  /** The field that is invalid. */
  public String path() {
    return path;
  }

  /** Why it is invalid. */
  public String reason() {
    return reason;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
