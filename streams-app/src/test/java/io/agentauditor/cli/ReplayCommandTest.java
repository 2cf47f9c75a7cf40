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
    assertThat(err.toString()).isEmpty();
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
    assertThat(err.toString().lines())
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
    assertThat(err.toString().lines()).hasSize(1).allMatch(l -> l.startsWith("line 2: delegation.scopes[0]: "));
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
