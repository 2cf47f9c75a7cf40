package io.agentauditor.load;

import com.google.re2j.Pattern;
import io.agentauditor.policy.NamedPattern;
import io.agentauditor.policy.Policy;
import java.util.ArrayList;
import java.util.List;
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
 * The cost of scanning one file-write argument (a generated 2 KB value that matches nothing, as
 * almost every value does) with each default-bundle pattern, with the unions of the secret and the
 * code patterns that the engine screens with, and against a baseline of the same run: a {@code
 * String.indexOf} of a literal over the same value (what a literal prefilter costs).
 */
@Fork(value = 1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Threads(1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class PatternScanBenchmark {

  /** A default-bundle pattern id, or {@code union-secret} / {@code union-code}. */
  @Param({
    "union-secret",
    "union-code",
    "aws-access-key-id",
    "jwt",
    "terraform-azurerm-sas-without-expiry",
    "token-expires-at-null",
    "token-expiration-never"
  })
  public String pattern;

  private Pattern compiled;
  private String value;

  @Setup(Level.Trial)
  public void compile() {
    Policy policy = Workload.defaultPolicy();
    List<NamedPattern> all = new ArrayList<>(policy.secretPatterns());
    all.addAll(policy.codePatterns());
    compiled =
        switch (pattern) {
          case "union-secret" -> union(policy.secretPatterns());
          case "union-code" -> union(policy.codePatterns());
          default -> all.stream()
              .filter(p -> p.id().equals(pattern))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("no pattern " + pattern))
              .pattern();
        };
    SessionGenerator generator = new SessionGenerator(Workload.SEED, 1, 50, 200, 2000, 2000);
    value = generator.take(5000).stream()
        .filter(e -> e.getToolCall() != null && e.getToolCall().getArguments().containsKey("content"))
        .map(e -> e.getToolCall().getArguments().get("content"))
        .filter(v -> !compiled.matcher(v).find())
        .findFirst()
        .orElseThrow();
  }

  /** The union the engine builds: {@code (?:p1)|(?:p2)|...}. */
  private static Pattern union(List<NamedPattern> patterns) {
    StringBuilder sb = new StringBuilder();
    for (NamedPattern p : patterns) {
      sb.append(sb.length() == 0 ? "" : "|").append("(?:").append(p.pattern().pattern()).append(')');
    }
    return Pattern.compile(sb.toString());
  }

  @Benchmark
  public boolean find() {
    return compiled.matcher(value).find();
  }

  /** Baseline: searching the same value for a literal that is not in it. */
  @Benchmark
  public int indexOfBaseline() {
    return value.indexOf("azurerm_storage_account_sas");
  }
}
