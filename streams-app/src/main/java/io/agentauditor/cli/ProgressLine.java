package io.agentauditor.cli;

import io.agentauditor.replay.ReplayReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The progress line of a long replay (contract section 10): every {@value #PERIOD_SECONDS} s on
 * stderr, when stderr is a terminal, until closed. Decisions and dead letters are the command's
 * output, so nothing is printed when stderr is a file or a pipe.
 */
final class ProgressLine implements AutoCloseable {

  static final long PERIOD_SECONDS = 10;

  private final ScheduledExecutorService timer;

  private ProgressLine(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** Prints {@code report}'s progress line to {@code err} every period, if stderr is a terminal. */
  static ProgressLine start(String command, ReplayReport report, PrintWriter err) {
    if (!stderrIsTerminal()) {
      return new ProgressLine(null);
    }
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, command + "-progress");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleAtFixedRate(
        () -> {
          err.println(report.progressLine(command));
          err.flush();
        },
        PERIOD_SECONDS,
        PERIOD_SECONDS,
        TimeUnit.SECONDS);
    return new ProgressLine(timer);
  }

  /**
   * Whether file descriptor 2 is a terminal: on Linux, where it links to; elsewhere, whether the
   * JVM has a console at all.
   */
  static boolean stderrIsTerminal() {
    Path fd = Path.of("/proc/self/fd/2");
    if (Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try {
        String target = Files.readSymbolicLink(fd).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    return System.console() != null;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
