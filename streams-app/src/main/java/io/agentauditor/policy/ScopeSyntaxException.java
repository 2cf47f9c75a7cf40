package io.agentauditor.policy;

/** A scope string that breaks the grammar of contract section 3; the message says why. */
public final class ScopeSyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ScopeSyntaxException(String scope, String reason) {
    super("malformed scope '" + scope + "': " + reason);
  }
}
