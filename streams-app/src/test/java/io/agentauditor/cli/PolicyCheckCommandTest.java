package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.TestBundles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./auditor policy check [DIR]}: identity and summary with exit 0, or every error with exit
 * 2.
 */
class PolicyCheckCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void shouldPrintTheIdentityAndSummaryOfAValidBundleAndExitZero() {
    int code = run("policy", "check", TestBundles.defaultBundle().toString());

    assertThat(code).isZero();
    assertThat(out.toString())
        .startsWith("agent-auditor-default@1.0.0+sha256:")
        .contains("rules: 31 built-in (0 shadow, 0 disabled), 0 custom (0 shadow)")
        .contains("tools: 9")
        .contains("boundaries: 0")
        .contains("patterns: 6 secret, 6 long-lived-credential-in-code");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldWarnOfEachBuiltinLeftOutOnStderrAndStillExitZero(@TempDir Path tmp) {
    // Given the default bundle without its fan-out and static-credential items
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
    String rules = TestBundles.read(bundle, "rules.yaml");
    Set<String> keep = new HashSet<>();
    for (BuiltinRule r : BuiltinRule.values()) {
      keep.add(r.id());
    }
    keep.removeAll(Set.of("fan-out", "static-credential"));
    TestBundles.write(bundle, "rules.yaml", TestBundles.keepOnlyRules(rules, keep));

    // When checked
    int code = run("policy", "check", bundle.toString());

    // Then it is valid, and each defaulted rule is one warning naming the rule and its default
    assertThat(code).isZero();
    assertThat(out.toString())
        .startsWith("agent-auditor-default@1.0.0+sha256:")
        .contains("rules: 31 built-in (0 shadow, 0 disabled), 0 custom (0 shadow)");
    assertThat(err.toString().lines().toList())
        .containsExactly(
            bundle.resolve("rules.yaml")
                + ":10: warning: built-in rule 'static-credential' is not listed; it gets its"
                + " default: action FLAG, mode enforce, enabled, severity MEDIUM, references [NHI7,"
                + " NHI4, ASI03, PR.AA]",
            bundle.resolve("rules.yaml")
                + ":10: warning: built-in rule 'fan-out' is not listed; it gets its default:"
                + " action FLAG, mode enforce, enabled, severity MEDIUM, references [NHI5, ASI08,"
                + " ASI10, DE.AE, DE.CM, MEASURE 2.4, MEASURE 3.1]");
  }

  @Test
  void shouldPrintEveryErrorOfAnInvalidBundleToStderrAndExitTwo() {
    Path broken = TestBundles.fixture("broken");

    int code = run("policy", "check", broken.toString());

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    String[] lines = err.toString().split("\n");
    assertThat(lines).hasSize(24);
    assertThat(lines[0])
        .isEqualTo(
            broken.resolve("bundle.yaml")
                + ":3: manifest: unknown key 'descripton' (did you mean 'description'?); expected"
                + " one of name, version, description, include");
    assertThat(lines)
        .contains(
            broken.resolve("rules.yaml")
                + ":4: gate rule 'unknown-session' can't be put in shadow mode");
    assertThat(lines[23]).isEqualTo("policy bundle " + broken + " rejected: 23 errors");
  }

  @Test
  void shouldPrintEachErrorOnOneLineWhenAMalformedScopeHoldsALineBreak(@TempDir Path tmp)
      throws IOException {
    // Given the default bundle with a sensitive scope whose bad segment holds a YAML-escaped \n
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
    Path settings = bundle.resolve("settings.yaml");
    Files.writeString(
        settings,
        Files.readString(settings).replace("\"admin:**\"", "\"admin:a\\nforged.yaml:1: forged\""));

    // When
    int code = run("policy", "check", bundle.toString());

    // Then one `file:line: message` line for the error, then the summary line
    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .startsWith(settings + ":14: settings.sensitiveScopes: malformed scope ");
  }

  @Test
  void shouldDefaultToThePoliciesDirectoryOfTheWorkingDirectory() {
    // The module's working directory has no policies/, so the default resolves to a missing one.
    int code = run("policy", "check");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "policies"
                + java.io.File.separator
                + "bundle.yaml:1: bundle directory policies does not exist");
  }

  @Test
  void shouldExitTwoOnAUsageError() {
    int code = run("policy", "check", "a", "b");

    assertThat(code).isEqualTo(2);
  }

  @Test
  void shouldDescribeAValidBundleAsJson() throws Exception {
    int code = run("policy", "check", "--format", "json", TestBundles.defaultBundle().toString());

    assertThat(code).isZero();
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertThat(json.path("valid").asBoolean()).isTrue();
    assertThat(json.path("policy").path("identity").asText())
        .startsWith("agent-auditor-default@1.0.0+sha256:")
        .endsWith(json.path("policy").path("digest").asText());
    assertThat(json.path("rules")).hasSize(BuiltinRule.values().length);
    assertThat(json.path("rules").get(0).path("action").asText()).isIn("FLAG", "BLOCK");
    assertThat(json.path("tools").asInt()).isEqualTo(9);
    assertThat(json.path("warnings")).isEmpty();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldListEveryErrorOfABrokenBundleAsJsonAndExitTwo() throws Exception {
    int code = run("policy", "check", "--format", "json", TestBundles.fixture("broken").toString());

    assertThat(code).isEqualTo(2);
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertThat(json.path("valid").asBoolean()).isFalse();
    assertThat(json.path("errors")).isNotEmpty();
    for (com.fasterxml.jackson.databind.JsonNode e : json.path("errors")) {
      assertThat(e.path("file").asText()).isNotEmpty();
      assertThat(e.path("line").asInt()).isNotNegative();
      assertThat(e.path("message").asText()).isNotEmpty();
    }
  }
}
