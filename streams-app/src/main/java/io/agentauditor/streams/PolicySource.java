package io.agentauditor.streams;

import io.agentauditor.policy.Policy;
import java.util.Objects;

/**
 * The policy bundle in force, read by each audit task before every step: a step is decided wholly
 * under the bundle {@link #current()} returned when it began. The runtime's hot reload swaps it;
 * tests and replay use {@link #fixed}. Implementations are thread-safe and {@link #current()} is
 * cheap (a volatile read).
 */
@FunctionalInterface
public interface PolicySource {

  /** The bundle to decide the next step with; never null. */
  Policy current();

  /** A source that always gives {@code policy}. */
  static PolicySource fixed(Policy policy) {
    Objects.requireNonNull(policy, "policy");
    return () -> policy;
  }
}
