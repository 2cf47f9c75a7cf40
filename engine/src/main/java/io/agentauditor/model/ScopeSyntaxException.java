package io.agentauditor.model;

import io.agentauditor.text.Echo;

/**
 * A scope string that breaks the grammar of contract section 3; the message says why, with the
 * scope echoed escaped and cut short ({@link Echo#quote}), so it stays on one line.
 */
public final class ScopeSyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /**
   * @param scope the malformed scope as written
   * @param reason why it is malformed; input text in it is already escaped
   */
  public ScopeSyntaxException(String scope, String reason) {
    super("malformed scope " + Echo.quote(scope) + ": " + reason);
    this.reason = reason;
  }

  /** Why the scope is malformed, without the scope itself. */
  public String reason() {
    return reason;
  }
}
