package io.agentauditor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The field limits of contract section 2 (v2), at, just under and just over each bound, for every
 * field they apply to; a reason names its limit.
 */
class StepLimitsTest {

  private static final long T = 1_780_000_000_000L;
  private static final String E_ACUTE = "\u00e9"; // 2 bytes of UTF-8
  private static final String EURO = "\u20ac"; // 3 bytes
  private static final String CLEF = "\ud834\udd1e"; // 4 bytes, two chars

  /** A field, its path, its limit in bytes and the word its reason starts with. */
  private record Field(String path, int limit, String what, Function<String, Step> withValue) {}

  private static final List<Field> SIZED_FIELDS =
      List.of(
          new Field("eventId", 256, "id", v -> tool(v, "s1", "agent:a", "t", Map.of(), null)),
          new Field("sessionId", 256, "id", v -> tool("e1", v, "agent:a", "t", Map.of(), null)),
          new Field("agentId", 256, "id", v -> tool("e1", "s1", v, "t", Map.of(), null)),
          new Field("toolCall.tool", 256, "tool name", v -> tool("e1", "s1", "a", v, Map.of(), null)),
          new Field(
              "toolCall.credentialId", 256, "id", v -> tool("e1", "s1", "a", "t", Map.of(), v)),
          new Field(
              "delegation.childAgentId",
              256,
              "id",
              v -> new Step.AgentDelegated("e1", "s1", "a", T, v, List.of(), null)),
          new Field(
              "delegation.purpose",
              4096,
              "free text",
              v -> new Step.AgentDelegated("e1", "s1", "a", T, "b", List.of(), v)),
          new Field(
              "session.initiator",
              4096,
              "free text",
              v -> new Step.SessionStarted("e1", "s1", "a", T, v, List.of(), null)),
          new Field(
              "session.intent",
              4096,
              "free text",
              v -> new Step.SessionStarted("e1", "s1", "a", T, "u", List.of(), v)),
          new Field(
              "credential.credentialId",
              256,
              "id",
              v -> issued(v, "a")),
          new Field(
              "credential.subjectAgentId",
              256,
              "id",
              v -> issued("k1", v)),
          new Field(
              "revocation.credentialId",
              256,
              "id",
              v -> new Step.CredentialRevoked("e1", "s1", "a", T, v, null)),
          new Field(
              "revocation.reason",
              4096,
              "free text",
              v -> new Step.CredentialRevoked("e1", "s1", "a", T, "k1", v)),
          new Field(
              "approval.approvalId",
              256,
              "id",
              v -> new Step.ApprovalGranted("e1", "s1", "a", T, v, "user:bob", List.of(), 60)),
          new Field(
              "approval.approver",
              4096,
              "free text",
              v -> new Step.ApprovalGranted("e1", "s1", "a", T, "ap1", v, List.of(), 60)),
          new Field(
              "toolCall.arguments.k",
              256 * 1024,
              "argument value",
              v -> tool("e1", "s1", "a", "t", Map.of("k", v), null)));

  @TestFactory
  Stream<DynamicTest> shouldAcceptEachSizedFieldAtItsLimitAndRejectItOneByteOver() {
    return SIZED_FIELDS.stream()
        .flatMap(
            f ->
                Stream.of(
                    DynamicTest.dynamicTest(
                        f.path() + " at, and one byte under, " + f.limit() + " bytes is valid",
                        () -> {
                          // Given / When / Then
                          assertThatCode(() -> f.withValue().apply(ascii(f.limit())))
                              .doesNotThrowAnyException();
                          assertThatCode(() -> f.withValue().apply(ascii(f.limit() - 1)))
                              .doesNotThrowAnyException();
                        }),
                    DynamicTest.dynamicTest(
                        f.path() + " one byte over " + f.limit() + " is invalid, naming the limit",
                        () -> {
                          // When
                          InvalidStepException e =
                              catchThrowableOfType(
                                  () -> f.withValue().apply(ascii(f.limit() + 1)),
                                  InvalidStepException.class);
                          // Then
                          assertThat(e).isNotNull();
                          assertThat(e.path()).isEqualTo(f.path());
                          assertThat(e.reason())
                              .isEqualTo(
                                  f.what()
                                      + " longer than "
                                      + f.limit()
                                      + " bytes of UTF-8 (limit "
                                      + f.limit()
                                      + ")");
                        })));
  }

