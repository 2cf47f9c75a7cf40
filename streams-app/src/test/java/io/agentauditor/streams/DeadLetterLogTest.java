package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class DeadLetterLogTest {

  /** A logger that keeps what it is given. */
  static final class Lines extends AbstractLogger {
    final List<String> lines = new ArrayList<>();

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, arguments));
    }

    @Override public boolean isTraceEnabled() { return true; }
    @Override public boolean isTraceEnabled(Marker marker) { return true; }
    @Override public boolean isDebugEnabled() { return true; }
    @Override public boolean isDebugEnabled(Marker marker) { return true; }
    @Override public boolean isInfoEnabled() { return true; }
    @Override public boolean isInfoEnabled(Marker marker) { return true; }
    @Override public boolean isWarnEnabled() { return true; }
    @Override public boolean isWarnEnabled(Marker marker) { return true; }
    @Override public boolean isErrorEnabled() { return true; }
    @Override public boolean isErrorEnabled(Marker marker) { return true; }
  }

  @Test
  void shouldLogTenDeadLettersAMinuteThenSayHowManyWereLeftOut() {
    // Given
    Lines logger = new Lines();
    AtomicLong now = new AtomicLong();
    DeadLetterLog log = new DeadLetterLog(logger, now::get);

    // When 25 dead letters come within a minute, then one more a minute later
    for (int i = 0; i < 25; i++) {
      log.warn("Dead letter {}", i);
    }
    now.addAndGet(DeadLetterLog.WINDOW.toNanos());
    log.warn("Dead letter {}", 25);

    // Then the first ten are logged, then the count of the fifteen left out, then the new one
    assertThat(logger.lines).hasSize(12);
    assertThat(logger.lines.subList(0, 10)).containsExactly(
        "WARN Dead letter 0", "WARN Dead letter 1", "WARN Dead letter 2", "WARN Dead letter 3",
        "WARN Dead letter 4", "WARN Dead letter 5", "WARN Dead letter 6", "WARN Dead letter 7",
        "WARN Dead letter 8", "WARN Dead letter 9");
    assertThat(logger.lines.get(10)).startsWith("WARN 15 more dead letters in the last 60 s were not logged");
    assertThat(logger.lines.get(11)).isEqualTo("WARN Dead letter 25");
  }
}
