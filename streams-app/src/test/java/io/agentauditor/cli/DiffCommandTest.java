package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.policy.TestBundles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DiffCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCENARIO = "scenarios/demo-session.jsonl";

  private static final String START =
      "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\",\"occurredAt\":\"2026-01-01T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/**\"]}}";
  /** A 30-minute token: within the default bundle's hour, over a ten-minute bound. */
  private static final String ISSUE =
      "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\",\"occurredAt\":\"2026-01-01T10:00:01Z\",\"type\":\"CREDENTIAL_ISSUED\",\"credential\":{\"credentialId\":\"k1\",\"subjectAgentId\":\"agent:root\",\"scopes\":[\"read:repo/**\"],\"kind\":\"SHORT_LIVED_TOKEN\",\"ttlSeconds\":1800,\"storage\":\"MEMORY\"}}";
  private static final String USE =
      "{\"eventId\":\"e3\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\",\"occurredAt\":\"2026-01-01T10:00:02Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"},\"credentialId\":\"k1\"}}";
  private static final String READ =
      "{\"eventId\":\"e4\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\",\"occurredAt\":\"2026-01-01T10:00:03Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";
  private static final String OTHER_SESSION =
      "{\"eventId\":\"e5\",\"sessionId\":\"s2\",\"agentId\":\"agent:root\",\"occurredAt\":\"2026-01-01T10:00:04Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:bob\",\"grantedScopes\":[\"read:repo/**\"]}}";

  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  @Test
  void shouldExitZeroAndWriteOnlyAnEmptySummaryWhenBothBundlesAreTheSame() throws IOException {
    // Given
    Path input = write(START, ISSUE, USE, READ, OTHER_SESSION);
    Path output = tmp.resolve("diff.jsonl");
    Path bundle = TestBundles.defaultBundle();
    // When
    int code = diff(bundle, bundle, input, output);
    // Then
    assertThat(code).isZero();
    List<JsonNode> lines = read(output);
    assertThat(lines).hasSize(1);
    JsonNode summary = lines.get(0).get("summary");
    assertThat(summary.get("events").asLong()).isEqualTo(5);
    assertThat(summary.get("differing").asLong()).isZero();
    assertThat(summary.get("transitions").size()).isZero();
    assertThat(summary.get("sessionsTouched").asLong()).isZero();
    assertThat(err.toString()).startsWith("diff: 5 events, 5 decisions compared, 0 differ");
  }

  @Test
  void shouldListTheBlockedIssuanceAndTheUseItMadeUnknownWhenTheTtlBoundIsLowered() throws IOException {
    // Given a candidate whose credential lifetime bound is ten minutes instead of an hour
    Path candidate = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("candidate"));
    String settings = TestBundles.read(candidate, "settings.yaml");
    TestBundles.write(
        candidate,
        "settings.yaml",
        settings.replace("maxCredentialTtlSeconds: 3600", "maxCredentialTtlSeconds: 600"));
    Path input = write(START, ISSUE, USE, READ, OTHER_SESSION);
    Path output = tmp.resolve("diff.jsonl");
    // When
    int code = diff(TestBundles.defaultBundle(), candidate, input, output);
    // Then the issuance is blocked, so the candidate's chain never holds k1 and its use is unknown
    assertThat(code).isEqualTo(1);
    List<JsonNode> lines = read(output);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0))
        .isEqualTo(
            JSON.readTree(
                "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"base\":\"ALLOW\",\"candidate\":\"BLOCK\","
                    + "\"added\":[\"long-lived-credential\"],\"removed\":[]}"));
    assertThat(lines.get(1))
        .isEqualTo(
            JSON.readTree(
                "{\"eventId\":\"e3\",\"sessionId\":\"s1\",\"base\":\"ALLOW\",\"candidate\":\"BLOCK\","
                    + "\"added\":[\"credential-unknown\"],\"removed\":[]}"));
    assertThat(lines.get(2))
        .isEqualTo(
            JSON.readTree(
                "{\"summary\":{\"events\":5,\"compared\":5,\"differing\":2,\"deadLetters\":0,"
                    + "\"transitions\":{\"ALLOW->BLOCK\":2},"
                    + "\"rules\":{\"credential-unknown\":1,\"long-lived-credential\":1},"
                    + "\"sessionsTouched\":1,\"firstDiffering\":{\"s1\":\"e2\"}}}"));
    assertThat(err.toString())
        .isEqualTo(
            "diff: 5 events, 5 decisions compared, 2 differ (ALLOW->BLOCK 2), 1 session touched; "
                + "rules: credential-unknown +1, long-lived-credential +1; 0 dead letters"
                + System.lineSeparator());
  }

  @Test
  void shouldListExactlyTheEventsWhoseDecisionsTwoReplaysDecideDifferentlyWhenOneRuleChanges()
      throws IOException {
    // Given the demo scenario, the default bundle, and a copy where approval-required only flags
    Path input = tmp.resolve("events.jsonl");
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(SCENARIO)) {
      Files.copy(in, input);
    }
    Path candidate = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("candidate"));
    String rules = TestBundles.read(candidate, "rules.yaml");
    String changed =
        rules.replace(
            "  - id: approval-required\n    action: BLOCK\n",
            "  - id: approval-required\n    action: FLAG\n");
    assertThat(changed).isNotEqualTo(rules);
    TestBundles.write(candidate, "rules.yaml", changed);
    Path baseDecisions = tmp.resolve("base-decisions.jsonl");
    Path candidateDecisions = tmp.resolve("candidate-decisions.jsonl");
    assertThat(replay(TestBundles.defaultBundle(), input, baseDecisions)).isZero();
    assertThat(replay(candidate, input, candidateDecisions)).isZero();
    List<JsonNode> base = read(baseDecisions);
    List<JsonNode> cand = read(candidateDecisions);
    assertThat(cand).hasSameSizeAs(base);
    List<String> expected = new ArrayList<>();
    Map<String, String> firstPerSession = new TreeMap<>();
    for (int i = 0; i < base.size(); i++) {
      JsonNode b = base.get(i);
      JsonNode c = cand.get(i);
      assertThat(c.get("eventId")).isEqualTo(b.get("eventId"));
      if (!b.get("verdict").equals(c.get("verdict")) || !ruleIds(b).equals(ruleIds(c))) {
        expected.add(b.get("eventId").asText());
        firstPerSession.putIfAbsent(b.get("sessionId").asText(), b.get("eventId").asText());
      }
    }
    assertThat(expected).isNotEmpty();
    Path output = tmp.resolve("diff.jsonl");
    // When
    int code = diff(TestBundles.defaultBundle(), candidate, input, output);
    // Then
    assertThat(code).isEqualTo(1);
    List<JsonNode> lines = read(output);
    assertThat(lines.subList(0, lines.size() - 1))
        .extracting(l -> l.get("eventId").asText())
        .containsExactlyElementsOf(expected);
    JsonNode summary = lines.get(lines.size() - 1).get("summary");
    assertThat(summary.get("differing").asLong()).isEqualTo(expected.size());
    assertThat(summary.get("compared").asLong()).isEqualTo(base.size());
    assertThat(summary.get("sessionsTouched").asLong()).isEqualTo(firstPerSession.size());
    assertThat(JSON.convertValue(summary.get("firstDiffering"), Map.class)).isEqualTo(firstPerSession);
    assertThat(summary.get("transitions").get("BLOCK->FLAG").asLong()).isPositive();
  }

  @Test
  void shouldListARuleSwitchedToShadowAsRemovedWithItsVerdictLifted() throws IOException {
    // Given a base that bounds credential lifetimes at ten minutes, and a candidate where that rule runs in shadow
    Path base = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("base"));
    TestBundles.write(
        base,
        "settings.yaml",
        TestBundles.read(base, "settings.yaml")
            .replace("maxCredentialTtlSeconds: 3600", "maxCredentialTtlSeconds: 600"));
    Path candidate = TestBundles.copy(base, tmp.resolve("candidate"));
    String rules = TestBundles.read(candidate, "rules.yaml");
    String shadowed =
        rules.replace("  - id: long-lived-credential\n", "  - id: long-lived-credential\n    mode: shadow\n");
    assertThat(shadowed).isNotEqualTo(rules);
    TestBundles.write(candidate, "rules.yaml", shadowed);
    Path input = write(START, ISSUE, USE, READ);
    Path output = tmp.resolve("diff.jsonl");
    // When
    int code = diff(base, candidate, input, output);
    // Then the shadowed finding stays (same rule ids) but the verdict is lifted, and the use is known again
    assertThat(code).isEqualTo(1);
    List<JsonNode> lines = read(output);
    assertThat(lines).extracting(l -> l.path("eventId").asText()).containsExactly("e2", "e3", "");
    assertThat(lines.get(0).get("base").asText()).isEqualTo("BLOCK");
    assertThat(lines.get(0).get("candidate").asText()).isEqualTo("ALLOW");
    assertThat(lines.get(0).get("added").size() + lines.get(0).get("removed").size()).isZero();
    assertThat(lines.get(1).get("removed").toString()).isEqualTo("[\"credential-unknown\"]");
    assertThat(lines.get(2).get("summary").get("rules").toString()).isEqualTo("{\"credential-unknown\":-1}");
  }

  @Test
  void shouldReportDeadLettersOnStderrAndStillCompareTheRest() throws IOException {
    // Given
    Path input = write(START, "not json", READ);
    Path output = tmp.resolve("diff.jsonl");
    Path bundle = TestBundles.defaultBundle();
    // When
    int code = diff(bundle, bundle, input, output);
    // Then
    assertThat(code).isZero();
    assertThat(err.toString().lines().toList().get(0)).startsWith("line 2: ");
    assertThat(read(output).get(0).get("summary").get("deadLetters").asLong()).isEqualTo(1);
  }

  @Test
  void shouldExitTwoWhenACandidateBundleFailsToLoad() throws IOException {
    // Given
    Path input = write(START);
    Path empty = Files.createDirectories(tmp.resolve("empty-bundle"));
    // When
    int code = diff(TestBundles.defaultBundle(), empty, input, tmp.resolve("diff.jsonl"));
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("bundle.yaml");
  }

  @Test
  void shouldExitTwoWithoutACandidate() throws IOException {
    // Given
    Path input = write(START);
    // When
    int code = run("diff", "--base", TestBundles.defaultBundle().toString(), "--input", input.toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--candidate");
  }

  @Test
  void shouldExitTwoWhenTheInputDoesNotExist() {
    // Given
    Path bundle = TestBundles.defaultBundle();
    // When
    int code = diff(bundle, bundle, tmp.resolve("missing.jsonl"), tmp.resolve("diff.jsonl"));
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("no such file");
  }

  private int diff(Path base, Path candidate, Path input, Path output) {
    return run(
        "diff",
        "--base", base.toString(),
        "--candidate", candidate.toString(),
        "--input", input.toString(),
        "--output", output.toString());
  }

  private int replay(Path bundle, Path input, Path output) {
    return run(
        "replay",
        "--policies", bundle.toString(),
        "--input", input.toString(),
        "--output", output.toString());
  }

  private static Set<String> ruleIds(JsonNode decision) {
    Set<String> ids = new TreeSet<>();
    decision.get("findings").forEach(f -> ids.add(f.get("ruleId").asText()));
    return ids;
  }

  private int run(String... args) {
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    return cli.execute(args);
  }

  private Path write(String... lines) throws IOException {
    Path file = Files.createTempFile(tmp, "events", ".jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  private static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }
}
