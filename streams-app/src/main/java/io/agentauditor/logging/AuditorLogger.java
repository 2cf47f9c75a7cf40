package io.agentauditor.logging;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One named logger of the auditor's backend: a line per event on stderr, as text ({@code
 * 2026-12-07T16:00:00.000Z [thread] WARN name - message}, as slf4j-simple wrote it) or as JSON
 * ({@code {"time","level","logger","thread","message","error"?}}). The level is fixed when the
 * logger is made. Thread-safe.
 */
final class AuditorLogger extends LegacyAbstractLogger {

  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneId.of("UTC"));

  private final transient LogSettings settings;
  private final int threshold;

  AuditorLogger(String name, LogSettings settings) {
    this.name = name;
    this.settings = settings;
    this.threshold = settings.threshold(name);
  }

  private boolean enabled(Level level) {
    return level.toInt() >= threshold;
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(pattern, arguments);
    String time = TIME.format(Instant.now());
    String thread = Thread.currentThread().getName();
    String line =
        settings.json()
            ? json(time, level, thread, message, throwable)
            : text(time, level, thread, message, throwable);
    PrintStream err = System.err;
    synchronized (err) {
      err.print(line);
      err.flush();
    }
  }

  private String text(String time, Level level, String thread, String message, Throwable t) {
    StringBuilder sb = new StringBuilder(128);
    sb.append(time).append(" [").append(thread).append("] ").append(level).append(' ');
    sb.append(name).append(" - ").append(message).append(System.lineSeparator());
    if (t != null) {
      sb.append(stackTrace(t));
    }
    return sb.toString();
  }

  private String json(String time, Level level, String thread, String message, Throwable t) {
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"time\":\"").append(time).append('"');
    sb.append(",\"level\":\"").append(level).append('"');
    field(sb, "logger", name);
    field(sb, "thread", thread);
    field(sb, "message", message);
    if (t != null) {
      field(sb, "error", t.toString());
      field(sb, "stackTrace", stackTrace(t));
    }
    return sb.append('}').append('\n').toString();
  }

  private static void field(StringBuilder sb, String key, String value) {
    sb.append(",\"").append(key).append("\":\"");
    JsonStringEncoder.getInstance().quoteAsString(value, sb);
    sb.append('"');
  }

  private static String stackTrace(Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }
}
