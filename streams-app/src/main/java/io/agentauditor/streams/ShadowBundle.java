package io.agentauditor.streams;

import io.agentauditor.policy.Policy;
import java.util.Objects;

/**
 * A candidate bundle deciding live traffic next to the live one (contract section 12), and the
 * two topics it writes: its decisions (key sessionId, Avro {@code Decision}, as the decisions
 * topic) and its disagreements with the live decisions (key sessionId, one {@code diff} line as
 * UTF-8 JSON). The typed input of {@link AuditorTopology#build} when the runtime's {@code
 * shadow.policies} is set.
 *
 * @throws NullPointerException when an argument is null
 */
public record ShadowBundle(Policy policy, String decisionsTopic, String disagreementsTopic) {

  public ShadowBundle {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(decisionsTopic, "decisionsTopic");
    Objects.requireNonNull(disagreementsTopic, "disagreementsTopic");
  }
}
