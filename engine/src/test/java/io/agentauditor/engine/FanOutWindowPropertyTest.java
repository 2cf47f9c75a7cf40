package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@code fan-out} counts exactly whatever the stamps (contract section 5, issue 12 item 10): each
 * step's decision is that of counting every earlier-arriving step of the actor in its window.
 */
class FanOutWindowPropertyTest {

  private static final long W = 60_000;

  @Property(tries = 2000)
  void shouldKeepEveryWindowsCountUpToMaxWhenThinning(
      @ForAll("stamps") List<Long> stamps, @ForAll @IntRange(min = 1, max = 5) int max) {
    // Given some times in arrival order
    long[] times = stamps.stream().mapToLong(Long::longValue).toArray();
    long[] all = times.clone();

    // When the record is thinned
    int n = ChainChecks.thin(times, times.length, W, max);
    long[] kept = Arrays.copyOf(times, n);

    // Then every window holds min(count, max) as before, at every point a count can change
    for (long x : all) {
      for (long a : new long[] {x, x + W, x - 1, x + W - 1}) {
        assertThat(Math.min(in(kept, a), max)).as("window ending %d", a).isEqualTo(Math.min(in(all, a), max));
      }
    }
    assertThat(isSubsequence(kept, all)).as("arrival order kept").isTrue();
  }

  @Property(tries = 300)
  void shouldDecideEveryStepAsCountingEveryEarlierArrivalInItsWindow(
      @ForAll("stamps") List<Long> stamps, @ForAll @IntRange(min = 1, max = 4) int max) {
    // Given an actor whose delegations arrive with these stamps (out of order, duplicates)
    Harness h = new Harness(Policies.withFanOut(max, W / 1000));
    Events s = new Events("s1");
    h.decide(s.start("agent:p", -1_000_000, "read:repo/**"));
    List<Long> arrived = new ArrayList<>();
    int i = 0;
    for (long t : stamps) {
      // When
      Decision d = h.decide(s.delegate("agent:p", t / 1000.0, "agent:c" + i++, "read:repo/a"));
      // Then: FLAG exactly when the window (t - W, t] holds more than max, this step included
      long inWindow = 1 + arrived.stream().filter(x -> t - W < x && x <= t).count();
      assertThat(d.findings().isEmpty()).as("step %d at %d", i, t).isEqualTo(inWindow <= max);
      arrived.add(t);
    }
  }

  /** Up to 150 stamps in milliseconds within five windows, clustered, so duplicates and bursts occur. */
  @Provide
  Arbitrary<List<Long>> stamps() {
    Arbitrary<Long> wide = Arbitraries.longs().between(0, 5 * W - 1);
    Arbitrary<Long> burst = Arbitraries.longs().between(0, 40).map(x -> 2 * W + x * 250);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(2, wide), net.jqwik.api.Tuple.of(3, burst))
        .list()
        .ofMaxSize(150);
  }

  private static int in(long[] times, long a) {
    int c = 0;
    for (long x : times) {
      if (a - W < x && x <= a) {
        c++;
      }
    }
    return c;
  }

  private static boolean isSubsequence(long[] sub, long[] all) {
    int j = 0;
    for (int i = 0; i < all.length && j < sub.length; i++) {
      if (all[i] == sub[j]) {
        j++;
      }
    }
    return j == sub.length;
  }
}
