package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The scan with automata decides as the scan with re2j pattern by pattern did: the same hits and
 * messages from {@link ArgumentScanner#scan} and the same matches from {@link
 * ArgumentScanner#locate}, on arguments built from the default patterns' keywords, fresh matches,
 * near misses, their fullwidth and zero-width disguises, base64 runs of them, and noise.
 */
class ArgumentScannerAutomataPropertyTest {

  private static final Policy POLICY = PatternSetTest.POLICY;

  private static final List<String> KEYWORDS =
      List.of("AKIA", "ASIA", "ghp_", "github_pat_", "xox", "-----BEGIN ", "eyJ", "azurerm_storage_account_sas",
          "expires_at", "expiration", "aws_iam_access_key", "google_service_account_key", "resource \"x\" {",
          "data ", "\"expiry\": 1", "expiry = 2", ": null", " = never", "{", "}", "\n", "\"");

  /** Kept across tries, so that automata built for earlier arguments serve later ones. */
  private static final ArgumentScanner AUTOMATA = new ArgumentScanner(POLICY);

  private static final ArgumentScanner ONE_BY_ONE = new ArgumentScanner(POLICY, false);

  private final PatternSetPropertyTest patterns = new PatternSetPropertyTest();

  /** One piece of an argument: a keyword, a match, noise, or one of them disguised or encoded. */
  @Provide
  Arbitrary<String> pieces() {
    Arbitrary<String> plain = Arbitraries.oneOf(Arbitraries.of(KEYWORDS), patterns.matches(), patterns.noise());
    return Arbitraries.oneOf(
        plain,
        plain,
        plain,
        plain.map(ArgumentScannerAutomataPropertyTest::fullwidth),
        plain.map(s -> String.join("\u200B", s.split(""))),
        plain.list().ofMinSize(1).ofMaxSize(4).map(l -> base64(String.join(" ", l))));
  }

  @Provide
  Arbitrary<String> values() {
    return pieces().list().ofMaxSize(10).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.oneOf(Arbitraries.of("content", "path", "body"), pieces());
  }

  @Property(tries = 1500)
  void shouldDecideAsThePatternByPatternScanDid(
      @ForAll("names") String n1, @ForAll("values") String v1, @ForAll("values") String v2, @ForAll("values") String v3) {
    Map<String, String> args = new LinkedHashMap<>();
    args.put(n1, v1);
    args.put("b", v2);
    args.put("c", v3);
    net.jqwik.api.statistics.Statistics.collect(AUTOMATA.scan(args, true, true).equals(new ArgumentScanner.Hits(null, null)) ? "no hit" : "hits");

    assertThat(AUTOMATA.scan(args, true, true)).isEqualTo(ONE_BY_ONE.scan(args, true, true));
    assertThat(AUTOMATA.scan(args, true, false)).isEqualTo(ONE_BY_ONE.scan(args, true, false));
    assertThat(AUTOMATA.scan(args, false, true)).isEqualTo(ONE_BY_ONE.scan(args, false, true));
    for (String v : List.of(v1, v2, v3)) {
      assertThat(AUTOMATA.locate(v)).isEqualTo(ONE_BY_ONE.locate(v));
    }
  }

  /** Printable ASCII as its fullwidth forms (U+FF01 to U+FF5E). */
  private static String fullwidth(String ascii) {
    return ascii.chars()
        .map(c -> c > 0x20 && c < 0x7F ? c + 0xFEE0 : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
