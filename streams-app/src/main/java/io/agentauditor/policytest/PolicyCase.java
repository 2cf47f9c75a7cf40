package io.agentauditor.policytest;

import java.util.List;
import java.util.Objects;

/**
 * One case of a policy bundle (format in {@code policies/README.md}): events in, the full ordered
 * list of expected outputs out. Immutable.
 *
 * @param file the case file, relative to the bundle directory, with {@code /} separators
 * @param line the line of the case file where the case starts
 * @param name unique within its file
 * @param description what the case shows; may be empty
 * @param events the JSON Lines input, exactly as {@code replay} would read it
 * @param expect every output the replay must produce, in order
 */
public record PolicyCase(
    String file,
    int line,
    String name,
    String description,
    String events,
    List<ExpectedOutput> expect) {

  public PolicyCase {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(events, "events");
    expect = List.copyOf(expect);
  }

  /** {@code <file name without .yaml>/<name>}, e.g. {@code fan-out/retries-do-not-count}. */
  public String id() {
    String base = file.substring(file.lastIndexOf('/') + 1);
    int dot = base.lastIndexOf('.');
    return (dot > 0 ? base.substring(0, dot) : base) + "/" + name;
  }
}
