package io.agentauditor.codec;

/**
 * Internal signal of a record that breaks its contract, carrying where and why. Decoders convert it
 * into their public exception; it has no stack trace because invalid input is an expected outcome
 * (dead letters), not a bug.
 */
final class FieldError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  FieldError(String path, String reason) {
    super(path + ": " + reason, null, false, false);
    this.path = path;
    this.reason = reason;
  }

  String path() {
    return path;
  }

  String reason() {
    return reason;
  }
}
