package io.agentauditor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyFilterTest {

  @Test
  void shouldNeverDenyAKeyItWasGivenAsItGrows() {
    // Given more keys than its first filter is sized for
    KeyFilter filter = new KeyFilter(32L << 20);
    int keys = 200_000;
    // When
    for (int i = 0; i < keys; i++) {
      filter.add(key("written", i));
    }
    // Then
    assertThat(filter.saturated()).isFalse();
    for (int i = 0; i < keys; i++) {
      assertThat(filter.mightContain(key("written", i))).as("key %d", i).isTrue();
    }
  }

  @Test
  void shouldDenyNearlyEveryKeyItWasNotGiven() {
    // Given
    KeyFilter filter = new KeyFilter(32L << 20);
    for (int i = 0; i < 200_000; i++) {
      filter.add(key("written", i));
    }
    // When
    int maybe = 0;
    int probes = 100_000;
    for (int i = 0; i < probes; i++) {
      if (filter.mightContain(key("absent", i))) {
        maybe++;
      }
    }
    // Then: a few percent at most answer "maybe" wrongly
    assertThat(maybe).isLessThan(probes * 3 / 100);
  }

  @Test
  void shouldAnswerMaybeForEveryKeyOnceItStopsGrowing() {
    // Given a bound of two filters of the first size: the third never comes
    KeyFilter filter = new KeyFilter(3 * 8 * 4096);
    int i = 0;
    // When
    while (!filter.saturated()) {
      filter.add(key("written", i++));
    }
    // Then
    assertThat(i).isGreaterThan(3 * 64 * 4096 / KeyFilter.BITS_PER_KEY);
    assertThat(filter.mightContain(key("absent", 1))).isTrue();
    assertThat(filter.mightContain(key("written", 1))).isTrue();
  }

  private static byte[] key(String prefix, int i) {
    return (prefix + "/session-" + (i / 7) + "/event-" + i).getBytes(StandardCharsets.UTF_8);
  }
}
