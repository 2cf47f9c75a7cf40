package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.model.Decision;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.model.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReplayCommandTest {

  private static final String START =
      "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";
  private static final String READ =
      "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:01Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";
  private static final String WRITE =
      "{\"eventId\":\"e3\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:02Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/api\",\"content\":\"x\"}}}";

  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  @Test
  void shouldWriteOneDecisionPerLineInInputOrderAndExitZero() throws IOException {
    // Given
    Path input = write(START, READ, WRITE);
    Path output = tmp.resolve("decisions.jsonl");
    // When
    int code = run("replay", "--input", input.toString(), "--output", output.toString());
    // Then
    assertThat(code).isZero();
    List<Decision> decisions = Files.readAllLines(output).stream().map(DecisionJsonCodec::decode).toList();
    assertThat(decisions).extracting(Decision::eventId).containsExactly("e1", "e2", "e3");
    assertThat(decisions).extracting(Decision::verdict).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.BLOCK);
    assertThat(decisions.get(2).findings()).extracting(f -> f.ruleId()).containsExactly("scope-widening");
    assertThat(err.toString().lines())
        .singleElement()
        .satisfies(
            summary ->
                assertThat(summary)
                    .startsWith("replay: 3 events in ")
                    .endsWith(
                        ": 3 decisions (2 ALLOW, 0 FLAG, 1 BLOCK; 0 idle timeouts), 0 dead letters,"
                            + " 0 skipped; top rules: scope-widening 1"));
  }

  @Test
  void shouldWriteTheViolationsAndTheLedgerAsTheTopologyEmitsThem() throws IOException {
    // Given a blocked write and a credential issued, used and revoked
    String issue =
        "{\"eventId\":\"e4\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:03Z\",\"type\":\"CREDENTIAL_ISSUED\",\"credential\":{\"credentialId\":\"k1\",\"subjectAgentId\":\"agent:planner\",\"scopes\":[\"read:repo/acme/**\"],\"kind\":\"SHORT_LIVED_TOKEN\",\"ttlSeconds\":600,\"storage\":\"MEMORY\"}}";
    String revoke =
        "{\"eventId\":\"e5\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:04Z\",\"type\":\"CREDENTIAL_REVOKED\",\"revocation\":{\"credentialId\":\"k1\"}}";
    Path input = write(START, READ, WRITE, issue, revoke);
    Path output = tmp.resolve("decisions.jsonl");
    Path violations = tmp.resolve("violations.jsonl");
    Path credentials = tmp.resolve("credentials.jsonl");
    // When
    int code =
        run(
            "replay", "--input", input.toString(), "--output", output.toString(),
            "--violations", violations.toString(), "--credentials", credentials.toString());
    // Then one finding for the blocked write, exactly as the topology's OCSF writer gives it
    assertThat(code).isZero();
    List<Decision> decisions = Files.readAllLines(output).stream().map(DecisionJsonCodec::decode).toList();
    assertThat(Files.readAllLines(violations))
        .containsExactlyElementsOf(
            io.agentauditor.ocsf.OcsfDetectionFindings.withInstalledVersion().of(decisions.get(2)));
    // and the ledger's two states of k1, keyed by session and credential
    List<String> ledger = Files.readAllLines(credentials);
    assertThat(ledger).hasSize(2);
    assertThat(ledger.get(0))
        .startsWith("{\"key\":{\"sessionId\":\"s1\",\"credentialId\":\"k1\"},\"value\":{\"credentialId\":\"k1\"")
        .contains("\"status\":\"ACTIVE\"", "\"issuedAt\":\"2026-11-26T10:00:03.000Z\"", "\"expiresAt\":\"2026-11-26T10:10:03.000Z\"");
    assertThat(ledger.get(1)).contains("\"status\":\"REVOKED\"", "\"revokedAt\":\"2026-11-26T10:00:04.000Z\"");
  }

  @Test
  void shouldRefuseAViolationsFileThatIsTheInput() throws IOException {
    // Given
    Path input = write(START, READ, WRITE);
    byte[] before = Files.readAllBytes(input);
    // When
    int code = run("replay", "--input", input.toString(), "--violations", input.toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("is the input file");
    assertThat(Files.readAllBytes(input)).isEqualTo(before);
  }

  @Test
  void shouldLeaveAnExistingOutputWholeWhenTheInputDoesNotExist() throws IOException {
    // Given
    Path output = write(START);
    byte[] before = Files.readAllBytes(output);
    // When
    int code = run("replay", "--input", tmp.resolve("missing.jsonl").toString(), "--output", output.toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(Files.readAllBytes(output)).isEqualTo(before);
  }

  /** Stderr without the summary line. */
  private List<String> deadLetterLines() {
    return err.toString().lines().filter(l -> !l.startsWith("replay: ")).toList();
  }

  @Test
  void shouldReportInvalidLinesWithTheirNumberAndExitThree() throws IOException {
    // Given a blank line and a line with a wrong type between valid ones
    Path input = write(START, "", READ.replace("\"acme/api\"", "[\"acme/api\"]"), READ);
    Path output = tmp.resolve("decisions.jsonl");
    // When
    int code = run("replay", "--input", input.toString(), "--output", output.toString());
    // Then
    assertThat(code).isEqualTo(3);
    assertThat(Files.readAllLines(output)).hasSize(2);
    assertThat(deadLetterLines())
        .containsExactly(
            "line 2: $: not a JSON object",
            "line 3: toolCall.arguments.repo: expected string, got array");
  }

  @Test
  void shouldReportEachDeadLetterOnOneStderrLineEvenWhenItsScopeHoldsALineBreak() throws IOException {
    // Given a delegation whose scope holds an escaped line break followed by text that looks like a report
    String delegation =
        "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:01Z\","
            + "\"type\":\"AGENT_DELEGATED\",\"delegation\":{\"childAgentId\":\"agent:coder\","
            + "\"scopes\":[\"read:a\\nline 99: forged\"]}}";
    Path input = write(START, delegation, READ);
    Path output = tmp.resolve("decisions.jsonl");
    // When
    int code = run("replay", "--input", input.toString(), "--output", output.toString());
    // Then exactly one stderr line, for line 2 (contract section 10: `line N: reason`)
    assertThat(code).isEqualTo(3);
    assertThat(deadLetterLines()).hasSize(1).allMatch(l -> l.startsWith("line 2: delegation.scopes[0]: "));
  }

  @Test
  void shouldRefuseAnOutputThatIsTheInputAndLeaveTheInputWhole() throws IOException {
    // Given
    Path input = write(START, READ, WRITE);
    byte[] before = Files.readAllBytes(input);
    Path sameThroughAnotherPath = input.getParent().resolve(".").resolve(input.getFileName());
    // When
    int code = run("replay", "--input", input.toString(), "--output", sameThroughAnotherPath.toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("is the input file");
    assertThat(Files.readAllBytes(input)).isEqualTo(before);
  }

  @Test
  void shouldReadStandardInputForADash() throws IOException {
    // Given
    java.io.InputStream stdin = System.in;
    Path output = tmp.resolve("decisions.jsonl");
    System.setIn(
        new java.io.ByteArrayInputStream(
            String.join("\n", START, READ, WRITE).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    int code;
    try {
      // When
      code = run("replay", "--input", "-", "--output", output.toString());
    } finally {
      System.setIn(stdin);
    }
    // Then
    assertThat(code).isZero();
    assertThat(Files.readAllLines(output)).hasSize(3);
  }

  @Test
  void shouldExitTwoWhenTheInputDoesNotExist() {
    assertThat(run("replay", "--input", tmp.resolve("missing.jsonl").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no such file");
  }

  @Test
  void shouldExitTwoWhenThePolicyBundleFailsToLoad() throws IOException {
    // Given a bundle directory without a manifest
    Path input = write(START);
    Path bundle = Files.createDirectories(tmp.resolve("empty-bundle"));
    // When
    int code = run("replay", "--input", input.toString(), "--policies", bundle.toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("bundle.yaml");
  }

  @Test
  void shouldExitTwoOnAUsageError() {
    assertThat(run("replay")).isEqualTo(2);
  }

  /** Runs {@code ./auditor replay ARGS} on the repository's default bundle unless ARGS names one. */
  private int run(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    if (!all.contains("--policies") && all.size() > 1) {
      all.addAll(List.of("--policies", TestBundles.defaultBundle().toString()));
    }
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    return cli.execute(all.toArray(String[]::new));
  }

  private Path write(String... lines) throws IOException {
    Path file = Files.createTempFile(tmp, "events", ".jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }
}
