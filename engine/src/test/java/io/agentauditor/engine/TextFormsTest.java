package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The normalised and decoded forms of contract section 7, exactly as written there. */
class TextFormsTest {

  private final TextForms forms = new TextForms();

  private List<String> decoded(String text) {
    List<String> out = new ArrayList<>();
    forms.forEachDecoded(text, d -> !out.add(d));
    return out;
  }

  @Test
  void shouldReturnAnAsciiTextItselfAsItsNormalisedForm() {
    String text = new String("plain ASCII text");
    assertThat(TextForms.normalised(text)).isSameAs(text);
  }

  @Test
  void shouldApplyNfkcThenRemoveFormatCharacters() {
    // Given full-width letters, a ligature, a zero-width joiner, a soft hyphen and a BOM
    String text = "\uFF21\uFB01\u200Dx\u00ADy\uFEFF";
    // When / Then
    assertThat(TextForms.normalised(text)).isEqualTo("Afixy");
  }

  @Test
  void shouldReturnANonAsciiTextThatNormalisationLeavesAloneItself() {
    String text = new String("caf\u00e9");
    assertThat(TextForms.normalised(text)).isSameAs(text);
  }

  @Test
  void shouldDecodeGroupsOfFourAndAFinalGroupOfTwoOrThreeAndDropASingleCharacter() {
    // "QUJD" = ABC; "QUI" = AB; "QQ" = A; a final single character is dropped
    assertThat(forms.decode("QUJDQUI", 0, 7)).isEqualTo("ABCAB");
    assertThat(forms.decode("QUJDQQ", 0, 6)).isEqualTo("ABCA");
    assertThat(forms.decode("QUJDQ", 0, 5)).isEqualTo("ABC");
  }

  @Test
  void shouldReadDashAndUnderscoreAsPlusAndSlash() {
    assertThat(forms.decode("-_-_", 0, 4)).isEqualTo(forms.decode("+/+/", 0, 4));
  }

  @Test
  void shouldReplaceInvalidUtf8WithTheReplacementCharacter() {
    // "////" is the bytes ff ff ff
    assertThat(forms.decode("////", 0, 4)).isEqualTo("\uFFFD\uFFFD\uFFFD");
  }

  @Test
  void shouldDecodeEveryQualifyingRunFromEachOfItsFirstFourCharacters() {
    // Given two runs of 24+ characters, padding after the first, and a short run between them
    String a = Base64.getEncoder().encodeToString("first run of text!".getBytes(StandardCharsets.UTF_8));
    String b = "x" + Base64.getEncoder().withoutPadding().encodeToString("second run, longer".getBytes(StandardCharsets.UTF_8));
    String text = "<" + a + " short+run " + b + ">";
    // When
    List<String> out = decoded(text);
    // Then four decodings per run, the first run's from offset 0 and the second's from offset 1
    assertThat(out).hasSize(8);
    assertThat(out.get(0)).isEqualTo("first run of text!");
    assertThat(out.get(5)).isEqualTo("second run, longer");
  }

  @Test
  void shouldFindRunsAtTheVeryStartAndEndAndOfExactlyTheMinimumLength() {
    String run24 = "A".repeat(24);
    assertThat(decoded(run24)).hasSize(4);
    assertThat(decoded(run24 + " " + run24)).hasSize(8);
    assertThat(decoded("A".repeat(23))).isEmpty();
    assertThat(decoded(" " + "A".repeat(23) + " " + "A".repeat(23) + " ")).isEmpty();
  }

  @Test
  void shouldFindEveryRunWhereverItStartsRelativeToTheSampledPositions() {
    // Given a run of 24 to 50 characters at every offset in a text of spaces
    for (int length = 24; length <= 50; length++) {
      for (int at = 0; at < 60; at++) {
        String text = " ".repeat(at) + "B".repeat(length) + " ".repeat(30);
        // When / Then
        assertThat(decoded(text)).as("length %d at %d", length, at).hasSize(4);
      }
    }
  }

  @Test
  void shouldDecodeAtMostThreeTimesTheTextsLength() {
    // Given a value of 256 KiB that is one run
    String text = "QUJD".repeat(64 * 1024);
    // When
    long total = decoded(text).stream().mapToLong(String::length).sum();
    // Then
    assertThat(total).isLessThanOrEqualTo(3L * text.length());
  }

  @Test
  void shouldJoinEveryDecodedTextForTheScreenInTheSameOrder() {
    // Given two qualifying runs, one of them decoding to invalid UTF-8
    String text = "a " + "QUJD".repeat(8) + " b //////////////////////////// c";
    // When / Then
    assertThat(forms.joinedDecoded(text)).isEqualTo(String.join("\n", decoded(text)));
    assertThat(forms.joinedDecoded("no runs here, only words")).isNull();
  }
}
