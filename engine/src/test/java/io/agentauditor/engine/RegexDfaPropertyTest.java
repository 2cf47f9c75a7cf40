package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import io.agentauditor.policy.NamedPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The automaton answers what re2j's {@code find()} answers, pattern by pattern: on random patterns
 * built from every kind of instruction re2j compiles (literals, classes, case folding, any
 * character, repetitions, alternations, and each empty-width assertion, multi-line or not) and
 * random texts of ASCII, newlines, word and non-word characters, fullwidth letters, case-folding
 * code points, surrogate pairs and lone surrogates.
 */
class RegexDfaPropertyTest {

  private static final String[] ATOMS = {
    "a", "b", "ab", "A", "_", " ", "\\n", ".", "(?s:.)", "[ab]", "[^a\\n]", "[a-z_]", "\\w", "\\W", "\\s", "\\d",
    "(?i:k)", "(?i:ss)", "(?i:a[b-d])", "\u212A", "\uFF21", "\\x{1F600}", "[\\x{1F600}-\\x{1F64F}]", "\\pL", "\\p{Greek}",
    "[^\\x00-\\x7F]", "^", "$", "\\A", "\\z", "\\b", "\\B", "(?m:^)", "(?m:$)"
  };

  private static final String[] SUFFIXES = {"", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,2}", "*?", "+?"};

