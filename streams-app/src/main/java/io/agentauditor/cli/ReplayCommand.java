package io.agentauditor.cli;

import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.replay.Replayer;
import io.agentauditor.replay.RocksDbStateStore;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./auditor replay --input FILE [--policies DIR] [--output FILE]} (contract section 10):
 * decisions as JSON Lines in input order; dead letters on stderr as {@code line N: reason}.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    header = "Decide a JSON Lines file of agent events in-process.",
    description =
        "Decide a JSON Lines file of agent events in-process, as the streaming auditor would. "
            + "Decisions go out in input order as JSON Lines; invalid lines are reported on stderr as "
            + "'line N: reason'. State is kept in a scratch RocksDB store, so memory stays flat.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every line was decided",
      "3:at least one line was a dead letter",
      "2:usage error, unreadable input or a policy bundle that fails to load"
    })
public final class ReplayCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int DEAD_LETTERS = 3;
  static final int ERROR = 2;

  /** {@code --input -}: standard input. */
  private static final String STDIN = "-";

  /** Block cache of the scratch state store: with its write buffers, the replay's off-heap bound. */
  private static final long STATE_CACHE_BYTES = 64L << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description = "Events, one JSON object per line; - reads standard input.")
  Path input;

  @Option(
      names = "--policies",
      paramLabel = "DIR",
      defaultValue = BundleDirectory.DEFAULT,
      description = "Policy bundle directory (default: ${DEFAULT-VALUE}).")
  Path policies;

  @Option(names = "--output", paramLabel = "FILE", description = "Decisions file (default: stdout).")
  Path output;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Path bundle = BundleDirectory.resolve(policies);
    Policy policy = BundleDirectory.loadOrReport(bundle, err);
    if (policy == null) {
      return ERROR;
    }
    if (output != null && sameFile(input, output)) {
      err.println("replay: --output " + output + " is the input file; refusing to overwrite it");
      err.flush();
      return ERROR;
    }
    Replayer.Counts counts;
    try (InputStream in = openInput();
        OutputStream out = openOutput();
        RocksDbStateStore store = RocksDbStateStore.temporary(STATE_CACHE_BYTES)) {
      // The scratch store is removed on close; a replay stopped by a signal never gets there.
      Thread cleanup = new Thread(() -> RocksDbStateStore.deleteDirectory(store.directory()));
      Runtime.getRuntime().addShutdownHook(cleanup);
      try {
        counts =
            new Replayer(new AuditEngine(policy))
                .run(in, out, new CachingStateStore(store), (line, reason) -> err.println("line " + line + ": " + reason));
      } finally {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      }
    } catch (NoSuchFileException | FileNotFoundException e) {
      err.println("replay: no such file: " + e.getMessage());
      err.flush();
      return ERROR;
    } catch (IOException e) {
      err.println("replay: " + e);
      err.flush();
      return ERROR;
    }
    err.flush();
    return counts.deadLetters() == 0 ? OK : DEAD_LETTERS;
  }

  private InputStream openInput() throws IOException {
    if (STDIN.equals(input.toString())) {
      return new java.io.FilterInputStream(System.in) {
        @Override
        public void close() {
          // Standard input belongs to the process, not to the replay.
        }
      };
    }
    return Files.newInputStream(input);
  }

  /** Whether {@code output} names the input file (through any path or link); stdin never is. */
  private static boolean sameFile(Path input, Path output) {
    if (STDIN.equals(input.toString())) {
      return false;
    }
    try {
      return Files.exists(output) && Files.exists(input) && Files.isSameFile(input, output);
    } catch (IOException e) {
      return input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize());
    }
  }

  private OutputStream openOutput() throws IOException {
    if (output == null) {
      return new BufferedOutputStream(new UnclosableStdout(), 1 << 16);
    }
    return new BufferedOutputStream(Files.newOutputStream(output), 1 << 16);
  }

  /** Standard output, flushed but never closed by the replay. */
  private static final class UnclosableStdout extends OutputStream {
    @Override
    public void write(int b) {
      System.out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.out.write(b, off, len);
    }

    @Override
    public void flush() {
      System.out.flush();
    }

    @Override
    public void close() {
      flush();
    }
  }
}
