package io.agentauditor.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Section 2's limits (v2) as properties: a field is valid exactly when its UTF-8 size (or its
 * count) is within the limit, whatever characters make it up, around each bound.
 */
class StepLimitsPropertyTest {

  private static final long T = 1_780_000_000_000L;
  /** Characters of 1, 2, 3 and 4 bytes of UTF-8 (the last is a surrogate pair). */
  private static final List<String> CHARS = List.of("a", "\u00e9", "\u20ac", "\ud83d\ude00");

  @Provide
  Arbitrary<String> nearIdLimit() {
    return textOfBytes(256 - 8, 256 + 8);
  }

  @Provide
  Arbitrary<String> nearTextLimit() {
    return textOfBytes(4096 - 8, 4096 + 8);
  }

  @Provide
  Arbitrary<String> nearValueLimit() {
    return textOfBytes(256 * 1024 - 8, 256 * 1024 + 8);
  }

  /** Strings whose UTF-8 size is spread over [min, max] (a 4-byte character may overshoot by 3). */
  private static Arbitrary<String> textOfBytes(int min, int max) {
    return Arbitraries.integers()
        .between(min, max)
        .flatMap(
            target ->
                Arbitraries.of(CHARS)
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(8)
                    .map(
                        pattern -> {
                          StringBuilder sb = new StringBuilder();
                          int bytes = 0;
                          for (int i = 0; bytes < target; i = (i + 1) % pattern.size()) {
                            String c = pattern.get(i);
                            int n = utf8(c);
                            if (bytes + n > target) {
                              c = "a"; // fill up exactly
                              n = 1;
                            }
                            sb.append(c);
                            bytes += n;
                          }
                          return sb.toString();
                        }));
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static boolean valid(Runnable construct) {
    try {
      construct.run();
      return true;
    } catch (InvalidStepException e) {
      assertThat(e.reason()).contains("(limit ");
      return false;
    }
  }

  @Property(tries = 300)
  void anIdIsValidExactlyWhenItsUtf8FitsIn256Bytes(@ForAll("nearIdLimit") String id) {
    // Given
    boolean fits = utf8(id) <= Limits.MAX_ID_BYTES;
    // When
    boolean asAgent = valid(() -> new Step.SessionEnded("e1", "s1", id, T));
    boolean asChild = valid(() -> new Step.AgentDelegated("e1", "s1", "a", T, id, List.of(), null));
    boolean asTool =
        valid(() -> new Step.ToolCall("e1", "s1", "a", T, id, Map.of(), null));
    // Then
    assertThat(asAgent).isEqualTo(fits);
    assertThat(asChild).isEqualTo(fits);
    assertThat(asTool).isEqualTo(fits);
  }

  @Property(tries = 200)
  void freeTextIsValidExactlyWhenItsUtf8FitsIn4KiB(@ForAll("nearTextLimit") String text) {
    // Given
    boolean fits = utf8(text) <= Limits.MAX_TEXT_BYTES;
    // When
    boolean asInitiator =
        valid(() -> new Step.SessionStarted("e1", "s1", "a", T, text, List.of(), null));
    boolean asReason = valid(() -> new Step.CredentialRevoked("e1", "s1", "a", T, "k1", text));
    // Then
    assertThat(asInitiator).isEqualTo(fits);
    assertThat(asReason).isEqualTo(fits);
  }

  @Property(tries = 50)
  void anArgumentValueIsValidExactlyWhenItsUtf8FitsIn256KiB(@ForAll("nearValueLimit") String v) {
    // Given
    boolean fits = utf8(v) <= Limits.MAX_ARGUMENT_VALUE_BYTES;
    // When
    boolean valid = valid(() -> new Step.ToolCall("e1", "s1", "a", T, "t", Map.of("k", v), null));
    // Then
    assertThat(valid).isEqualTo(fits);
  }

  @Property(tries = 100)
  void countsAreValidExactlyUpToTheirLimit(
      @ForAll @IntRange(min = 120, max = 136) int scopes,
      @ForAll @IntRange(min = 56, max = 72) int arguments,
      @ForAll @IntRange(min = 28, max = 36) int segments) {
    // Given
    String scope = "read:" + String.join("/", java.util.Collections.nCopies(segments, "s"));
    // When
    boolean scopesValid =
        valid(
            () ->
                new Step.ApprovalGranted(
                    "e1", "s1", "a", T, "ap1", "u", StepLimitsTest.scopes(scopes), 60));
    boolean argumentsValid =
        valid(
            () ->
                new Step.ToolCall(
                    "e1", "s1", "a", T, "t", StepLimitsTest.arguments(arguments), null));
    boolean segmentsValid =
        valid(() -> new Step.SessionStarted("e1", "s1", "a", T, "u", List.of(scope), null));
    // Then
    assertThat(scopesValid).isEqualTo(scopes <= Limits.MAX_SCOPES);
    assertThat(argumentsValid).isEqualTo(arguments <= Limits.MAX_ARGUMENTS);
    assertThat(segmentsValid).isEqualTo(segments <= Limits.MAX_SCOPE_SEGMENTS);
  }

  @Property(tries = 300)
  void theByteCountAgreesWithJavasEncoder(@ForAll("nearIdLimit") String s, @ForAll @IntRange(min = 240, max = 272) int limit) {
    // Given
    int bytes = utf8(s);
    // When
    boolean longer = Limits.utf8LongerThan(s, limit);
    // Then
    assertThat(longer).isEqualTo(bytes > limit);
  }
}
