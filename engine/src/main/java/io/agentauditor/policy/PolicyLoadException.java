package io.agentauditor.policy;

import java.nio.file.Path;
import java.util.List;

/**
 * A policy bundle was rejected as a whole: {@link #errors()} lists every problem found, each as
 * {@code file:line: message}, in the order the loader met them (manifest first, then the included
 * files in manifest order). Never thrown with an empty list.
 */
public final class PolicyLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path bundle;
  private final List<PolicyError> errors;

  public PolicyLoadException(Path bundle, List<PolicyError> errors) {
    super(format(bundle, errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a rejected bundle has at least one error");
    }
    this.bundle = bundle;
    this.errors = List.copyOf(errors);
  }

  private static String format(Path bundle, List<PolicyError> errors) {
    StringBuilder sb =
        new StringBuilder("policy bundle ")
            .append(bundle)
            .append(" rejected with ")
            .append(errors.size())
            .append(errors.size() == 1 ? " error:" : " errors:");
    for (PolicyError e : errors) {
      sb.append("\n  ").append(e);
    }
    return sb.toString();
  }

  /** The bundle directory as given to the loader. */
  public Path bundle() {
    return bundle;
  }

  /** Every error, never empty. */
  public List<PolicyError> errors() {
    return errors;
  }
}
