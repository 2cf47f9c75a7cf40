package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A step that fails midway keeps the counters it advanced: a session whose start failed after its
 * session record was written keeps a handle no later session is given.
 */
class FailedStepCountersTest {

  @Test
  void shouldNotGiveTheHandleOfASessionWhoseStartFailedToTheNextSessionStarted() {
    for (boolean caching : new boolean[] {false, true}) {
      // Given a store that fails the first write of a stored decision
      AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
      FailingFirstDecision failing = new FailingFirstDecision();
      InMemoryStateStore inner = failing.inner;
      StateStore store = caching ? new CachingStateStore(failing) : failing;

      // When a session's start fails after its session record was written
      assertThatThrownBy(() -> engine.process(new Events("s1").start("agent:a", 0, "read:repo/**"), store))
          .as("caching=%s", caching)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("decision write failed");
      // and another session starts
      engine.process(new Events("s2").start("agent:b", 1, "read:repo/**"), store);

      // Then each has a handle of its own
      long first = StateCodec.decodeSession(inner.get(StateKeys.session("s1"))).handle;
      long second = StateCodec.decodeSession(inner.get(StateKeys.session("s2"))).handle;
      assertThat(first).as("caching=%s", caching).isPositive();
      assertThat(second).as("caching=%s", caching).isNotEqualTo(first);
    }
  }

  /** Throws on the first put of a stored decision ({@link StateKeys#DECISION}), then stores. */
  private static final class FailingFirstDecision extends ForwardingStore {
    private boolean failed;

    @Override
    void beforePut(byte[] key, byte[] value) {
      if (!failed && key.length > 0 && key[0] == StateKeys.DECISION) {
        failed = true;
        throw new IllegalStateException("decision write failed");
      }
    }
  }
}
