package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.engine.ArgumentScanner.Form;
import io.agentauditor.engine.ArgumentScanner.Located;
import io.agentauditor.engine.ArgumentScanner.Match;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ArgumentScanner#locate}: where the patterns fire in one value, every occurrence, in the
 * form it was first found in; the scan a pre-merge check runs, with the engine's patterns and forms.
 */
class ArgumentScannerLocateTest {

  private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

  private final ArgumentScanner scanner = new ArgumentScanner(Policies.defaultPolicy());

  @Test
  void shouldGiveTheOffsetsOfEveryKeyAsGiven() {
    // Given two keys in one text
    String text = "a = \"" + AWS_KEY + "\"\nb = \"ASIAIOSFODNN7EXAMPL2\"\n";

    // When located
    Located located = scanner.locate(text);

    // Then both are found as given, at their offsets
    assertThat(located.matches())
        .extracting(Match::patternId, Match::form, Match::start, Match::matched)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("aws-access-key-id", Form.GIVEN, 5, AWS_KEY),
            org.assertj.core.groups.Tuple.tuple(
                "aws-access-key-id", Form.GIVEN, text.indexOf("ASIA"), "ASIAIOSFODNN7EXAMPL2"));
  }

  @Test
  void shouldGiveTheRunOfAKeyFoundOnlyDecoded() {
    // Given a key only in base64
    String encoded =
        Base64.getEncoder().encodeToString(("key " + AWS_KEY).getBytes(StandardCharsets.UTF_8));
    String text = "x\nsecret: " + encoded + "\n";

    // When located
    Located located = scanner.locate(text);

    // Then it is one decoded match, spanning the run
    assertThat(located.matches()).hasSize(1);
    Match m = located.matches().get(0);
    assertThat(m.form()).isEqualTo(Form.DECODED);
    assertThat(m.start()).isEqualTo(text.indexOf(encoded));
    assertThat(m.matched()).isEqualTo(AWS_KEY);
  }

  @Test
  void shouldReportAKeyFoundAsGivenOnceAlthoughItsNormalisedFormHoldsItToo() {
    // Given a key as given in a text that normalising changes elsewhere
    String text = "caf\u00e9\u200b " + AWS_KEY;

    // When located
    Located located = scanner.locate(text);

    // Then it is found once, as given
    assertThat(located.matches()).extracting(Match::form).containsExactly(Form.GIVEN);
  }

  @Test
  void shouldFindATerraformAccessKeyBlockWithTheCodePatterns() {
    // Given a Terraform block making a key that never expires
    String text = "resource \"aws_iam_access_key\" \"ci\" {\n  user = \"ci\"\n}\n";

    // When located
    Located located = scanner.locate(text);

    // Then a code pattern fires where the scan says it does
    assertThat(located.matches())
        .extracting(Match::patternId, Match::code)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("terraform-aws-iam-access-key", true));
    assertThat(scanner.codeHits(Map.of("content", text))).contains("terraform-aws-iam-access-key");
  }

  @Test
  void shouldFindNothingInACleanText() {
    // When
    Located located = scanner.locate("public class Clean { int x = 1; }\n");
    // Then
    assertThat(located.matches()).isEmpty();
  }
}