  @Test
  void shouldCountBytesOfUtf8NotCharacters() {
    // Given: ids of exactly 256 bytes made of 2-, 3- and 4-byte characters, and one byte more
    String twoByte = E_ACUTE.repeat(128);
    String mixed = EURO.repeat(84) + "abcd";
    String fourByte = CLEF.repeat(64);
    // When / Then
    assertThat(mixed.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(256);
    for (String ok : List.of(twoByte, mixed, fourByte)) {
      assertThatCode(() -> tool("e1", "s1", ok, "t", Map.of(), null)).doesNotThrowAnyException();
    }
    for (String over : List.of(twoByte + "x", mixed + E_ACUTE, fourByte + "x")) {
      assertThat(
              catchThrowableOfType(
                  () -> tool("e1", "s1", over, "t", Map.of(), null), InvalidStepException.class))
          .isNotNull();
    }
  }

  @Test
  void shouldLimitArgumentNamesTo256Bytes() {
    // Given
    String atLimit = "n".repeat(256);
    String over = "n".repeat(257);
    // When
    InvalidStepException e =
        catchThrowableOfType(
            () -> tool("e1", "s1", "a", "t", Map.of(over, "v"), null), InvalidStepException.class);
    // Then
    assertThatCode(() -> tool("e1", "s1", "a", "t", Map.of(atLimit, "v"), null))
        .doesNotThrowAnyException();
    assertThat(e.path()).startsWith("toolCall.arguments[\"nnn");
    assertThat(e.reason()).isEqualTo("argument name longer than 256 bytes of UTF-8 (limit 256)");
  }

  @Test
  void shouldLimitArgumentsTo64Entries() {
    // Given
    Map<String, String> at = arguments(64);
    Map<String, String> under = arguments(63);
    Map<String, String> over = arguments(65);
    // When
    InvalidStepException e =
        catchThrowableOfType(() -> tool("e1", "s1", "a", "t", over, null), InvalidStepException.class);
    // Then
    assertThatCode(() -> tool("e1", "s1", "a", "t", at, null)).doesNotThrowAnyException();
    assertThatCode(() -> tool("e1", "s1", "a", "t", under, null)).doesNotThrowAnyException();
    assertThat(e.getMessage()).isEqualTo("toolCall.arguments: more than 64 entries (limit 64)");
  }

  @Test
  void shouldLimitEveryScopeListTo128Scopes() {
    // Given
    List<String> at = scopes(128);
    List<String> under = scopes(127);
    List<String> over = scopes(129);
    // When / Then
    for (Function<List<String>, Step> withScopes : scopeLists()) {
      assertThatCode(() -> withScopes.apply(at)).doesNotThrowAnyException();
      assertThatCode(() -> withScopes.apply(under)).doesNotThrowAnyException();
      InvalidStepException e =
          catchThrowableOfType(() -> withScopes.apply(over), InvalidStepException.class);
      assertThat(e.reason()).isEqualTo("more than 128 scopes (limit 128)");
      assertThat(e.path()).doesNotContain("[");
    }
  }

  @Test
  void shouldLimitAScopeTo512Bytes() {
    // Given: read:r/xxx... of 511, 512 and 513 bytes (one segment)
    String at = "read:r" + "x".repeat(512 - 6);
    String under = "read:r" + "x".repeat(511 - 6);
    String over = at + "x";
    // When
    InvalidStepException e =
        catchThrowableOfType(
            () -> new Step.AgentDelegated("e1", "s1", "a", T, "b", List.of("read:x", over), null),
            InvalidStepException.class);
    // Then
    assertThat(at).hasSize(512);
    assertThat(under).hasSize(511);
    assertThatCode(() -> delegation(List.of(at))).doesNotThrowAnyException();
    assertThatCode(() -> delegation(List.of(under))).doesNotThrowAnyException();
    assertThat(e.getMessage())
        .isEqualTo("delegation.scopes[1]: scope longer than 512 bytes of UTF-8 (limit 512)");
  }

  @Test
  void shouldLimitAScopeTo32Segments() {
    // Given
    String at = "read:" + String.join("/", Collections.nCopies(32, "s"));
    String under = "read:" + String.join("/", Collections.nCopies(31, "s"));
    String over = "read:" + String.join("/", Collections.nCopies(33, "s"));
    String overWithWildcards = "read:" + String.join("/", Collections.nCopies(32, "*")) + "/**";
    // When
    InvalidStepException e =
        catchThrowableOfType(() -> delegation(List.of(over)), InvalidStepException.class);
    // Then
    assertThatCode(() -> delegation(List.of(at))).doesNotThrowAnyException();
    assertThatCode(() -> delegation(List.of(under))).doesNotThrowAnyException();
    assertThat(e.getMessage())
        .isEqualTo("delegation.scopes[0]: scope with more than 32 segments (limit 32)");
    assertThat(catchThrowableOfType(() -> delegation(List.of(overWithWildcards)), InvalidStepException.class))
        .isNotNull();
  }

  @Test
  void shouldRejectAnEventIdEndingWithTheIdleTimeoutSuffix() {
    // Given
    String reserved = "s1#idle-timeout";
    // When
    InvalidStepException e =
        catchThrowableOfType(
            () -> new Step.SessionEnded(reserved, "s1", "a", T), InvalidStepException.class);
    // Then
    assertThat(e.path()).isEqualTo("eventId");
    assertThat(e.reason()).contains("#idle-timeout");
    assertThatCode(() -> new Step.SessionEnded("s1#idle-timeout-2", "s1", "a", T))
        .doesNotThrowAnyException();
    assertThatCode(() -> new Step.SessionEnded("#idle-timeoutx", "s1", "a", T))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldCheckTheRecordSizeAtOneMebibyte() {
    // Given / When
    InvalidStepException e =
        catchThrowableOfType(() -> Limits.checkRecordBytes(1024 * 1024 + 1), InvalidStepException.class);
    // Then
    assertThatCode(() -> Limits.checkRecordBytes(1024 * 1024)).doesNotThrowAnyException();
    assertThatCode(() -> Limits.checkRecordBytes(1024 * 1024 - 1)).doesNotThrowAnyException();
    assertThat(e.getMessage()).isEqualTo("$: record larger than 1048576 bytes (limit 1048576)");
  }

  // ------------------------------------------------------------------ helpers

  static String ascii(int n) {
    return "x".repeat(n);
  }

  private static Step tool(
      String eventId,
      String sessionId,
      String agentId,
      String tool,
      Map<String, String> args,
      String credentialId) {
    return new Step.ToolCall(eventId, sessionId, agentId, T, tool, args, credentialId);
  }

  private static Step issued(String credentialId, String subject) {
    return new Step.CredentialIssued(
        "e1",
        "s1",
        "a",
        T,
        credentialId,
        subject,
        List.of(),
        CredentialKind.SHORT_LIVED_TOKEN,
        60,
        CredentialStorage.MEMORY);
  }

  private static Step delegation(List<String> scopes) {
    return new Step.AgentDelegated("e1", "s1", "a", T, "b", scopes, null);
  }

  private static List<Function<List<String>, Step>> scopeLists() {
    return List.of(
        l -> new Step.SessionStarted("e1", "s1", "a", T, "u", l, null),
        StepLimitsTest::delegation,
        l ->
            new Step.CredentialIssued(
                "e1", "s1", "a", T, "k1", "a", l, CredentialKind.SHORT_LIVED_TOKEN, 60,
                CredentialStorage.MEMORY),
        l -> new Step.ApprovalGranted("e1", "s1", "a", T, "ap1", "user:bob", l, 60));
  }

  static Map<String, String> arguments(int n) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      m.put("arg" + i, "v");
    }
    return m;
  }

  static List<String> scopes(int n) {
    List<String> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add("read:repo/r" + i);
    }
    return l;
  }
}
