package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.policy.TestBundles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./auditor check} (contract section 13): a tree with planted secrets is reported under the
 * runtime's rules by where each sits, with file, line and column, and never the secret; exit 1 at
 * BLOCK level, 0 when clean, 2 on a usage or policy-load error.
 */
class CheckCommandTest {

  // Built from parts so that this file holds no whole token.
  private static final String AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE";
  private static final String OTHER_AWS_KEY = "AKIA" + "Z7QWERTYUIOPASDF";
  private static final String GITHUB_TOKEN = "ghp_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
  private static final String SLACK_TOKEN = "xoxb-" + "123456789012-abcdefghijkl";
  private static final List<String> SECRETS = List.of(AWS_KEY, OTHER_AWS_KEY, GITHUB_TOKEN, SLACK_TOKEN);

  @TempDir Path repo;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("check", "--policies", TestBundles.defaultBundle().toString()));
    all.addAll(List.of(args));
    return cli.execute(all.toArray(new String[0]));
  }

  private void write(String relative, String content) throws IOException {
    Path p = repo.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
  }

  /** A tree with one planted problem of each kind, a binary file and a clean file. */
  private void plantProblems() throws IOException {
    write(
        "src/main/java/App.java",
        "class App {\n  // key\n  String id = \"" + AWS_KEY + "\";\n}\n");
    write(
        ".github/workflows/ci.yml",
        "jobs:\n  build:\n    env:\n      GH_TOKEN: " + GITHUB_TOKEN + "\n");
    write(".env", "# slack\nSLACK_TOKEN=" + SLACK_TOKEN + "\n");
    write(
        "infra/main.tf",
        "provider \"aws\" {}\n\nresource \"aws_iam_access_key\" \"ci\" {\n  user = \"ci\"\n}\n");
    String encoded =
        Base64.getEncoder()
            .encodeToString(("aws_access_key_id=" + OTHER_AWS_KEY).getBytes(StandardCharsets.UTF_8));
    write("docs/notes.md", "Notes\n\nblob: " + encoded + "\n");
    Files.write(repo.resolve("logo.png"), concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0}, AWS_KEY));
    write("src/main/java/Clean.java", "class Clean { int answer = 42; }\n");
  }

  private static byte[] concat(byte[] head, String tail) {
    byte[] t = tail.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + t.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(t, 0, all, head.length, t.length);
    return all;
  }

  private String shown(String relative) {
    return repo.resolve(relative).toString().replace('\\', '/');
  }

  @Test
  void shouldReportEachPlantedSecretUnderTheRuleForWhereItSitsAndExitOne() throws IOException {
    // Given a tree with planted problems
    plantProblems();

    // When checked
    int code = run(repo.toString());

    // Then each problem is one line, file:line:col: SEVERITY rule pattern excerpt, and exit 1
    assertThat(code).isEqualTo(1);
    assertThat(out.toString().lines().toList())
        .containsExactlyInAnyOrder(
            shown(".env") + ":2:13: HIGH insecure-secret-storage slack-token xoxb\u2026",
            shown(".github/workflows/ci.yml")
                + ":4:17: HIGH insecure-secret-storage github-classic-token ghp_\u2026",
            shown("docs/notes.md") + ":3:7: CRITICAL secret-in-arguments aws-access-key-id AKIA\u2026",
            shown("infra/main.tf")
                + ":3:1: HIGH long-lived-secret-in-code terraform-aws-iam-access-key reso\u2026",
            shown("src/main/java/App.java")
                + ":3:16: CRITICAL secret-in-arguments aws-access-key-id AKIA\u2026");
    assertThat(err.toString()).contains("6 files scanned").contains("skipped 1 binary");
  }

  @Test
  void shouldExitZeroOnACleanTree() throws IOException {
    // Given a clean tree
    write("src/Clean.java", "class Clean { int answer = 42; }\n");
    write("config/app.yaml", "server:\n  port: 8080\n");

    // When checked
    int code = run(repo.toString());

    // Then nothing is reported
    assertThat(code).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("2 files scanned").contains("0 findings");
  }

  @Test
  void shouldExitTwoOnAPathThatDoesNotExist() {
    // When
    int code = run(repo.resolve("missing").toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("no such file or directory");
  }

  @Test
  void shouldExitTwoOnABundleThatFailsToLoad(@TempDir Path bundle) throws IOException {
    // Given a bundle with a broken manifest
    Path copy = TestBundles.copy(TestBundles.defaultBundle(), bundle.resolve("b"));
    Files.writeString(copy.resolve("bundle.yaml"), "name: [unclosed\n");
    write("a.txt", "clean\n");
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    // When
    int code = cli.execute("check", "--policies", copy.toString(), repo.toString());

    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("rejected");
  }

  @Test
  void shouldExitTwoOnAnUnknownFormat() throws IOException {
    // Given
    write("a.txt", "clean\n");
    // When
    int code = run("--format", "xml", repo.toString());
    // Then
    assertThat(code).isEqualTo(2);
  }

  @Test
  void shouldSkipGitDirectoriesAndWhatTheGitignoreIgnores() throws IOException {
    // Given secrets only in .git/, an ignored directory and an ignored file
    write(".git/config", "token = " + GITHUB_TOKEN + "\n");
    write(".gitignore", "# build output\nbuild/\n*.log\n/secrets.txt\n");
    write("build/out.txt", AWS_KEY + "\n");
    write("logs/app.log", AWS_KEY + "\n");
    write("secrets.txt", AWS_KEY + "\n");
    write("src/ok.txt", "fine\n");

    // When checked
    int code = run(repo.toString());

    // Then none of them is read
    assertThat(code).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("2 files scanned").contains("4 ignored");
  }

  @Test
  void shouldPrintNoSecretInAnyFormat() throws IOException {
    // Given the planted problems
    plantProblems();

    for (String format : List.of("text", "json", "sarif", "junit")) {
      // When reported in each format
      out.getBuffer().setLength(0);
      err.getBuffer().setLength(0);
      int code = run("--format", format, repo.toString());

      // Then no secret, nor any long part of one, is in the output
      assertThat(code).isEqualTo(1);
      String all = out + "\n" + err;
      for (String secret : SECRETS) {
        assertThat(all).as(format).doesNotContain(secret).doesNotContain(secret.substring(0, 8));
      }
    }
  }

  @Test
  void shouldGiveFindingsAndCountsInOneJsonObject() throws IOException {
    // Given
    plantProblems();

    // When
    int code = run("--format", "json", repo.toString());

    // Then
    assertThat(code).isEqualTo(1);
    JsonNode root = new ObjectMapper().readTree(out.toString());
    assertThat(root.get("policy").asText()).startsWith("agent-auditor-default@");
    assertThat(root.get("findings")).hasSize(5);
    JsonNode env = root.get("findings").get(0);
    assertThat(env.get("file").asText()).isEqualTo(shown(".env"));
    assertThat(env.get("ruleId").asText()).isEqualTo("insecure-secret-storage");
    assertThat(env.get("references").toString()).contains("NHI2");
    assertThat(root.get("counts").get("files").asInt()).isEqualTo(6);
    assertThat(root.get("counts").get("skippedBinary").asInt()).isEqualTo(1);
    assertThat(root.get("counts").get("blocking").asInt()).isEqualTo(5);
  }

  @Test
  void shouldWriteSarifWithRulesResultsLocationsAndFingerprints() throws IOException {
    // Given
    plantProblems();

    // When
    int code = run("--format", "sarif", repo.toString());

    // Then the log has the parts code-scanning services read
    assertThat(code).isEqualTo(1);
    JsonNode root = new ObjectMapper().readTree(out.toString());
    assertThat(root.get("version").asText()).isEqualTo("2.1.0");
    assertThat(root.get("$schema").asText()).contains("sarif-2.1.0");
    JsonNode run = root.get("runs").get(0);
    JsonNode driver = run.get("tool").get("driver");
    assertThat(driver.get("name").asText()).isEqualTo("agent-auditor");
    List<String> ruleIds = new ArrayList<>();
    for (JsonNode rule : driver.get("rules")) {
      ruleIds.add(rule.get("id").asText());
      assertThat(rule.get("shortDescription").get("text").asText()).isNotBlank();
      assertThat(rule.get("properties").get("severity").asText()).isNotBlank();
      assertThat(rule.get("properties").get("references")).isNotEmpty();
    }
    assertThat(ruleIds)
        .containsExactly("secret-in-arguments", "insecure-secret-storage", "long-lived-secret-in-code");
    JsonNode results = run.get("results");
    assertThat(results).hasSize(5);
    for (JsonNode r : results) {
      assertThat(ruleIds).contains(r.get("ruleId").asText());
      assertThat(ruleIds.get(r.get("ruleIndex").asInt())).isEqualTo(r.get("ruleId").asText());
      assertThat(r.get("level").asText()).isEqualTo("error");
      assertThat(r.get("message").get("text").asText()).isNotBlank();
      JsonNode loc = r.get("locations").get(0).get("physicalLocation");
      assertThat(loc.get("artifactLocation").get("uri").asText()).startsWith(repo.toUri().toString());
      assertThat(loc.get("region").get("startLine").asInt()).isPositive();
      assertThat(loc.get("region").get("startColumn").asInt()).isPositive();
      assertThat(r.get("partialFingerprints").get("agentAuditorMatch/v1").asText()).hasSize(32);
    }
  }

  @Test
  void shouldWriteJunitXmlWithOneFailingCasePerBlockingFinding() throws Exception {
    // Given
    plantProblems();

    // When
    int code = run("--format", "junit", repo.toString());

    // Then it is well-formed XML with five failing cases
    assertThat(code).isEqualTo(1);
    org.w3c.dom.Document doc =
        javax.xml.parsers.DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new org.xml.sax.InputSource(new java.io.StringReader(out.toString())));
    org.w3c.dom.Element suite = (org.w3c.dom.Element) doc.getElementsByTagName("testsuite").item(0);
    assertThat(suite.getAttribute("tests")).isEqualTo("5");
    assertThat(suite.getAttribute("failures")).isEqualTo("5");
    assertThat(doc.getElementsByTagName("failure").getLength()).isEqualTo(5);
  }

  @Test
  void shouldCatchASecretPatternAddedToTheBundleBothHereAndInTheRuntimeEngine(@TempDir Path bundleDir)
      throws IOException {
    // Given a file holding a token only a new pattern matches, and an agent writing that very text
    String token = "acme_" + "k3y0f7w3nty5ymb0l5zz";
    String content = "class Client { String t = \"" + token + "\"; }\n";
    write("src/Client.java", content);
    String events =
        "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\","
            + "\"occurredAt\":\"2026-01-01T10:00:00Z\",\"type\":\"SESSION_STARTED\","
            + "\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"write:repo/**\"]}}\n"
            + "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\","
            + "\"occurredAt\":\"2026-01-01T10:00:01Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{"
            + "\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/api\","
            + "\"path\":\"src/Client.java\",\"content\":"
            + new ObjectMapper().writeValueAsString(content)
            + "}}}\n";

    // When the default bundle checks the tree and decides the agent's write
    int before = run(repo.toString());
    io.agentauditor.model.Decision beforeDecision = writeDecision(TestBundles.defaultBundle(), events);

    // Then neither catches it
    assertThat(before).isZero();
    assertThat(beforeDecision.verdict()).isEqualTo(io.agentauditor.model.Verdict.ALLOW);

    // Given a copy of the bundle with one more secret pattern, and nothing else changed
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), bundleDir.resolve("b"));
    String secrets = TestBundles.read(bundle, "patterns/secrets.yaml");
    TestBundles.write(
        bundle,
        "patterns/secrets.yaml",
        secrets.replace(
            "secretPatterns:\n",
            "secretPatterns:\n  - id: acme-token\n    description: Acme API token\n"
                + "    regex: 'acme_[a-z0-9]{20}'\n    keywords: [acme_]\n"));

    // When that bundle checks the tree, and the runtime engine decides the same write with it
    int code = runWith(bundle, repo.toString());
    io.agentauditor.model.Decision decision = writeDecision(bundle, events);

    // Then both catch it, under the same rule and pattern
    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .isEqualTo(shown("src/Client.java") + ":1:28: CRITICAL secret-in-arguments acme-token acme\u2026\n");
    assertThat(decision.verdict()).isEqualTo(io.agentauditor.model.Verdict.BLOCK);
    assertThat(decision.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo("secret-in-arguments");
              assertThat(f.message()).contains("argument 'content' matches acme-token");
            });
  }

  /** The runtime's decision of the last event of {@code events}, replayed with {@code bundle}. */
  private static io.agentauditor.model.Decision writeDecision(Path bundle, String events) {
    List<io.agentauditor.policytest.ActualOutput> outputs =
        new io.agentauditor.policytest.PolicyCaseRunner(
                io.agentauditor.policy.PolicyBundleLoader.load(bundle))
            .replay(events);
    assertThat(outputs).hasSize(2);
    return ((io.agentauditor.policytest.ActualOutput.Decided) outputs.get(1)).decision();
  }

  /** A copy of the default bundle with {@code waivers} included, in {@code waivers.yaml}. */
  private Path bundleWithWaivers(Path dir, String waivers) {
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), dir.resolve("b"));
    TestBundles.write(
        bundle,
        "bundle.yaml",
        TestBundles.read(bundle, "bundle.yaml").replace("  - rules.yaml\n", "  - rules.yaml\n  - waivers.yaml\n"));
    TestBundles.write(bundle, "waivers.yaml", waivers);
    return bundle;
  }

  private static String waiver(String file, String rule, String fingerprint, String expires) {
    return "  - file: " + file + "\n    rule: " + rule + "\n    fingerprint: " + fingerprint
        + "\n    reason: a fake token kept as a test fixture\n    expires: " + expires + "\n";
  }

  /** Checks the tree with the default bundle and gives the fingerprint of its one finding. */
  private String fingerprintOfTheOnlyFinding() throws IOException {
    assertThat(run("--format", "json", repo.toString())).isEqualTo(1);
    JsonNode findings = new ObjectMapper().readTree(out.toString()).get("findings");
    assertThat(findings).hasSize(1);
    return findings.get(0).get("fingerprint").asText();
  }

  private int runWith(Path bundle, String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("check", "--policies", bundle.toString()));
    all.addAll(List.of(args));
    return cli.execute(all.toArray(new String[0]));
  }

  @Test
  void shouldReportAWaivedFindingAsWaivedAndNotFailOnIt(@TempDir Path bundleDir) throws IOException {
    // Given a tree whose one problem the bundle waives, by its file, rule and fingerprint
    write(".env", "# slack\nSLACK_TOKEN=" + SLACK_TOKEN + "\n");
    String fingerprint = fingerprintOfTheOnlyFinding();
    Path bundle =
        bundleWithWaivers(
            bundleDir, "waivers:\n" + waiver(".env", "insecure-secret-storage", fingerprint, "2099-12-31"));

    // When checked with that bundle, in each form
    int text = runWith(bundle, repo.toString());
    String textOut = out.toString();
    String textErr = err.toString();
    int sarif = runWith(bundle, "--format", "sarif", repo.toString());
    JsonNode result = new ObjectMapper().readTree(out.toString()).get("runs").get(0).get("results").get(0);
    int json = runWith(bundle, "--format", "json", repo.toString());
    JsonNode root = new ObjectMapper().readTree(out.toString());
    int junit = runWith(bundle, "--format", "junit", repo.toString());
    String junitOut = out.toString();

    // Then the finding is still reported, as waived, and the check passes
    assertThat(List.of(text, sarif, json, junit)).containsOnly(0);
    assertThat(textOut)
        .isEqualTo(
            shown(".env")
                + ":2:13: HIGH insecure-secret-storage slack-token xoxb\u2026 [waived until 2099-12-31"
                + " by waivers.yaml:2: a fake token kept as a test fixture]\n");
    assertThat(textErr).contains("1 findings, 0 at BLOCK level, 1 waived");
    JsonNode suppression = result.get("suppressions").get(0);
    assertThat(suppression.get("kind").asText()).isEqualTo("external");
    assertThat(suppression.get("status").asText()).isEqualTo("accepted");
    assertThat(suppression.get("justification").asText()).isEqualTo("a fake token kept as a test fixture");
    assertThat(result.get("level").asText()).isEqualTo("error");
    assertThat(root.get("findings").get(0).get("waived").get("expires").asText()).isEqualTo("2099-12-31");
    assertThat(root.get("counts").get("blocking").asInt()).isZero();
    assertThat(root.get("counts").get("waived").asInt()).isEqualTo(1);
    assertThat(junitOut)
        .contains("failures=\"0\" errors=\"0\" skipped=\"1\"")
        .contains("<skipped message=\"waived until 2099-12-31 by waivers.yaml:2: a fake token kept as a test fixture\"");
  }

  @Test
  void shouldStopWaivingWhenTheWaiverHasExpiredAndSaySo(@TempDir Path bundleDir) throws IOException {
    // Given a waiver of the tree's one problem that expired, and one of the same secret in another file
    write(".env", "SLACK_TOKEN=" + SLACK_TOKEN + "\n");
    String fingerprint = fingerprintOfTheOnlyFinding();
    Path bundle =
        bundleWithWaivers(
            bundleDir,
            "waivers:\n"
                + waiver(".env", "insecure-secret-storage", fingerprint, "2020-01-31")
                + waiver("other/.env", "insecure-secret-storage", fingerprint, "2099-12-31"));

    // When checked
    int code = runWith(bundle, repo.toString());
    String textOut = out.toString();
    String textErr = err.toString();
    int sarifCode = runWith(bundle, "--format", "sarif", repo.toString());
    JsonNode run = new ObjectMapper().readTree(out.toString()).get("runs").get(0);

    // Then the finding fails the check as if unwaived, and the expired waiver is reported
    assertThat(code).isEqualTo(1);
    assertThat(sarifCode).isEqualTo(1);
    assertThat(textOut).isEqualTo(shown(".env") + ":1:13: HIGH insecure-secret-storage slack-token xoxb\u2026\n");
    assertThat(textErr)
        .contains(
            bundle.resolve("waivers.yaml:2").toString()
                + ": warning: the waiver of insecure-secret-storage in .env (fingerprint "
                + fingerprint
                + ") expired on 2020-01-31 and no longer waives")
        .contains("1 findings, 1 at BLOCK level, 0 waived; 1 expired waivers");
    assertThat(run.get("results").get(0).has("suppressions")).isFalse();
    JsonNode note = run.get("invocations").get(0).get("toolConfigurationNotifications").get(0);
    assertThat(note.get("level").asText()).isEqualTo("warning");
    assertThat(note.get("message").get("text").asText()).contains("expired on 2020-01-31");
  }

  @Test
  void shouldListWaiversAndWarnOfExpiredOnesInPolicyCheck(@TempDir Path bundleDir) {
    // Given a bundle with one live and one expired waiver
    String fp = "0123456789abcdef0123456789abcdef";
    Path bundle =
        bundleWithWaivers(
            bundleDir,
            "waivers:\n"
                + waiver("a.tf", "long-lived-secret-in-code", fp, "2099-12-31")
                + waiver("b.tf", "secret-in-arguments", fp, "2020-01-31"));
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    // When validated
    int code = cli.execute("policy", "check", bundle.toString());

    // Then it is valid, counts both and warns of the expired one
    assertThat(code).isZero();
    assertThat(out.toString()).contains("waivers: 2 (1 expired)");
    assertThat(err.toString())
        .contains(bundle.resolve("waivers.yaml:7") + ": warning: the waiver of secret-in-arguments in b.tf");
  }
}
