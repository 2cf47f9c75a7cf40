package io.agentauditor.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The auditor's SLF4J backend (found by {@link java.util.ServiceLoader}): slf4j-simple's settings,
 * plus a JSON format ({@link LogSettings}). Settings are read at initialisation, so {@code
 * ./auditor} sets them (from {@code --log-level} and {@code --log-format}) before the first logger.
 */
public final class AuditorLoggingProvider implements SLF4JServiceProvider {

  private ILoggerFactory loggers;
  private IMarkerFactory markers;
  private MDCAdapter mdc;

  @Override
  public void initialize() {
    LogSettings settings = LogSettings.load();
    ConcurrentMap<String, Logger> byName = new ConcurrentHashMap<>();
    loggers = name -> byName.computeIfAbsent(name, n -> new AuditorLogger(n, settings));
    markers = new BasicMarkerFactory();
    mdc = new NOPMDCAdapter();
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }
}
