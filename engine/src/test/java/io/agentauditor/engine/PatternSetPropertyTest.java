package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import io.agentauditor.policy.DefaultPatternExamples;
import io.agentauditor.policy.NamedPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * No false negatives from the keyword screen: on random text with embedded matches of the default
 * patterns, the screened {@link PatternSet} names exactly what the plain regexes find.
 */
class PatternSetPropertyTest {

  private static final List<NamedPattern> ALL = new ArrayList<>();

  static {
    ALL.addAll(PatternSetTest.POLICY.secretPatterns());
    ALL.addAll(PatternSetTest.POLICY.codePatterns());
  }

  /** The reference: every pattern's plain regex on every value, in the set's message format. */
  static String plainHits(List<NamedPattern> patterns, Map<String, String> args) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, String> a : new TreeMap<>(args).entrySet()) {
      List<String> ids = new ArrayList<>();
      for (NamedPattern p : patterns) {
        if (p.matches(a.getValue())) {
          ids.add(p.id());
        }
      }
      if (!ids.isEmpty()) {
        parts.add("argument '" + a.getKey() + "' matches " + String.join(", ", ids));
      }
    }
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  private static Arbitrary<String> chars(String alphabet, int min, int max) {
    return Arbitraries.strings().withChars(alphabet.toCharArray()).ofMinLength(min).ofMaxLength(max);
  }

  private static final String UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final String ALNUM = UPPER_DIGITS + "abcdefghijklmnopqrstuvwxyz";

  /** Fresh matches of each default pattern, of random lengths and spellings. */
  @Provide
  Arbitrary<String> matches() {
    Arbitrary<String> ws = chars(" \t\n", 1, 3);
    Arbitrary<String> optWs = chars(" \t\n", 0, 2);
    Arbitrary<String> spaces = chars(" \t", 0, 2);
    Arbitrary<String> name = chars("abcdefgh_-", 0, 8);
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of("AKIA", "ASIA"), chars(UPPER_DIGITS, 16, 16)).as(String::concat),
        chars(ALNUM, 36, 36).map(s -> "ghp_" + s),
        chars(ALNUM + "_", 22, 40).map(s -> "github_pat_" + s),
        Combinators.combine(Arbitraries.of("a", "b", "p", "r", "s"), chars(ALNUM + "-", 10, 30))
            .as((k, s) -> "xox" + k + "-" + s),
        Combinators.combine(
                chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 8).list().ofMaxSize(3), Arbitraries.of("", " BLOCK"))
            .as((words, block) ->
                "-----BEGIN " + words.stream().map(w -> w + " ").reduce("", String::concat)
                    + "PRIVATE KEY" + block + "-----"),
        Combinators.combine(
                chars(ALNUM + "_-", 8, 20), chars(ALNUM + "_-", 8, 20), chars(ALNUM + "_-", 0, 20))
            .as((a, b, c) -> "eyJ" + a + ".eyJ" + b + "." + c),
        Combinators.combine(
                Arbitraries.of("aws_iam_access_key", "google_service_account_key"), ws, ws, name, optWs)
            .as((t, w1, w2, n, w3) -> "resource" + w1 + "\"" + t + "\"" + w2 + "\"" + n + "\"" + w3 + "{"),
        Combinators.combine(Arbitraries.of("data", "resource"), ws, ws, name, chars("abcd =\n\"", 0, 40))
            .as((k, w1, w2, n, body) ->
                k + w1 + "\"azurerm_storage_account_sas\"" + w2 + "\"" + n + "\" {" + body + "}"),
        Combinators.combine(Arbitraries.of("", "\""), optWs, optWs, Arbitraries.of("null", "Null", "NULL", "~", ""))
            .as((q, w1, w2, v) -> "expires_at" + q + (v.isEmpty() ? "" : w1) + ":" + (v.isEmpty() ? "" : w2) + v),
        Combinators.combine(Arbitraries.of("", "\""), spaces, spaces)
            .as((q, w1, w2) -> q + "expires_at" + q + w1 + "=" + w2 + "null"),
        Combinators.combine(
                Arbitraries.of("", "\""), optWs, optWs, Arbitraries.of("", "\""), Arbitraries.of("never", "Never", "NEVER"))
            .as((q, w1, w2, q2, v) -> "expiration" + q + w1 + ":" + w2 + q2 + v + q2),
        Combinators.combine(Arbitraries.of("", "\""), spaces, spaces, Arbitraries.of("", "\""))
            .as((q, w1, w2, q2) -> q + "expiration" + q + w1 + "=" + w2 + q2 + "never" + q2),
        Combinators.combine(
                Arbitraries.of("aws_iam_access_key", "google_service_account_key"), optWs, optWs, Arbitraries.of("{", "["))
            .as((t, w1, w2, open) -> "\"" + t + "\"" + w1 + ":" + w2 + open),
        Combinators.combine(optWs, name, chars("abcd :,\n\"", 0, 40))
            .as((w, n, body) -> "\"azurerm_storage_account_sas\":" + w + "{\"" + n + "\": {" + body + "}"));
  }

  /** Text around and between matches: code-like noise, keyword fragments, near misses. */
  @Provide
  Arbitrary<String> noise() {
    List<String> nearMisses = new ArrayList<>();
    DefaultPatternExamples.all().forEach(e -> nearMisses.add(e.nearMiss()));
    return Arbitraries.oneOf(
        chars("AKISxoyeJgbhp_-\"{}=: \n.aziuremnt", 0, 30),
        Arbitraries.strings().all().ofMaxLength(10),
        Arbitraries.of("AKI", "ASI", "gh", "github_pa", "xo", "-----BEGI", "ey", "expires_", "expiratio",
            "resource \"", "azurerm_storage_account_sa", " expiry = 1 ", "{", "}", "\n"),
        Arbitraries.of(nearMisses));
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(matches(), noise(), noise(), noise())
        .list()
        .ofMaxSize(12)
        .map(parts -> String.join("", parts));
  }

  @Property(tries = 2000)
  void shouldNameExactlyWhatThePlainRegexesFind(
      @ForAll("texts") String a, @ForAll("texts") String b, @ForAll("texts") String c) {
    Map<String, String> args = Map.of("a", a, "b", b, "content", c);

    assertThat(PatternSetTest.SECRETS.hits(args))
        .isEqualTo(plainHits(PatternSetTest.POLICY.secretPatterns(), args));
    assertThat(PatternSetTest.CODE.hits(args))
        .isEqualTo(plainHits(PatternSetTest.POLICY.codePatterns(), args));
  }

  @Property(tries = 2000)
  void shouldFindAnEmbeddedMatchOfEveryDefaultPattern(
      @ForAll("texts") String before, @ForAll("matches") String match, @ForAll("texts") String after) {
    String value = before + "\n" + match + "\n" + after;
    List<String> firing = ALL.stream().filter(p -> p.matches(match)).map(NamedPattern::id).toList();
    assertThat(firing).as("the generated match %s matches its pattern", match).isNotEmpty();

    String hits = firing.stream().anyMatch(id -> isSecret(id))
        ? PatternSetTest.SECRETS.hits(Map.of("v", value))
        : PatternSetTest.CODE.hits(Map.of("v", value));

    assertThat(hits).isNotNull();
    assertThat(Arrays.asList(hits.substring("argument 'v' matches ".length()).split(", ")))
        .containsAnyElementsOf(firing);
  }

  private static boolean isSecret(String id) {
    return PatternSetTest.POLICY.secretPatterns().stream().anyMatch(p -> p.id().equals(id));
  }

  @Property(tries = 1000)
  void shouldAgreeWithThePlainRegexOnCaseInsensitivePatterns(
      @ForAll("caseNoise") String a, @ForAll("caseNoise") String b) {
    List<NamedPattern> patterns =
        List.of(
            new NamedPattern("ci", "", Pattern.compile("(?i)sk_live_[a-z0-9]{4}"), null, List.of("sk_live_")),
            new NamedPattern("cs", "", Pattern.compile("Ksk[0-9]{2}"), null, List.of("Ksk")));
    Map<String, String> args = Map.of("a", a, "b", b);

    assertThat(new PatternSet(patterns).hits(args)).isEqualTo(plainHits(patterns, args));
  }

  @Provide
  Arbitrary<String> caseNoise() {
    return Arbitraries.oneOf(
            chars("sSkKlLiIvVeE_0123\u017F\u212A", 1, 6),
            Arbitraries.of("sk_live_", "SK_LIVE_", "\u017Fk_live_", "s\u212A_LIVE_", "Ksk"))
        .list()
        .ofMaxSize(8)
        .map(parts -> String.join("", parts));
  }
}
