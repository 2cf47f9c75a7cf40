package io.agentauditor.logging;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;
import org.slf4j.event.Level;

/**
 * What the auditor's log backend reads, once, at its first logger: the keys of slf4j-simple (so the
 * existing {@code simplelogger.properties} and {@code -Dorg.slf4j.simpleLogger.*} settings keep
 * working) and the format.
 *
 * <ul>
 *   <li>{@code org.slf4j.simpleLogger.defaultLogLevel}: trace, debug, info (default), warn, error
 *       or off;
 *   <li>{@code org.slf4j.simpleLogger.log.NAME}: the level of logger NAME and those below it (the
 *       longest prefix wins);
 *   <li>{@value #FORMAT}: {@code text} (default) or {@code json} (one object a line).
 * </ul>
 *
 * System properties win over the {@code simplelogger.properties} resource. Immutable.
 */
final class LogSettings {

  static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
  static final String LOGGER_PREFIX = "org.slf4j.simpleLogger.log.";
  /** The log format property: {@code text} or {@code json}. */
  static final String FORMAT = "auditor.log.format";

  /** A level number above ERROR's: nothing is logged. */
  static final int OFF = Level.ERROR.toInt() + 10;

  private final Properties properties;
  private final int defaultLevel;
  private final boolean json;

  private LogSettings(Properties properties) {
    this.properties = properties;
    this.defaultLevel = level(properties.getProperty(DEFAULT_LEVEL), Level.INFO.toInt());
    this.json = "json".equalsIgnoreCase(properties.getProperty(FORMAT, "text").trim());
  }

  /** Settings from {@code properties} alone. */
  static LogSettings of(Properties properties) {
    Properties copy = new Properties();
    copy.putAll(properties);
    return new LogSettings(copy);
  }

  /** The resource's settings under the system properties. */
  static LogSettings load() {
    Properties merged = new Properties();
    try (InputStream in =
        LogSettings.class.getClassLoader().getResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        merged.load(in);
      }
    } catch (IOException e) {
      // Defaults, then: a logging backend must not stop the application.
    }
    System.getProperties().forEach((k, v) -> merged.put(k, v));
    return new LogSettings(merged);
  }

  boolean json() {
    return json;
  }

  /** The level number below which {@code name} logs nothing. */
  int threshold(String name) {
    String n = name;
    while (true) {
      String value = properties.getProperty(LOGGER_PREFIX + n);
      if (value != null) {
        return level(value, defaultLevel);
      }
      int dot = n.lastIndexOf('.');
      if (dot < 0) {
        return defaultLevel;
      }
      n = n.substring(0, dot);
    }
  }

  private static int level(String value, int otherwise) {
    if (value == null) {
      return otherwise;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "trace" -> Level.TRACE.toInt();
      case "debug" -> Level.DEBUG.toInt();
      case "info" -> Level.INFO.toInt();
      case "warn" -> Level.WARN.toInt();
      case "error" -> Level.ERROR.toInt();
      case "off" -> OFF;
      default -> otherwise;
    };
  }
}
