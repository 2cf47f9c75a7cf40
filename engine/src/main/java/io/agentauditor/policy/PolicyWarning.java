package io.agentauditor.policy;

import java.util.Objects;

/**
 * Something a bundle that loaded leaves to a default, which whoever runs it should know: today, a
 * built-in rule the bundle does not list, which then runs at {@link BuiltinRule#defaultSettings()}.
 *
 * @param file the file, relative to the bundle directory, with {@code /} separators
 * @param line 1-based line in {@code file}
 */
public record PolicyWarning(String file, int line, String message) {
  public PolicyWarning {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
    if (line < 1) {
      throw new IllegalArgumentException("line is 1-based: " + line);
    }
  }

  /** {@code file:line: warning: message}. */
  @Override
  public String toString() {
    return file + ":" + line + ": warning: " + message;
  }
}
