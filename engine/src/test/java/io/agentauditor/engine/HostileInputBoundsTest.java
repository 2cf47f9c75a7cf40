package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Scope;
import io.agentauditor.model.Step;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bounds on the work one event may cause, whatever an agent (or a compromised gateway) puts in it:
 * the state written by a step must not grow with the session's history, and the engine's caches
 * must not keep more than a fixed budget of text. Stated as bytes written to the store and as what
 * a cache keeps, never as wall time. From the hostile-input review (review-g).
 */
class HostileInputBoundsTest {

  /** A store counting the bytes put into it, so a test can state the write work of a step. */
  private static final class CountingStore extends ForwardingStore {
    long bytesPut;

    @Override
    void beforePut(byte[] key, byte[] value) {
      bytesPut += key.length + value.length;
    }
  }

  private final AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
  private final CountingStore store = new CountingStore();
  private final Events s = new Events("s1");

  private Decision decide(Step e) {
    return engine.process(e, store).decision();
  }

  @Test
  void shouldKeepTheFanOutRecordBoundedWhenOneSecondHoldsThousandsOfSteps() {
    // Given: a session
    decide(s.start("agent:root", 0, "read:repo/**"));
    long before = store.bytesPut;
    // When: 2,000 re-delegations of one child within the same second
    int n = 2_000;
    List<Boolean> flagged = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      flagged.add(ruleIds(decide(s.delegate("agent:root", 1, "agent:child", "read:repo/**"))).contains("fan-out"));
    }
    // Then: exactly the steps after the 10th (fanOut.max) are flagged, every one of them, and each
    // step wrote a bounded record (fanOut.max + 1 times suffice to tell "above max"; rewriting
    // every kept time per step was quadratic: 12 MB here)
    assertThat(flagged.subList(0, 10)).containsOnly(false);
    assertThat(flagged.subList(10, n)).containsOnly(true);
    assertThat(store.bytesPut - before).isLessThanOrEqualTo(n * 1_024L);
  }

  @Test
  void shouldKeepAtMostABudgetOfScopeTextInTheParseCache() {
    // Given: the engine's parse cache, and 64 distinct scopes of 1 MiB each (as tool arguments
    // of 64 calls would build them: any literal value up to 8 MiB becomes a required scope)
    ScopeCache cache = new ScopeCache(8192);
    String first = "read:repo/" + "a".repeat(1 << 20) + "0";
    Scope firstParsed = cache.parse(first);
    for (int i = 1; i < 64; i++) {
      cache.parse("read:repo/" + "a".repeat(1 << 20) + i);
    }
    // When: the first is parsed again
    Scope again = cache.parse(new String(first));
    // Then: it was let go (a cache bounded by entry count alone would keep 8,192 entries of up to
    // 8 MiB each, with a String per segment: a 2 MiB "a/a/..." value retains ~50 MB of heap)
    assertThat(again.equals(firstParsed)).isTrue();
    assertThat(again == firstParsed).as("the first 1 MiB scope is still kept after 64 MiB more").isFalse();
  }
}
