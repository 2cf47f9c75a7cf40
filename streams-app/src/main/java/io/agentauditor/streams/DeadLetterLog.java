package io.agentauditor.streams;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The log lines of dead letters, rate-limited: at most {@value #LINES_PER_WINDOW} a minute per
 * handler, then one line saying how many were left out. Every dead letter still goes to the
 * dead-letter topic and is counted on {@code /metrics} ({@code auditor_dead_letters_total}): a flood
 * of bad input must not flood the log too. Thread-safe.
 */
final class DeadLetterLog {

  static final int LINES_PER_WINDOW = 10;
  static final Duration WINDOW = Duration.ofMinutes(1);

  private final Logger logger;
  private final LongSupplier nanoTime;
  private long windowStart;
  private int logged;
  private long leftOut;

  DeadLetterLog(Logger logger) {
    this(logger, System::nanoTime);
  }

  DeadLetterLog(Logger logger, LongSupplier nanoTime) {
    this.logger = Objects.requireNonNull(logger, "logger");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.windowStart = nanoTime.getAsLong();
  }

  /** Logs {@code format} at WARN unless this window's lines are used up. */
  void warn(String format, Object... arguments) {
    if (admit()) {
      logger.warn(format, arguments);
    }
  }

  private synchronized boolean admit() {
    long now = nanoTime.getAsLong();
    if (now - windowStart >= WINDOW.toNanos()) {
      if (leftOut > 0) {
        logger.warn(
            "{} more dead letters in the last {} s were not logged (each is on the dead-letter"
                + " topic and counted in auditor_dead_letters_total)",
            leftOut,
            WINDOW.toSeconds());
      }
      windowStart = now;
      logged = 0;
      leftOut = 0;
    }
    if (logged < LINES_PER_WINDOW) {
      logged++;
      return true;
    }
    leftOut++;
    return false;
  }
}
