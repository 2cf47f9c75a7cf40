package io.agentauditor.policytest;

import java.util.List;

/**
 * Case files that could not be read: every error found, each as {@code file:line: message} with the
 * file as given to the loader (the bundle directory resolved against it).
 */
public final class CaseFileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<String> errors;

  public CaseFileException(List<String> errors) {
    super(
        errors.size()
            + (errors.size() == 1 ? " error" : " errors")
            + " in policy cases:\n  "
            + String.join("\n  ", errors));
    this.errors = List.copyOf(errors);
  }

  /** Every error, {@code file:line: message}, in file then line order. */
  public List<String> errors() {
    return errors;
  }
}
