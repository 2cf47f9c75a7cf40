package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link TextForms#normalised} hands only the runs of non-simple characters to the {@link
 * Normalizer} (with the character before each): the result must be exactly section 7's form, NFKC of
 * the whole text then every Cf character removed, whatever mixes of ASCII, fullwidth, combining,
 * composing, expanding and format characters it holds.
 */
class TextFormsNormalisedPropertyTest {

  /** Section 7's normalised form, computed the plain way over the whole text. */
  static String reference(String text) {
    String nfkc = Normalizer.normalize(text, Normalizer.Form.NFKC);
    StringBuilder sb = new StringBuilder(nfkc.length());
    nfkc.codePoints()
        .filter(cp -> Character.getType(cp) != Character.FORMAT)
        .forEach(sb::appendCodePoint);
    return sb.toString();
  }

  @Test
  void shouldNormaliseEveryBmpCharacterNextToEverySimpleNeighbourAsTheWholeTextWould() {
    // Given every BMP character but surrogates, before, after and around ASCII and fullwidth
    // letters and a space
    String[] neighbours = {"A", "\uFF21", " "};
    for (char c = 0x80; c < 0xFFFF; c++) {
      if (Character.isSurrogate(c)) {
        continue;
      }
      String x = String.valueOf(c);
      for (String s : neighbours) {
        for (String text : new String[] {x + s, s + x, x + s + x}) {
          // When / Then
          assertThat(TextForms.normalised(text)).as("U+%04X with %s", (int) c, s).isEqualTo(reference(text));
        }
      }
    }
  }

  @Test
  void shouldMapEachFullwidthFormOfAsciiToItsAsciiCharacter() {
    for (char c = 0xFF01; c <= 0xFF5E; c++) {
      assertThat(reference(String.valueOf(c))).isEqualTo(String.valueOf((char) (c - 0xFEE0)));
      assertThat(TextForms.simple(c)).isTrue();
    }
  }

  @Test
  void shouldComposeAFullwidthOrAsciiLetterWithTheCombiningMarkAfterIt() {
    // Given letters followed by a combining acute, and a halfwidth katakana with its voiced mark
    assertThat(TextForms.normalised("x\uFF45\u0301y")).isEqualTo("x\u00E9y");
    assertThat(TextForms.normalised("xe\u0301y")).isEqualTo("x\u00E9y");
    assertThat(TextForms.normalised("\uFF76\uFF9E")).isEqualTo("\u30AC");
    // and a secret spelled in fullwidth letters between ASCII
    assertThat(TextForms.normalised("key=\uFF21\uFF2B\uFF29\uFF21XYZ")).isEqualTo("key=AKIAXYZ");
  }

  @Test
  void shouldReturnTheTextItselfWhenOnlyNonAsciiRunsThatNormalisationLeavesAloneAreIn() {
    String text = new String("na\u00efve caf\u00e9 \u4E2D\u6587 ok");
    assertThat(TextForms.normalised(text)).isSameAs(text);
  }

  @Property(tries = 2_000)
  void shouldEqualNfkcOfTheWholeTextWithFormatCharactersRemoved(@ForAll("mixed") String text) {
    assertThat(TextForms.normalised(text)).isEqualTo(reference(text));
  }

  @Provide
  Arbitrary<String> mixed() {
    // ASCII, fullwidth ASCII, combining marks (acute, diaeresis, a double one, a dot below: they
    // reorder), Hangul jamo (they compose), halfwidth katakana and its voiced marks, expanding
    // ligatures, a surrogate pair (mathematical bold A, NFKC "A") and format characters
    Arbitrary<String> pieces =
        Arbitraries.of(
            "a", "e", "A", " ", "/", "=", "\uFF21", "\uFF45", "\uFF0F", "\uFF5E", "\u0301", "\u0308",
            "\u035C", "\u0323", "\u1100", "\u1161", "\u11A8", "\uAC00", "\uFF76", "\uFF9E", "\uFF9F",
            "\uFB01", "\uFDFA", "\u2460", "\uD835\uDC00", "\u200B", "\u200D", "\u00AD", "\uFEFF",
            "\u00E9", "\u4E2D", "\u0387", "\u1E9B", "\u212B");
    return pieces.list().ofMaxSize(24).map(l -> String.join("", l));
  }
}
