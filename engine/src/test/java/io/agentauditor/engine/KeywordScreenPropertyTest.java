package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.NamedPattern;
import java.util.ArrayList;
import java.util.Collections;
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
 * The screens change nothing: on texts built from the default bundle's keywords, near misses of
 * them, random ASCII and non-Latin-1 characters, {@link KeywordScreen} finds exactly the keywords
 * {@link String#contains} finds, and pattern sets sharing one screen name exactly what every
 * pattern's plain regex finds on every value, however values are reused between calls and sets.
 */
class KeywordScreenPropertyTest {

  private static final List<NamedPattern> SECRET = PatternSetTest.POLICY.secretPatterns();
  private static final List<NamedPattern> CODE = PatternSetTest.POLICY.codePatterns();
  private static final List<String> KEYWORDS = keywords();

  private static List<String> keywords() {
    List<String> ks = new ArrayList<>();
    for (List<NamedPattern> l : List.of(SECRET, CODE)) {
      for (NamedPattern p : l) {
        p.keywords().stream().filter(k -> !ks.contains(k)).forEach(ks::add);
      }
    }
    return List.copyOf(ks);
  }

  /** A keyword with one character changed (to a neighbour, a case change or a non-Latin-1 one). */
  @Provide
  Arbitrary<String> nearMisses() {
    return Combinators.combine(
            Arbitraries.of(KEYWORDS),
            Arbitraries.integers().between(0, 40),
            Arbitraries.of('_', '-', 'A', 'a', 'x', '\u0130', '\u212A', '\u0141', '\u4E2D'))
        .as(
            (k, at, c) -> {
              int i = at % k.length();
              char changed = k.charAt(i) == c ? (char) (c + 1) : c;
              return k.substring(0, i) + changed + k.substring(i + 1);
            });
  }

  /** A keyword cut short at either end. */
  @Provide
  Arbitrary<String> cutShort() {
    return Combinators.combine(
            Arbitraries.of(KEYWORDS), Arbitraries.integers().between(1, 40), Arbitraries.of(true, false))
        .as(
            (k, cut, head) -> {
              int n = Math.max(0, k.length() - 1 - cut % k.length());
              return head ? k.substring(0, n) : k.substring(k.length() - n);
            });
  }

  /** Keywords, near misses, pieces of keywords, filler of ASCII and non-Latin-1 characters. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> ascii = Arbitraries.strings().ascii().ofMaxLength(12);
    Arbitrary<String> wide = Arbitraries.strings().withCharRange('\u0100', '\u2FFF').ofMaxLength(4);
    Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(6);
    return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.of(KEYWORDS)),
            Tuple.of(3, nearMisses()),
            Tuple.of(3, cutShort()),
            Tuple.of(3, ascii),
            Tuple.of(1, wide),
            Tuple.of(1, any),
            Tuple.of(2, new PatternSetPropertyTest().matches()))
        .list()
        .ofMaxSize(10)
        .map(parts -> String.join("", parts));
  }

  @Property(tries = 3000)
  void shouldFindExactlyTheKeywordsTheTextContains(@ForAll("texts") String text) {
    // Given one screen over every keyword of the default bundle
    KeywordScreen screen = new KeywordScreen(KEYWORDS);
    long[] found = new long[screen.words()];

    // When it screens the text
    screen.find(text, found, 0);

    // Then it names each keyword exactly when the text contains it
    for (int id = 0; id < KEYWORDS.size(); id++) {
      assertThat(KeywordScreen.has(found, id))
          .as("keyword %s in %s", KEYWORDS.get(id), text)
          .isEqualTo(text.contains(KEYWORDS.get(id)));
    }
  }

  @Property(tries = 2000)
  void shouldNameWhatThePlainRegexesFindWhenTheSetsShareOneScreen(
      @ForAll("texts") String a,
      @ForAll("texts") String b,
      @ForAll("texts") String c,
      @ForAll("texts") String d) {
    // Given the engine's two sets sharing one screen, and arguments where a keyword may be split
    // across two values (a + b, then a and b apart) and the same string sits under two names
    List<PatternSet> sets = PatternSet.sharingOneScreen(SECRET, CODE);
    Map<String, String> whole = new LinkedHashMap<>();
    whole.put("content", a + b);
    whole.put("path", c);
    Map<String, String> split = new LinkedHashMap<>();
    split.put("head", a);
    split.put("tail", b);
    split.put("again", a);
    split.put("path", c);
    split.put("more", d);

    // When each map is scanned for secrets then for code, twice, as successive steps do
    for (int round = 0; round < 2; round++) {
      for (Map<String, String> args : List.of(whole, split, Map.of("x", d, "content", a + b))) {
        // Then each set names what its plain regexes find
        assertThat(sets.get(0).hits(args)).isEqualTo(PatternSetPropertyTest.plainHits(SECRET, args));
        assertThat(sets.get(1).hits(args)).isEqualTo(PatternSetPropertyTest.plainHits(CODE, args));
      }
    }
  }

  @Property(tries = 500)
  void shouldNameWhatThePlainRegexesFindAcrossManyValuesOfOneCall(
      @ForAll("texts") String a, @ForAll("texts") String b) {
    // Given more argument values than the screen remembers, reused in another order
    List<PatternSet> sets = PatternSet.sharingOneScreen(SECRET, CODE);
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 0; i < 12; i++) {
      args.put("v" + i, i % 3 == 0 ? a : i % 3 == 1 ? b : a + i + b);
    }
    Map<String, String> reversed = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(args.keySet());
    Collections.reverse(names);
    names.forEach(k -> reversed.put(k, args.get(k)));

    // When both sets scan both maps, Then each names what its plain regexes find
    for (Map<String, String> m : List.of(args, reversed)) {
      assertThat(sets.get(1).hits(m)).isEqualTo(PatternSetPropertyTest.plainHits(CODE, m));
      assertThat(sets.get(0).hits(m)).isEqualTo(PatternSetPropertyTest.plainHits(SECRET, m));
    }
  }
}
