package io.agentauditor.policy;

import java.util.Objects;

/**
 * One reason a bundle was rejected.
 *
 * @param file the file, relative to the bundle directory, with {@code /} separators (e.g. {@code
 *     patterns/secrets.yaml})
 * @param line 1-based line in {@code file}; 1 for a problem with the file as a whole
 */
public record PolicyError(String file, int line, String message)
    implements Comparable<PolicyError> {
  public PolicyError {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
    if (line < 1) {
      throw new IllegalArgumentException("line is 1-based: " + line);
    }
  }

  /** {@code file:line: message}. */
  @Override
  public String toString() {
    return file + ":" + line + ": " + message;
  }

  @Override
  public int compareTo(PolicyError o) {
    int c = file.compareTo(o.file);
    return c != 0 ? c : Integer.compare(line, o.line);
  }
}