  @Provide
  Arbitrary<String> regexes() {
    Arbitrary<String> piece =
        Combinators.combine(Arbitraries.of(ATOMS), Arbitraries.of(SUFFIXES))
            .as((atom, suffix) -> "(?:" + atom + ")" + (anchor(atom) ? "" : suffix));
    Arbitrary<String> concat = piece.list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("", l));
    return concat.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("|", l))
        .flatMap(re -> Arbitraries.of("", "(?i)", "(?m)", "(?s)").map(flags -> flags + re));
  }

  private static boolean anchor(String atom) {
    return atom.equals("^") || atom.equals("$") || atom.startsWith("\\A") || atom.startsWith("\\z")
        || atom.startsWith("\\b") || atom.startsWith("\\B") || atom.startsWith("(?m:");
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.of(
            "a", "b", "ab", "A", "B", "k", "K", "\u212A", "s", "S", "\u017F", "ss", "_", " ", "\n", "\r", "0", "7",
            "\uFF21", "\u00E9", "\u03B1", "\uD83D\uDE00", "\uD83D", "\uDE00", "-", "{", "\"")
        .list()
        .ofMaxSize(24)
        .map(l -> String.join("", l));
  }

  @Property(tries = 3000)
  void shouldFindWhatRe2jFinds(
      @ForAll("regexes") String r1, @ForAll("regexes") String r2, @ForAll("regexes") String r3,
      @ForAll("texts") String t1, @ForAll("texts") String t2) {
    List<Pattern> patterns = List.of(Pattern.compile(r1), Pattern.compile(r2), Pattern.compile(r3));
    RegexDfa dfa = RegexDfa.of(patterns);
    assertThat(dfa).isNotNull();

    // The same automaton on several texts: states built for one are reused by the next.
    for (String text : List.of(t1, t2, t1 + t2, t2 + "\n" + t1, "")) {
      assertThat(dfa.find(text)).as("%s, %s, %s on '%s'", r1, r2, r3, text).isEqualTo(re2j(patterns, text));
    }
  }

  @Property(tries = 3000)
  void shouldFindTheMatchesRe2jFindsOneAfterTheOther(
      @ForAll("regexes") String regex, @ForAll("texts") String t1, @ForAll("texts") String t2) {
    Pattern pattern = Pattern.compile(regex);
    RegexDfa.Matches matches = RegexDfa.matchesOf(pattern);

    for (String text : List.of(t1, t2, t1 + t2 + t1)) {
      List<String> expected = new ArrayList<>();
      com.google.re2j.Matcher m = pattern.matcher(text);
      while (m.find()) {
        expected.add(m.start() + "-" + m.end());
      }
      List<String> actual = new ArrayList<>();
      int from = 0;
      long next;
      while (from <= text.length() && (next = matches.next(text, from, Integer.MAX_VALUE)) >= 0) {
        int start = (int) (next >>> 32);
        int end = (int) next;
        actual.add(start + "-" + end);
        from = end == start ? end + 1 : end;
      }
      assertThat(actual).as("%s on '%s'", regex, text).isEqualTo(expected);
    }
  }

  @Test
  void shouldStillFindWhatRe2jFindsWhenTheTextVisitsMoreStatesThanAreKept() {
    // Given a pattern whose automaton has thousands of states (the last 12 characters seen), and
    // random texts of a and b that visit them
    List<Pattern> patterns = List.of(Pattern.compile("a[ab]{11}c"), Pattern.compile("b[ab]{10}a\\z"));
    RegexDfa dfa = RegexDfa.of(patterns);
    Random random = new Random(11);
    for (int t = 0; t < 20; t++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 20_000; i++) {
        sb.append(random.nextBoolean() ? 'a' : 'b');
      }
      if (t % 3 == 0) {
        sb.insert(random.nextInt(sb.length()), 'c');
      }
      String text = sb.toString();

      // When the automaton searches it, Then it answers as re2j does, or gives up (the caller
      // then asks re2j), and keeps no more states
      long found = dfa.find(text);
      if (!dfa.gaveUp()) {
        assertThat(found).isEqualTo(re2j(patterns, text));
      }
      assertThat(dfa.states()).isLessThanOrEqualTo(RegexDfa.MAX_STATES);
    }
  }

  @Test
  void shouldGiveUpOnATextThatKeepsLeadingItIntoNewStatesAndNotOnOneThatDoesNot() {
    // Given the same state-heavy patterns
    List<Pattern> patterns = List.of(Pattern.compile("a[ab]{11}c"), Pattern.compile("b[ab]{10}a\\z"));
    RegexDfa dfa = RegexDfa.of(patterns);
    Random random = new Random(7);
    StringBuilder thrashing = new StringBuilder();
    for (int i = 0; i < 200_000; i++) {
      thrashing.append(random.nextBoolean() ? 'a' : 'b');
    }

    // When it searches random a and b, Then it gives up within its bound of computed transitions
    dfa.find(thrashing.toString());
    assertThat(dfa.gaveUp()).isTrue();

    // and on a long text of few states it answers
    String settled = "ab".repeat(100_000) + "c";
    assertThat(dfa.find(settled)).isEqualTo(re2j(patterns, settled));
    assertThat(dfa.gaveUp()).isFalse();
  }

  @Test
  void shouldMarkAsRe2jDoesWhenTheAutomatonGivesUp() {
    // Given a pattern set whose automaton thrashes on random a and b
    NamedPattern heavy = new NamedPattern("heavy", "a thrashing pattern", Pattern.compile("a[ab]{11}c"));
    PatternSet set = new PatternSet(List.of(heavy));
    Random random = new Random(5);
    for (int t = 0; t < 6; t++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 100_000; i++) {
        sb.append(random.nextBoolean() ? 'a' : 'b');
      }
      if (t % 2 == 0) {
        sb.insert(50_000 + random.nextInt(1000), "abababababab" + "c"); // a, 11 of [ab], c
      } else {
        sb.insert(50_000 + random.nextInt(1000), "abc"); // a c, but no match
      }
      String text = sb.toString();
      byte[] forms = new byte[1];

      // When it marks the text, Then it fires exactly where re2j finds a match
      set.mark(text, forms, (byte) 1);
      assertThat(forms[0] != 0).as("text %d", t).isEqualTo(heavy.pattern().matcher(text).find());
    }
  }

  @Test
  void shouldAnswerForSixtyFourPatterns() {
    List<Pattern> patterns = new ArrayList<>();
    for (int k = 0; k < 64; k++) {
      patterns.add(Pattern.compile("x" + k + "y"));
    }
    RegexDfa dfa = RegexDfa.of(patterns);

    assertThat(dfa.find("x0y x63y x7")).isEqualTo(1L | 1L << 63);
    assertThat(dfa.find("x0yx1yx2yx3yx4yx5yx6yx7yx8yx9y" + allFrom(10))).isEqualTo(-1L);
  }

  private static String allFrom(int k) {
    StringBuilder sb = new StringBuilder();
    for (int i = k; i < 64; i++) {
      sb.append('x').append(i).append('y');
    }
    return sb.toString();
  }

  private static long re2j(List<Pattern> patterns, String text) {
    long bits = 0;
    for (int k = 0; k < patterns.size(); k++) {
      if (patterns.get(k).matcher(text).find()) {
        bits |= 1L << k;
      }
    }
    return bits;
  }
}
