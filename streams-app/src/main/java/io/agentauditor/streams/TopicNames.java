package io.agentauditor.streams;

import java.util.List;
import java.util.Objects;

/**
 * The auditor's five topic names, the typed input of {@link AuditorTopology#build} and {@link
 * AuditorTopics#of}. The runtime builds it from its configuration ({@code topics.*} keys).
 *
 * @throws NullPointerException when a name is null
 */
public record TopicNames(
    String events, String decisions, String violations, String credentials, String deadLetters) {

  public TopicNames {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(decisions, "decisions");
    Objects.requireNonNull(violations, "violations");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(deadLetters, "deadLetters");
  }

  /** All five, in declaration order. */
  public List<String> all() {
    return List.of(events, decisions, violations, credentials, deadLetters);
  }
}
