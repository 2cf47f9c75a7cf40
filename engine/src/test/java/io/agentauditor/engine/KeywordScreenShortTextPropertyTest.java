package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.NamedPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The scalar pass of short texts finds what the passes per anchor find: on texts at, around and
 * far from {@link KeywordScreen#SHORT_TEXT}, dense with keywords, near misses, case changes and
 * non-ASCII characters, a screen finds exactly the keywords that one screening every text by
 * {@code indexOf} passes finds, and exactly those {@link String#contains} finds; the folded screen
 * of a short ASCII text finds what the passes find in {@link NamedPattern#fold} of it.
 */
class KeywordScreenShortTextPropertyTest {

  /** The default bundle's keywords and keywords of other shapes: shared anchors, one character. */
  private static final List<String> KEYWORDS = keywords();

  /** Folded keywords, as the screen of case-insensitive patterns holds them. */
  private static final List<String> FOLDED =
      List.of("password", "secret_key", "k", "token=", "straße", "\u0131d", "bearer ", "sk-", "api");

  private static List<String> keywords() {
    List<String> ks = new ArrayList<>();
    for (List<NamedPattern> l :
        List.of(PatternSetTest.POLICY.secretPatterns(), PatternSetTest.POLICY.codePatterns())) {
      for (NamedPattern p : l) {
        p.keywords().stream().filter(k -> !ks.contains(k)).forEach(ks::add);
      }
    }
    ks.addAll(List.of("é_key", "中文", "Z", "aa", "aaa"));
    return List.copyOf(ks);
  }

  /** A keyword, perhaps with its case changed in places, perhaps with one character changed. */
  private static Arbitrary<String> variants(List<String> keywords) {
    return Combinators.combine(
            Arbitraries.of(keywords),
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 40),
            Arbitraries.of('_', '-', 'A', 'a', 'x', '\u0130', '\u212A', '\u017F', '\u4E2D', 'K', 'S'))
        .as(
            (k, how, at, c) -> {
              int i = at % k.length();
              return switch (how) {
                case 0 -> k;
                case 1 -> k.toUpperCase(Locale.ROOT);
                case 2 -> k.substring(0, i) + Character.toUpperCase(k.charAt(i)) + k.substring(i + 1);
                default -> k.substring(0, i) + c + k.substring(i + 1);
              };
            });
  }

  private static Arbitrary<String> texts(List<String> keywords, boolean asciiOnly) {
    Arbitrary<String> ascii = Arbitraries.strings().ascii().ofMaxLength(10);
    Arbitrary<String> wide =
        asciiOnly ? ascii : Arbitraries.strings().withCharRange('\u0080', '\u2FFF').ofMaxLength(3);
    Arbitrary<String> any = asciiOnly ? ascii : Arbitraries.strings().all().ofMaxLength(4);
    Arbitrary<String> parts =
        Arbitraries.frequencyOf(
            Tuple.of(4, variants(keywords)),
            Tuple.of(3, ascii),
            Tuple.of(1, Arbitraries.of("src/module12.py", "acme/api", "refs/heads/main", "-", "_")),
            Tuple.of(1, wide),
            Tuple.of(1, any));
    // Lengths around the threshold: parts joined, then cut to a length drawn near it, or kept.
    return Combinators.combine(
            parts.list().ofMaxSize(12).map(l -> String.join("", l)),
            Arbitraries.integers().between(KeywordScreen.SHORT_TEXT - 3, KeywordScreen.SHORT_TEXT + 3),
            Arbitraries.integers().between(0, 2))
        .as(
            (text, cut, how) ->
                how == 0 || text.length() <= cut
                    ? text
                    : how == 1 ? text.substring(0, cut) : text.substring(text.length() - cut));
  }

  @Provide
  Arbitrary<String> exactTexts() {
    return texts(KEYWORDS, false);
  }

  @Provide
  Arbitrary<String> foldedTexts() {
    return Arbitraries.oneOf(texts(FOLDED, true), texts(FOLDED, false));
  }

  @Property(tries = 4000)
  void shouldFindWhatThePassesPerAnchorFind(@ForAll("exactTexts") String text) {
    // Given the default screen and one that screens every text by passes per anchor
    KeywordScreen screen = new KeywordScreen(KEYWORDS);
    KeywordScreen passes = new KeywordScreen(KEYWORDS, -1);
    long[] found = new long[screen.words()];
    long[] expected = new long[passes.words()];

    // When both screen the text
    screen.find(text, found, 0);
    passes.find(text, expected, 0);

    // Then they find the same keywords, each exactly when the text contains it
    assertThat(found).as("keywords in %s", text).isEqualTo(expected);
    for (int id = 0; id < KEYWORDS.size(); id++) {
      assertThat(KeywordScreen.has(found, id))
          .as("keyword %s in %s", KEYWORDS.get(id), text)
          .isEqualTo(text.contains(KEYWORDS.get(id)));
    }
  }

  @Property(tries = 4000)
  void shouldFindInShortAsciiTextWhatThePassesFindInItsFoldedForm(@ForAll("foldedTexts") String text) {
    // Given a screen of folded keywords
    KeywordScreen screen = new KeywordScreen(FOLDED);
    long[] found = new long[screen.words() + 1];
    long[] expected = new long[screen.words() + 1];

    // When it screens the text folded on the fly, at word 1, or else says the caller must fold it
    boolean inPlace = screen.findFoldedAscii(text, found, 1);
    new KeywordScreen(FOLDED, -1).find(NamedPattern.fold(text), expected, 1);

    // Then it screens in place exactly the short ASCII texts, and finds what the passes find then
    boolean shortAscii =
        text.length() <= KeywordScreen.SHORT_TEXT && text.chars().allMatch(c -> c < 0x80);
    assertThat(inPlace).as("screened in place: %s", text).isEqualTo(shortAscii);
    if (inPlace) {
      assertThat(found).as("folded keywords in %s", text).isEqualTo(expected);
    } else {
      assertThat(found).as("nothing set for %s", text).containsOnly(0L);
    }
  }

  @Example
  void shouldFoldAsciiAsTheAsciiLowerCase() {
    // Given every ASCII character, When folded alone, Then it is its ASCII lower case
    for (char c = 0; c < 0x80; c++) {
      assertThat(NamedPattern.fold(String.valueOf(c))).isEqualTo(String.valueOf(KeywordScreen.lower(c)));
    }
  }
}
