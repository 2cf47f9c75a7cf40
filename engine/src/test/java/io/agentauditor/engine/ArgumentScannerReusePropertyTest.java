package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A scanner that has scanned other arguments before, with hits or without, for secrets, code or
 * both, decides each call as a scanner that never scanned anything: nothing a call marks is seen
 * by the next.
 */
class ArgumentScannerReusePropertyTest {

  private final ArgumentScannerAutomataPropertyTest arguments = new ArgumentScannerAutomataPropertyTest();

  /** One call: two arguments, and which sets to run (bit 0 secrets, bit 1 code). */
  record Call(Map<String, String> args, int sets) {}

  /** A few calls in a row. */
  @Provide
  Arbitrary<List<Call>> calls() {
    return call().list().ofMinSize(2).ofMaxSize(6);
  }

  private Arbitrary<Call> call() {
    return Combinators.combine(
            arguments.names(), arguments.values(), arguments.values(), Arbitraries.integers().between(1, 3))
        .as(
            (n, v1, v2, sets) -> {
              Map<String, String> args = new LinkedHashMap<>();
              args.put(n, v1);
              args.put("path", v2);
              return new Call(args, sets);
            });
  }

  @Property(tries = 400)
  void shouldDecideEachCallAsAFreshScannerDoes(@ForAll("calls") List<Call> calls) {
    // Given one scanner for the whole sequence
    ArgumentScanner reused = new ArgumentScanner(PatternSetTest.POLICY);

    for (Call c : calls) {
      // When it scans each call, Then it decides as a scanner made for that call alone
      boolean secrets = (c.sets() & 1) != 0;
      boolean code = (c.sets() & 2) != 0;
      assertThat(reused.scan(c.args(), secrets, code))
          .as("%s, secrets %s, code %s", c.args(), secrets, code)
          .isEqualTo(new ArgumentScanner(PatternSetTest.POLICY).scan(c.args(), secrets, code));
    }
  }
}
