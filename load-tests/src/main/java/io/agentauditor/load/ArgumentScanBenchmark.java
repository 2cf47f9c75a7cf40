package io.agentauditor.load;

import io.agentauditor.engine.ArgumentScanner;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.model.CredentialStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's pattern scan of one tool call's arguments (secret patterns, then code patterns for
 * repository and config-file sinks, as {@code AuditEngine} runs them), over the tool calls of the
 * realistic mix ({@link SessionGenerator#realistic}: half of them file writes of 300 B to 4 KB):
 * mean ns per tool call, cycling through 4,096 of them; {@code -p arguments=small} for the mix
 * with file writes of 20 to 60 bytes ({@link SessionGenerator#smallArguments}), where every value
 * is short. Complements {@link PatternScanBenchmark}, which times single regexes on one value.
 */
@Fork(value = 1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Threads(1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ArgumentScanBenchmark {

  private static final int CALLS = 4096;

  /** {@code realistic} or {@code small}: the mix the tool calls come from. */
  @Param({"realistic", "small"})
  public String arguments;

  private ArgumentScanner scan;
  private Map<String, String>[] args;
  private CredentialStorage[] sinks;
  private int next;

  @Setup(Level.Trial)
  @SuppressWarnings("unchecked")
  public void generate() {
    scan = new ArgumentScanner(Workload.defaultPolicy());
    List<Map<String, String>> a = new ArrayList<>();
    List<CredentialStorage> s = new ArrayList<>();
    SessionGenerator generator =
        switch (arguments) {
          case "realistic" -> SessionGenerator.realistic(Workload.SEED);
          case "small" -> SessionGenerator.smallArguments(Workload.SEED);
          default ->
              throw new IllegalArgumentException("arguments: realistic or small, got " + arguments);
        };
    while (a.size() < CALLS) {
      for (AgentEvent e : generator.take(1000)) {
        if (e.getToolCall() != null && a.size() < CALLS) {
          a.add(e.getToolCall().getArguments());
          s.add(scan.sink(e.getToolCall().getTool()));
        }
      }
    }
    args = a.toArray(new Map[0]);
    sinks = s.toArray(new CredentialStorage[0]);
  }

  /** One tool call of the mix, the next each time. */
  @Benchmark
  public int toolCall() {
    int i = next;
    next = (i + 1) & (CALLS - 1);
    return scan(args[i], sinks[i]);
  }

  /**
   * What the engine's tool-call rules scan, both pattern rules enabled: the secret patterns unless
   * the sink is the secrets manager, and the code patterns for a repository or a config file, in
   * one scan; the total length of the messages (0 when nothing fires).
   */
  private int scan(Map<String, String> arguments, CredentialStorage sink) {
    ArgumentScanner.Hits hits =
        scan.scan(
            arguments,
            sink != CredentialStorage.SECRETS_MANAGER,
            sink == CredentialStorage.REPOSITORY || sink == CredentialStorage.CONFIG_FILE);
    return (hits.secrets() == null ? 0 : hits.secrets().length())
        + (hits.code() == null ? 0 : hits.code().length());
  }
}
