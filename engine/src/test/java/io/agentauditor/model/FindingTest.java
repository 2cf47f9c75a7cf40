package io.agentauditor.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FindingTest {

  private static Finding finding(String message) {
    return new Finding(
        "scope-widening", Verdict.BLOCK, RuleMode.ENFORCE, Severity.CRITICAL, message, List.of(), null);
  }

  @Test
  void shouldKeepAMessageOfTheBoundWhole() {
    // Given
    String message = "x".repeat(Finding.MAX_MESSAGE_CHARS);
    // When / Then
    assertThat(finding(message).message()).isEqualTo(message);
  }

  @Test
  void shouldCutALongerMessageToTheBoundAndSayHowMuchWasCut() {
    // Given a message of 512 Ki characters (a scope built from two 256 KiB arguments)
    String message = "write:deploy/" + "a".repeat(512 * 1024);
    // When
    String kept = finding(message).message();
    // Then
    assertThat(kept).hasSizeLessThanOrEqualTo(Finding.MAX_MESSAGE_CHARS).startsWith("write:deploy/aaa");
    int cut = message.length() - kept.indexOf('\u2026');
    assertThat(kept).endsWith("\u2026 (" + cut + " more characters)");
  }

  @Test
  void shouldCutIdempotentlySoAStoredFindingEqualsTheOneMade() {
    // Given
    Finding made = finding("y".repeat(100_000));
    // When a finding is made again from its message (as decoding a stored decision does)
    Finding decoded = finding(made.message());
    // Then
    assertThat(decoded).isEqualTo(made);
  }

  @Test
  void shouldNeverSplitASurrogatePair() {
    // Given emoji across the cut
    String message = "\uD83D\uDE00".repeat(Finding.MAX_MESSAGE_CHARS);
    // When
    String kept = finding(message).message();
    // Then
    String head = kept.substring(0, kept.indexOf('\u2026'));
    assertThat(head.length() % 2).isZero();
    assertThat(Character.isHighSurrogate(head.charAt(head.length() - 1))).isFalse();
  }
}
