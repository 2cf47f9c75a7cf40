package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Contract section 7 (v2): secrets are sought in every argument value and name, as given, in
 * normalised form (NFKC, Cf removed) and in the base64-decoded runs of the normalised text; code
 * patterns in values as given and normalised. The dodges of issue 12, one test each.
 */
class ArgumentScannerFormsTest {

  private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

  private final ArgumentScanner scanner = new ArgumentScanner(Policies.defaultPolicy());

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> args(String... namesAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return m;
  }

  @Test
  void shouldFindAKeyAsGivenWithoutAFormLabel() {
    // When
    String hits = scanner.secretHits(args("content", "id " + AWS_KEY));
    // Then
    assertThat(hits).isEqualTo("argument 'content' matches aws-access-key-id");
  }

  @Test
  void shouldFindAKeySplitByAZeroWidthSpaceInItsNormalisedForm() {
    // Given a key with U+200B (general category Cf) inside its prefix
    Map<String, String> a = args("content", "AK\u200BIAIOSFODNN7EXAMPLE");
    // When
    String hits = scanner.secretHits(a);
    // Then
    assertThat(hits).isEqualTo("argument 'content' matches aws-access-key-id (normalised)");
  }

  @Test
  void shouldFindAKeyWrittenInFullWidthCharactersInItsNormalisedForm() {
    // Given the key in full-width letters and digits (NFKC folds them to ASCII)
    StringBuilder fullWidth = new StringBuilder();
    AWS_KEY.chars().forEach(c -> fullWidth.append((char) (c - 0x20 + 0xFF00)));
    // When
    String hits = scanner.secretHits(args("content", "key: " + fullWidth));
    // Then
    assertThat(hits).isEqualTo("argument 'content' matches aws-access-key-id (normalised)");
  }

  @Test
  void shouldFindABase64EncodedKeyInItsDecodedForm() {
    // When
    String hits = scanner.secretHits(args("content", "blob: " + base64("AWS_ACCESS_KEY_ID=" + AWS_KEY) + "\n"));
    // Then
    assertThat(hits).isEqualTo("argument 'content' matches aws-access-key-id (base64)");
  }

  @Test
  void shouldDecodeARunWhateverStrayCharactersPrecedeOrFollowIt() {
    // Given the encoded key glued to one, two and three characters of the alphabet, and one after
    for (String stray : new String[] {"x", "xy", "xyz"}) {
      // When
      String hits = scanner.secretHits(args("content", stray + base64(AWS_KEY) + "Q"));
      // Then
      assertThat(hits).as("stray %s", stray).isEqualTo("argument 'content' matches aws-access-key-id (base64)");
    }
  }

  @Test
  void shouldReadTheUrlSafeAlphabetAsBase64() {
    // Given a text whose standard encoding holds + and /, written in the URL-safe alphabet
    String text = "\u00ff\u00fe key=" + AWS_KEY + " \u00ff\u00ff";
    String urlSafe =
        Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    assertThat(urlSafe).containsAnyOf("-", "_");
    // When
    String hits = scanner.secretHits(args("content", urlSafe));
    // Then
    assertThat(hits).isEqualTo("argument 'content' matches aws-access-key-id (base64)");
  }

  @Test
  void shouldDecodeRunsOfTheNormalisedText() {
    // Given an encoded key with a zero-width space in it
    String encoded = base64(AWS_KEY);
    String dodged = encoded.substring(0, 10) + "\u200B" + encoded.substring(10);
    // When
    String hits = scanner.secretHits(args("content", dodged));
    // Then
    assertThat(hits).isEqualTo("argument 'content' matches aws-access-key-id (base64)");
  }

  @Test
  void shouldNotDecodeADecodedTextAgain() {
    // When
    String hits = scanner.secretHits(args("content", base64(base64(AWS_KEY))));
    // Then
    assertThat(hits).isNull();
  }

