package io.agentauditor.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do when a stream thread dies: {@code REPLACE_THREAD} up to {@code maxReplacements}
 * times within any sliding {@code window}, then {@code SHUTDOWN_CLIENT}, so a poison condition
 * (bad state, broken disk) stops the instance for an operator instead of looping forever, while a
 * rare transient failure heals itself. A {@link Error} (e.g. out of memory) shuts down at once.
 *
 * <p>Counts decisions in {@code auditor.stream.thread.failures{response=replace_thread|shutdown_client}}.
 * Thread-safe: several stream threads may fail at once.
 */
public final class StreamThreadFailurePolicy implements StreamsUncaughtExceptionHandler {

  private static final Logger LOGGER = LoggerFactory.getLogger(StreamThreadFailurePolicy.class);

  private final int maxReplacements;
  private final Duration window;
  private final Clock clock;
  private final Deque<Instant> replacements = new ArrayDeque<>();
  private final Counter replaced;
  private final Counter shutdowns;

  /**
   * @param maxReplacements replacements allowed per window, at least 0 (0: never replace)
   * @param window the sliding window, positive
   * @param clock time source; {@link Clock#systemUTC()} in production
   * @param registry where the failure counter is registered
   */
  public StreamThreadFailurePolicy(
      int maxReplacements, Duration window, Clock clock, MeterRegistry registry) {
    if (maxReplacements < 0) {
      throw new IllegalArgumentException("maxReplacements must be >= 0, was " + maxReplacements);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, was " + window);
    }
    this.maxReplacements = maxReplacements;
    this.window = window;
    this.clock = clock;
    this.replaced = counter(registry, "replace_thread");
    this.shutdowns = counter(registry, "shutdown_client");
  }

  /** The policy configured by {@code thread.replacement.max} and {@code thread.replacement.window.ms}. */
  public static StreamThreadFailurePolicy from(AuditorConfig config, MeterRegistry registry) {
    return new StreamThreadFailurePolicy(
        config.threadReplacementMax(), config.threadReplacementWindow(), Clock.systemUTC(), registry);
  }

  private static Counter counter(MeterRegistry registry, String response) {
    return Counter.builder("auditor.stream.thread.failures")
        .description("Stream threads that died, by the response chosen")
        .tag("response", response)
        .register(registry);
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    Instant now = clock.instant();
    Instant windowStart = now.minus(window);
    while (!replacements.isEmpty() && !replacements.peekFirst().isAfter(windowStart)) {
      replacements.removeFirst();
    }
    if (!causedByError(exception) && replacements.size() < maxReplacements) {
      replacements.addLast(now);
      replaced.increment();
      LOGGER.error(
          "Stream thread died; replacing it ({} of {} allowed per {})",
          replacements.size(), maxReplacements, window, exception);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    shutdowns.increment();
    LOGGER.error(
        "Stream thread died and {} replacements were already made in the last {} (or the cause is"
            + " fatal); shutting this instance down",
        replacements.size(), window, exception);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /** Kafka wraps what killed the thread; an Error anywhere in the chain is fatal. */
  private static boolean causedByError(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Error) {
        return true;
      }
    }
    return false;
  }
}
