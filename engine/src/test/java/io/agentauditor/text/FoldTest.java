package io.agentauditor.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FoldTest {

  @Test
  void shouldFoldOnlyAsciiUpperCaseLetters() {
    // When / Then: A-Z fold; non-ASCII letters (the Kelvin sign, a dotted I, full-width A) do not
    assertThat(Fold.ascii("Agent:Planner-Z@ACME.io")).isEqualTo("agent:planner-z@acme.io");
    assertThat(Fold.ascii("\u212A\u0130\uFF21")).isEqualTo("\u212A\u0130\uFF21");
    String lower = "agent:planner";
    assertThat(Fold.ascii(lower)).isSameAs(lower);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        " agent:a", "agent:a ", "\tagent:a\n", "\u00A0agent:a", "agent:a\u3000", "\u2007agent:a\u202F",
        "\u0085agent:a\u2028", "\u1680\u205Fagent:a\u2029\u200A"
      })
  void shouldTrimEveryUnicodeWhiteSpaceCharacterAtBothEnds(String padded) {
    // When / Then
    assertThat(Fold.trimWhiteSpace(padded)).isEqualTo("agent:a");
  }

  @Test
  void shouldKeepWhiteSpaceInsideAndCharactersThatAreNotWhiteSpace() {
    // When / Then: U+001F and U+200B (zero-width space) are not White_Space
    assertThat(Fold.trimWhiteSpace(" agent: a ")).isEqualTo("agent: a");
    assertThat(Fold.trimWhiteSpace("\u001Fagent:a\u200B")).isEqualTo("\u001Fagent:a\u200B");
    assertThat(Fold.identity("  Agent:Planner\u00A0")).isEqualTo("agent:planner");
  }
}