  @Test
  void shouldNotDecodeRunsShorterThanTwentyFourCharacters() {
    // Given a key that fits in 23 base64 characters (17 bytes: "AKIA" + 13, unpadded)
    String short23 = Base64.getEncoder().withoutPadding().encodeToString("AKIAIOSFODNN7EXAM".getBytes(StandardCharsets.UTF_8));
    assertThat(short23).hasSize(23);
    // When
    String hits = scanner.secretHits(args("content", "x=" + short23 + ";"));
    // Then (nothing decoded; the 17 bytes hold no whole key anyway, so the test pins only the length)
    assertThat(hits).isNull();
  }

  @Test
  void shouldFindASecretUsedAsAnArgumentNameWithoutQuotingIt() {
    // Given the key as the name of the second argument in name order
    Map<String, String> a = args("repo", "acme/api", AWS_KEY, "1", "z", "ghp_" + "a1B2".repeat(9));
    // When
    String hits = scanner.secretHits(a);
    // Then the name is withheld and its argument numbered
    assertThat(hits)
        .isEqualTo(
            "name of argument #1 matches aws-access-key-id; argument 'z' matches github-classic-token")
        .doesNotContain(AWS_KEY);
  }

  @Test
  void shouldFindAnEncodedSecretInANameAndWithholdTheNameEverywhere() {
    // Given a base64 name carrying a key, whose value also holds a token
    String name = base64(AWS_KEY);
    Map<String, String> a = args("content", "x", name, "xoxb-1234567890-abcdefghij");
    // When
    String hits = scanner.secretHits(a);
    // Then
    assertThat(hits)
        .isEqualTo(
            "name of argument #1 matches aws-access-key-id (base64); argument #1 matches slack-token")
        .doesNotContain(name);
  }

  @Test
  void shouldWithholdASecretNameInTheCodeMessageToo() {
    // When only the code patterns run
    String hits = scanner.codeHits(args(AWS_KEY, "expires_at: null", "b", "ok"));
    // Then
    assertThat(hits).isEqualTo("argument #1 matches token-expires-at-null").doesNotContain(AWS_KEY);
  }

  @Test
  void shouldScanCodePatternsInNormalisedValuesButNotInNamesOrDecodedText() {
    // Given a full-width key name, the code as an argument name, and the code base64-encoded
    String fullWidth = "\uFF45\uFF58\uFF50\uFF49\uFF52\uFF45\uFF53_at: null";
    Map<String, String> a =
        args("a", fullWidth, "expires_at: null", "x", "c", base64("token:\n  expires_at: null\n"));
    // When
    String hits = scanner.codeHits(a);
    // Then
    assertThat(hits).isEqualTo("argument 'a' matches token-expires-at-null (normalised)");
  }

  @Test
  void shouldNameTheFirstFormEachPatternMatchedIn() {
    // Given a value with a Slack token as given and a key only in base64
    String value = "xoxb-1234567890-abcdefghij " + base64("id=" + AWS_KEY);
    // When
    String hits = scanner.secretHits(args("content", value));
    // Then patterns stay in bundle order, each with its form
    assertThat(hits).isEqualTo("argument 'content' matches aws-access-key-id (base64), slack-token");
  }

  @Test
  void shouldGiveTheSameMessageWhateverTheOrderOfTheArguments() {
    // Given the same arguments in two orders
    Map<String, String> one = args("b", base64(AWS_KEY), AWS_KEY, "x", "a", "xoxb-1234567890");
    Map<String, String> two = new TreeMap<>(one);
    // When / Then
    assertThat(scanner.secretHits(two)).isEqualTo(scanner.secretHits(one)).isNotNull();
  }

  @Test
  void shouldScanBothSetsInOneCall() {
    // When
    ArgumentScanner.Hits hits =
        scanner.scan(args("content", "expires_at: null\nk=" + AWS_KEY), true, true);
    // Then
    assertThat(hits.secrets()).isEqualTo("argument 'content' matches aws-access-key-id");
    assertThat(hits.code()).isEqualTo("argument 'content' matches token-expires-at-null");
  }
}
