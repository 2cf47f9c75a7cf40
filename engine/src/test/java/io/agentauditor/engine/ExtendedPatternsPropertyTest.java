package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.agentauditor.policy.DefaultPatternExamples;
import io.agentauditor.policy.ExtendedPatternExamples;
import io.agentauditor.policy.NamedPattern;
import io.agentauditor.policy.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * No false negatives from the keywords of {@code extras/patterns-extended.yaml}: on texts mixing
 * fresh matches of the extended patterns, the examples, their near misses, keyword fragments and
 * random text, the engine's screened sets name exactly what every pattern's plain regex finds; and
 * the regexes spelt out for their keywords match exactly where the regexes they replace matched.
 */
class ExtendedPatternsPropertyTest {

  private static final Policy POLICY = ExtendedPatternsScreenTest.POLICY;
  private static final List<NamedPattern> SECRET = POLICY.secretPatterns();
  private static final List<NamedPattern> CODE = POLICY.codePatterns();

  private static final String UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final String ALNUM = UPPER_DIGITS + "abcdefghijklmnopqrstuvwxyz";

  private static Arbitrary<String> chars(String alphabet, int min, int max) {
    return Arbitraries.strings().withChars(alphabet.toCharArray()).ofMinLength(min).ofMaxLength(max);
  }

  private static NamedPattern pattern(String id) {
    return SECRET.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
  }

  /** Fresh matches of each extended pattern, of random lengths and spellings. */
  @Provide
  Arbitrary<String> matches() {
    Arbitrary<String> urlPart = chars("abcxyz0189-._~%!$&'()*+,;=", 1, 8);
    return Arbitraries.oneOf(
        chars(ALNUM + "_-", 20, 40).map(s -> "glpat-" + s),
        Combinators.combine(Arbitraries.of("o", "u", "s", "r"), chars(ALNUM, 36, 36))
            .as((k, s) -> "gh" + k + "_" + s),
        chars(ALNUM + "_-", 35, 35).map(s -> "AIza" + s),
        Combinators.combine(Arbitraries.of("sk", "rk"), chars(ALNUM, 24, 40))
            .as((k, s) -> k + "_live_" + s),
        Combinators.combine(chars(UPPER_DIGITS, 1, 10), chars(UPPER_DIGITS, 1, 10), chars(ALNUM, 20, 30))
            .as((t, b, s) -> "https://hooks.slack.com/services/T" + t + "/B" + b + "/" + s),
        chars(ALNUM, 36, 36).map(s -> "npm_" + s),
        Combinators.combine(
                Arbitraries.of("", "proj-"), chars(ALNUM + "_-", 20, 30), chars(ALNUM + "_-", 20, 30))
            .as((p, a, b) -> "sk-" + p + a + "T3BlbkFJ" + b),
        Combinators.combine(
                Arbitraries.of("api", "admin"), chars("0123456789", 2, 2), chars(ALNUM + "_-", 80, 100))
            .as((k, n, s) -> "sk-ant-" + k + n + "-" + s),
        chars(ALNUM + "+/", 86, 86).map(s -> "AccountKey=" + s + "=="),
        Combinators.combine(
                chars("abz", 1, 1), chars("az09+.-", 0, 6), urlPart, urlPart, chars("az09.:-", 1, 12))
            .as((s0, s, u, p, h) -> s0 + s + "://" + u + ":" + p + "@" + h));
  }

  /** Text around and between matches: keyword fragments, examples, near misses, random text. */
  @Provide
  Arbitrary<String> noise() {
    List<String> examples = new ArrayList<>();
    ExtendedPatternExamples.all().forEach(e -> {
      examples.add(e.positive());
      examples.add(e.nearMiss());
    });
    DefaultPatternExamples.all().forEach(e -> examples.add(e.nearMiss()));
    return Arbitraries.oneOf(
        chars("glpat-ghousrAIzk_liveT3BlbkFJnpm:/@Acount=Key", 0, 30),
        Arbitraries.strings().all().ofMaxLength(10),
        Arbitraries.strings().ascii().ofMaxLength(12),
        Arbitraries.of("glpat", "lpat-", "gh", "gho", "hs_", "AIz", "Iza", "sk_liv", "k_live_", "_live_",
            "https://hook", "https://", "hooks.slack.com/services/", "np", "pm_", "T3BlbkF", "3BlbkFJ",
            "sk-an", "sk-", "proj-", "AccountKey", "ccountKey=", ":/", "//", "@", ":", "==", " ", "\n"),
        Arbitraries.of(examples));
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.frequencyOf(
            Tuple.of(1, matches()), Tuple.of(4, noise()), Tuple.of(1, new PatternSetPropertyTest().matches()))
        .list()
        .ofMaxSize(10)
        .map(parts -> String.join("", parts));
  }

  @Property(tries = 2000)
  void shouldNameExactlyWhatThePlainRegexesFind(
      @ForAll("texts") String a, @ForAll("texts") String b, @ForAll("texts") String c) {
    // Given the engine's two sets sharing one screen, and arguments where a keyword may be split
    // across two values and the same string sits under two names
    List<PatternSet> sets = PatternSet.sharingOneScreen(SECRET, CODE);
    Map<String, String> args = new LinkedHashMap<>();
    args.put("a", a);
    args.put("b", b);
    args.put("content", a + b + c);
    args.put("again", a);

    // When both sets scan them, Then each names what its plain regexes find
    assertThat(sets.get(0).hits(args)).isEqualTo(PatternSetPropertyTest.plainHits(SECRET, args));
    assertThat(sets.get(1).hits(args)).isEqualTo(PatternSetPropertyTest.plainHits(CODE, args));
  }

  @Property(tries = 2000)
  void shouldFindAnEmbeddedMatchOfEveryExtendedPattern(
      @ForAll("texts") String before, @ForAll("matches") String match, @ForAll("texts") String after) {
    // Given a generated match, checked against the plain regexes, inside random text
    List<String> firing =
        SECRET.stream()
            .filter(p -> ExtendedPatternExamples.IDS.contains(p.id()) && p.matches(match))
            .map(NamedPattern::id)
            .toList();
    assertThat(firing).as("the generated match %s matches its pattern", match).isNotEmpty();
    String value = before + " " + match + " " + after;

    // When the screened secret set scans it
    String hits = PatternSet.sharingOneScreen(SECRET, CODE).get(0).hits(Map.of("v", value));

    // Then it names the pattern
    assertThat(hits).isNotNull();
    assertThat(List.of(hits.substring("argument 'v' matches ".length()).split(", ")))
        .containsAll(firing);
  }

  @Property(tries = 2000)
  void shouldMatchWhereTheRegexesBeforeTheRewriteMatched(@ForAll("texts") String text) {
    for (Map.Entry<String, String> before : ExtendedPatternExamples.REGEX_BEFORE_REWRITE.entrySet()) {
      Pattern original = Pattern.compile(before.getValue());
      Pattern rewritten = pattern(before.getKey()).pattern();

      assertThat(spans(rewritten, text)).as(before.getKey()).isEqualTo(spans(original, text));
    }
  }

  private static List<List<Integer>> spans(Pattern p, String text) {
    List<List<Integer>> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(List.of(m.start(), m.end()));
    }
    return out;
  }
}
