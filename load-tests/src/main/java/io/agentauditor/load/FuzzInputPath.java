package io.agentauditor.load;

import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fuzzing run of the whole input path ({@link InputFuzzer}): prints the accounting, the kinds of
 * dead letters and every failure, and writes each failure as a regression case.
 *
 * <p>Usage: {@code FuzzInputPath [records=1000000] [seed=16] [policies=policies]
 * [cases=load-tests/src/test/resources/fuzz-regressions]}. Exit code 1 when a record crashed, broke
 * the accounting or hid a crash in a dead letter.
 */
public final class FuzzInputPath {

  private FuzzInputPath() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> options = TopologyThroughput.parse(args);
    int records = Integer.parseInt(options.getOrDefault("records", "1000000"));
    long seed = Long.parseLong(options.getOrDefault("seed", "16"));
    Policy policy = PolicyBundleLoader.load(Path.of(options.getOrDefault("policies", "policies")));
    Path cases = Path.of(options.getOrDefault("cases", "load-tests/src/test/resources/fuzz-regressions"));
    Path state = Files.createTempDirectory("agent-auditor-fuzz-");
    long start = System.nanoTime();
    InputFuzzer.Summary summary;
    try (InputFuzzer fuzzer = new InputFuzzer(policy, state)) {
      summary = fuzzer.run(seed, records);
    } finally {
      deleteQuietly(state);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "seed %d, %d generated records in %.0f s (%.0f records/s)%n",
        seed, records, seconds, records / seconds);
    print(summary);
    if (!summary.failures().isEmpty()) {
      List<Path> written = InputFuzzer.writeCases(summary.failures(), cases, "seed" + seed);
      System.out.printf(Locale.ROOT, "%d failure case(s) written to %s%n", written.size(), cases);
      System.exit(1);
    }
  }

  static void print(InputFuzzer.Summary s) {
    System.out.printf(
        Locale.ROOT,
        "inputs %d = decisions %d + dead letters %d (topology) + %d (JSON codec): %s%n"
            + "idle-timeout decisions %d (not inputs); mutants Avro could not write %d (not inputs)%n"
            + "slowest record %d ms; failures %d%n",
        s.inputs(), s.decisions(), s.deadLetters(), s.jsonDeadLetters(),
        s.accountingHolds() ? "holds" : "BROKEN", s.idleTimeouts(), s.unproducible(),
        s.slowestMillis(), s.failures().size());
    System.out.println("mutations: " + s.mutations());
    System.out.println("dead letters by error and reason:");
    s.deadLetterErrors().entrySet().stream()
        .sorted(Collections.reverseOrder(Map.Entry.comparingByValue()))
        .forEach(e -> System.out.printf(Locale.ROOT, "  %8d  %s%n", e.getValue(), e.getKey()));
    s.failures().stream().limit(50).forEach(f -> System.out.println("FAILURE: " + f.what()));
  }

  private static void deleteQuietly(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
