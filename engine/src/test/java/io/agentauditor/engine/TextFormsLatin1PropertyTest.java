package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The screen of decoded text may read the decoded bytes as ISO 8859-1 instead of UTF-8 when its
 * keywords are ASCII and exact ({@link TextForms#joinedDecoded(String, boolean)}): both readings
 * must hold the same runs of ASCII characters, whatever bytes a run decodes to.
 */
class TextFormsLatin1PropertyTest {

  /** The text with each maximal run of characters above ASCII replaced by one U+0080. */
  private static String asciiRuns(String text) {
    return text.replaceAll("[^\\x00-\\x7F]+", "\u0080");
  }

  @Property(tries = 3000)
  void shouldKeepTheSameRunsOfAsciiAsUtf8DecodingForAnyBytes(
      @ForAll @IntRange(min = 0, max = 64) int length, @ForAll Random random) {
    // Given bytes biased to the edges of UTF-8: ASCII, continuation bytes, lead bytes of every
    // length, and the bytes no sequence may hold
    int[] kinds = {0x41, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF};
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : kinds[random.nextInt(kinds.length)] + (random.nextInt(3) == 0 ? random.nextInt(16) : 0));
    }

    // When
    String utf8 = new String(bytes, StandardCharsets.UTF_8);
    String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);

    // Then
    assertThat(asciiRuns(latin1)).isEqualTo(asciiRuns(utf8));
  }

  @Property(tries = 500)
  void shouldFindAnAsciiKeywordInTheJoinedDecodedTextReadEitherWay(@ForAll Random random) {
    // Given a value of base64 runs, some of them encoding an ASCII keyword among random bytes
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";
    StringBuilder value = new StringBuilder();
    for (int r = random.nextInt(1, 5); r > 0; r--) {
      if (random.nextBoolean()) {
        byte[] raw = new byte[random.nextInt(18, 60)];
        random.nextBytes(raw);
        byte[] key = "AKIA".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(key, 0, raw, random.nextInt(raw.length - key.length), key.length);
        value.append(java.util.Base64.getEncoder().withoutPadding().encodeToString(raw));
      } else {
        for (int i = random.nextInt(20, 80); i > 0; i--) {
          value.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      value.append(random.nextBoolean() ? " " : "=.");
    }
    TextForms forms = new TextForms();

    // When
    String utf8 = forms.joinedDecoded(value.toString(), false);
    String latin1 = forms.joinedDecoded(value.toString(), true);

    // Then
    assertThat(latin1 == null).isEqualTo(utf8 == null);
    if (utf8 != null) {
      assertThat(asciiRuns(latin1)).isEqualTo(asciiRuns(utf8));
      for (String k : new String[] {"AKIA", "ASIA", "eyJ", "xox", "ghp_", "-----BEGIN"}) {
        assertThat(latin1.contains(k)).as(k).isEqualTo(utf8.contains(k));
      }
    }
  }
}
