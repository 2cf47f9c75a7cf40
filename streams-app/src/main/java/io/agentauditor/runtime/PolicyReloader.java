package io.agentauditor.runtime;

import io.agentauditor.policy.Policy;
import io.agentauditor.streams.PolicySource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle in force for {@code run}, and its rollout without a restart: every {@code interval}
 * the bundle directory's files (names and contents, cases included) are compared with the last look;
 * on a change the bundle is loaded and checked by a {@link PolicyGate}, and takes over only if it
 * passes. A refused bundle is logged once with every reason and counted; the running one keeps
 * deciding. Each audit task reads {@link #current()} before each step, so a step is decided wholly
 * under one bundle (see {@code TaskEngine}).
 *
 * <p>Meters: {@code auditor_policy_info{policy,name,version,digest}} (1 for the bundle in force),
 * {@code auditor_policy_reloads_total{outcome="applied"|"refused"}}.
 *
 * <p>Lifecycle: construct with the bundle loaded at start, {@link #start} the watch (not started
 * when the interval is zero), {@link #close()}. Thread-safe.
 */
final class PolicyReloader implements PolicySource, AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(PolicyReloader.class);

  private final Path dir;
  private final PolicyGate gate;
  private final Counter applied;
  private final Counter refused;
  private final MultiGauge info;
  private volatile Policy current;
  private String lastLook = "";
  private ScheduledExecutorService watcher;

  PolicyReloader(Path dir, Policy initial, PolicyGate gate, MeterRegistry registry) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.current = Objects.requireNonNull(initial, "initial");
    this.gate = Objects.requireNonNull(gate, "gate");
    this.applied = reloads(registry, "applied");
    this.refused = reloads(registry, "refused");
    this.info =
        MultiGauge.builder("auditor.policy.info")
            .description("The policy bundle in force (value 1), by identity")
            .register(registry);
    publish(initial);
  }

  private static Counter reloads(MeterRegistry registry, String outcome) {
    return Counter.builder("auditor.policy.reloads")
        .description("New policy bundles found in the bundle directory, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  private void publish(Policy policy) {
    info.register(
        List.of(
            MultiGauge.Row.of(
                Tags.of(
                    "policy", policy.identity(),
                    "name", policy.name(),
                    "version", policy.version(),
                    "digest", policy.digest()),
                1)),
        true);
  }

  @Override
  public Policy current() {
    return current;
  }

  /**
   * Looks at the directory every {@code interval}, its contents now taken as those of the bundle in
   * force; does nothing for a zero interval or a directory that isn't one.
   */
  synchronized void start(Duration interval) {
    if (interval.isZero() || watcher != null) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      LOGGER.warn("Not watching {} for new policy bundles: not a directory", dir);
      return;
    }
    lastLook = look();
    watcher =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "auditor-policy-reload");
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    watcher.scheduleWithFixedDelay(this::checkSafely, millis, millis, TimeUnit.MILLISECONDS);
    LOGGER.info("Watching {} for a new policy bundle every {}", dir, interval);
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: the watch must outlive any one failure.
      LOGGER.warn("Policy reload check of {} failed: {}", dir, e.toString());
    }
  }

  /**
   * Loads the bundle if the directory changed since the last look, and switches to it if it passes
   * the gate.
   *
   * @return true if a new bundle took over
   */
  synchronized boolean check() {
    String look = look();
    if (look.equals(lastLook)) {
      return false;
    }
    lastLook = look;
    Policy running = current;
    PolicyGate.Verdict verdict = gate.candidate(dir, running);
    if (!verdict.accepted()) {
      refused.increment();
      LOGGER.warn(
          "Policy bundle in {} refused, {} keeps deciding: {}",
          dir,
          running.identity(),
          String.join("; ", verdict.reasons()));
      return false;
    }
    Policy next = verdict.policy();
    if (next.identity().equals(running.identity())) {
      return false; // touched, not changed
    }
    next.warnings().forEach(w -> LOGGER.warn("Policy bundle: {}", w));
    current = next;
    publish(next);
    applied.increment();
    LOGGER.info("Policy {} now in force (was {})", next.identity(), running.identity());
    return true;
  }

  /**
   * A digest of every regular file's path and contents, in path order: a bundle is a few kilobytes,
   * and a digest sees an edit that keeps the size and the modification time.
   */
  private String look() {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted().toList()) {
        if (Files.isRegularFile(file)) {
          sha256.update(dir.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
          sha256.update((byte) 0);
          sha256.update(Files.readAllBytes(file));
        }
      }
    } catch (IOException e) {
      // A file deleted while walking, say: looked at again next time.
      throw new UncheckedIOException("cannot read " + dir, e);
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.shutdownNow();
      watcher = null;
    }
  }
}
