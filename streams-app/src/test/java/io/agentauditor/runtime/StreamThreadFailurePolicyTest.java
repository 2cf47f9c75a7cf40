package io.agentauditor.runtime;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class StreamThreadFailurePolicyTest {

  /** A clock the test moves by hand. */
  private static final class FakeClock extends Clock {
    private Instant now = Instant.parse("2026-11-26T10:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private static final RuntimeException FAILURE = new StreamsException("task failed");

  private final FakeClock clock = new FakeClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void shouldReplaceUpToTheLimitWithinTheWindowThenShutDown() {
    // Given
    StreamThreadFailurePolicy policy =
        new StreamThreadFailurePolicy(3, Duration.ofMinutes(10), clock, registry);

    // When / Then
    assertThat(policy.handle(FAILURE)).isEqualTo(REPLACE_THREAD);
    clock.advance(Duration.ofMinutes(1));
    assertThat(policy.handle(FAILURE)).isEqualTo(REPLACE_THREAD);
    clock.advance(Duration.ofMinutes(1));
    assertThat(policy.handle(FAILURE)).isEqualTo(REPLACE_THREAD);
    clock.advance(Duration.ofMinutes(1));
    assertThat(policy.handle(FAILURE)).isEqualTo(SHUTDOWN_CLIENT);
    assertThat(registry.get("auditor.stream.thread.failures").tag("response", "replace_thread")
        .counter().count()).isEqualTo(3);
    assertThat(registry.get("auditor.stream.thread.failures").tag("response", "shutdown_client")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void shouldForgetReplacementsThatSlidOutOfTheWindow() {
    // Given: two replacements at t0 and t0+4m, limit 2 per 5 minutes
    StreamThreadFailurePolicy policy =
        new StreamThreadFailurePolicy(2, Duration.ofMinutes(5), clock, registry);
    assertThat(policy.handle(FAILURE)).isEqualTo(REPLACE_THREAD);
    clock.advance(Duration.ofMinutes(4));
    assertThat(policy.handle(FAILURE)).isEqualTo(REPLACE_THREAD);

    // When: exactly 5 minutes after the first, it leaves the window (t - W < failure <= t)
    clock.advance(Duration.ofMinutes(1));

    // Then
    assertThat(policy.handle(FAILURE)).isEqualTo(REPLACE_THREAD);
    // and now t0+4m and t0+5m are both in the window
    clock.advance(Duration.ofSeconds(30));
    assertThat(policy.handle(FAILURE)).isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void shouldShutDownAtOnceWhenReplacementIsDisabledOrTheCauseIsAnError() {
    StreamThreadFailurePolicy never = new StreamThreadFailurePolicy(0, Duration.ofMinutes(1), clock, registry);
    StreamThreadFailurePolicy generous =
        new StreamThreadFailurePolicy(100, Duration.ofMinutes(1), clock, new SimpleMeterRegistry());

    assertThat(never.handle(FAILURE)).isEqualTo(SHUTDOWN_CLIENT);
    assertThat(generous.handle(new StreamsException(new OutOfMemoryError("heap"))))
        .isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void shouldTakeItsLimitsFromTheConfiguration() {
    AuditorConfig config =
        AuditorConfig.fromMap(
            Map.of(
                "bootstrap.servers", "k:9092",
                "schema.registry.url", "mock://x",
                "thread.replacement.max", "1",
                "thread.replacement.window.ms", "60000"),
            Map.of());
    StreamThreadFailurePolicy policy = StreamThreadFailurePolicy.from(config, registry);

    assertThat(policy.handle(FAILURE)).isEqualTo(REPLACE_THREAD);
    assertThat(policy.handle(FAILURE)).isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void shouldRejectANegativeLimitOrAnEmptyWindow() {
    assertThatThrownBy(() -> new StreamThreadFailurePolicy(-1, Duration.ofMinutes(1), clock, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> new StreamThreadFailurePolicy(1, Duration.ZERO, clock, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
  }
}
