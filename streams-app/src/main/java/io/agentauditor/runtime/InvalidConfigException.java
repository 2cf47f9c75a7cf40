package io.agentauditor.runtime;

import java.util.List;

/**
 * The auditor's configuration was rejected. {@link #errors()} lists every problem found, each
 * naming the key, the bad value (passwords hidden) and where it came from (file or environment
 * variable); the message joins them one per line.
 */
public final class InvalidConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> errors;

  public InvalidConfigException(List<String> errors) {
    super("invalid configuration:\n  " + String.join("\n  ", errors));
    this.errors = List.copyOf(errors);
  }

  public InvalidConfigException(String error, Throwable cause) {
    super("invalid configuration:\n  " + error, cause);
    this.errors = List.of(error);
  }

  /** Every problem found, in key order; never empty. */
  public List<String> errors() {
    return errors;
  }
}
