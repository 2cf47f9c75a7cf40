package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.TestBundles;
import io.agentauditor.policytest.CheckCases;
import io.agentauditor.policytest.PolicyCaseLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./auditor policy test [DIR]}: PASS/FAIL per case with a diff, a summary, and exit 0 when
 * all pass, 1 when any fails, 2 when the bundle or a case file does not load.
 */
class PolicyTestCommandTest {

  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  /** The default bundle with the cases of fixture {@code src/test/resources/cases/NAME}. */
  private Path bundleWithCases(String name) throws IOException {
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
    try (Stream<Path> walk = Files.walk(bundle.resolve(PolicyCaseLoader.CASES_DIR))) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    try (Stream<Path> walk = Files.walk(bundle.resolve(CheckCases.DIR))) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    TestBundles.copy(
        Path.of("src/test/resources/cases", name, "cases"),
        bundle.resolve(PolicyCaseLoader.CASES_DIR));
    return bundle;
  }

  @Test
  void shouldPassEveryCaseOfTheDefaultBundleAndExitZero() {
    int code = run("policy", "test", TestBundles.defaultBundle().toString());

    assertThat(code).isZero();
    String[] lines = out.toString().split("\n");
    assertThat(lines[0]).startsWith("policy agent-auditor-default@1.0.0+sha256:");
    long passes = Arrays.stream(lines).filter(l -> l.startsWith("PASS ")).count();
    assertThat(passes).isGreaterThanOrEqualTo(60);
    assertThat(lines[lines.length - 1]).isEqualTo(passes + " passed, 0 failed");
    assertThat(out.toString()).doesNotContain("FAIL").doesNotContain("no case expects to fire");
    assertThat(out.toString()).contains("PASS check-cases/clean\n").contains("PASS check-cases/terraform\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldFailACheckCaseWhoseRepositoryReportsOtherFindings() throws IOException {
    // Given the default bundle with its clean repository holding a planted key
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
    TestBundles.write(bundle, "check-cases/clean/repo/src/Leak.java", "String k = \"AKIA" + "IOSFODNN7EXAMPLE\";\n");

    // When its check cases are run
    int code = run("policy", "test", bundle.toString(), "--run", "check-cases/");

    // Then that case fails, naming the finding
    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .contains(
            "FAIL check-cases/clean\n"
                + "  unexpected: secret-in-arguments src/Leak.java:1 (aws-access-key-id)\n")
        .contains("PASS check-cases/terraform\n")
        .contains("8 passed, 1 failed\n");
  }

  @Test
  void shouldReportAFailingCheckCaseInJsonAndJunitToo() throws Exception {
    // Given the default bundle with its clean repository holding a planted key
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
    TestBundles.write(bundle, "check-cases/clean/repo/src/Leak.java", "String k = \"AKIA" + "IOSFODNN7EXAMPLE\";\n");

    // When its check cases are run with each machine-readable format
    int jsonCode = run("policy", "test", bundle.toString(), "--run", "check-cases/", "--format", "json");
    String json = out.toString();
    out.getBuffer().setLength(0);
    int junitCode = run("policy", "test", bundle.toString(), "--run", "check-cases/", "--format", "junit");

    // Then both fail and carry the failing case with its diff, beside the passing ones
    assertThat(jsonCode).isEqualTo(1);
    com.fasterxml.jackson.databind.JsonNode report =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    assertThat(report.path("passed").asInt()).isEqualTo(8);
    assertThat(report.path("failed").asInt()).isEqualTo(1);
    com.fasterxml.jackson.databind.JsonNode clean = null;
    for (com.fasterxml.jackson.databind.JsonNode c : report.path("cases")) {
      if (c.path("id").asText().equals("check-cases/clean")) {
        clean = c;
      }
    }
    assertThat(clean).isNotNull();
    assertThat(clean.path("passed").asBoolean()).isFalse();
    assertThat(clean.path("file").asText()).endsWith("check-cases/clean/case.yaml");
    assertThat(clean.path("diff").asText())
        .isEqualTo("  unexpected: secret-in-arguments src/Leak.java:1 (aws-access-key-id)\n");
    assertThat(junitCode).isEqualTo(1);
    org.w3c.dom.Document doc =
        javax.xml.parsers.DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new java.io.ByteArrayInputStream(out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    org.w3c.dom.Element suites = doc.getDocumentElement();
    assertThat(suites.getAttribute("tests")).isEqualTo("9");
    assertThat(suites.getAttribute("failures")).isEqualTo("1");
    org.w3c.dom.Element failure = (org.w3c.dom.Element) doc.getElementsByTagName("failure").item(0);
    assertThat(((org.w3c.dom.Element) failure.getParentNode()).getAttribute("name"))
        .isEqualTo("check-cases/clean");
    assertThat(failure.getTextContent()).contains("secret-in-arguments src/Leak.java:1");
  }

  @Test
  void shouldPrintADiffMarkingTheFirstDifferenceAndExitOne() throws IOException {
    Path bundle = bundleWithCases("failing");

    int code = run("policy", "test", bundle.toString());

    assertThat(code).isEqualTo(1);
    String text = out.toString();
    assertThat(text)
        .contains("PASS mixed/passes\n")
        .contains(
            "FAIL mixed/wrong-verdict\n"
                + "  cases/mixed.yaml:12: Expects a block where the read is allowed.\n"
                + "  expected 3 outputs, got 3; first difference at #2 (verdict, rules)\n"
                + "    #1     e1 ALLOW []\n"
                + "  > #2   expected  e2 BLOCK [scope-widening]\n"
                + "         actual    s1/e2 TOOL_CALL agent:root 2026-01-01T10:00:01.000Z ALLOW []"
                + " path=[agent:root]\n"
                + "         differs   verdict, rules\n"
                + "  ! #3   expected  e3 ALLOW []\n"
                + "         actual    s1/e3 TOOL_CALL agent:root 2026-01-01T10:00:02.000Z BLOCK"
                + " [scope-widening] path=[agent:root]\n"
                + "         differs   verdict, rules\n"
                + "         finding   scope-widening: ")
        .contains(
            "FAIL mixed/missing-expectation\n"
                + "  cases/mixed.yaml:23: The case forgets the dead letter of line 2 and the last"
                + " decision.\n"
                + "  expected 1 outputs, got 3; first difference at #2 (unexpected output)\n"
                + "    #1     e1 ALLOW []\n"
                + "  > #2   expected  (nothing)\n"
                + "         actual    dead letter, line 2: ")
        .contains(
            "  ! #3   expected  (nothing)\n"
                + "         actual    s1/e2 SESSION_ENDED agent:root 2026-01-01T10:00:01.000Z"
                + " ALLOW [] path=[agent:root]\n")
        .endsWith(
            "1 passed, 2 failed\n"
                + "built-in rules no case expects to fire: event-id-reuse, unknown-session,"
                + " duplicate-session, session-closed, unknown-agent, session-limit,"
                + " delegation-cycle, agent-reparented,"
                + " delegation-depth, credential-lateral-grant, credential-id-conflict,"
                + " long-lived-credential, insecure-secret-storage, static-credential,"
                + " unknown-tool, malformed-arguments, approval-required, credential-unknown,"
                + " credential-reuse, credential-expired, credential-revoked,"
                + " credential-scope-exceeded, secret-in-arguments, long-lived-secret-in-code,"
                + " revocation-unknown, revocation-unauthorized, self-approval,"
                + " credential-not-revoked, fan-out\n");
  }

  @Test
  void shouldHonourTheSettingsModesAndCustomRulesOfATunedBundle() {
    // Given a bundle with other limits, a shadowed and a disabled rule, and a custom rule
    Path tuned = TestBundles.fixture("tuned");

    // When
    int code = run("policy", "test", tuned.toString());

    // Then
    assertThat(code).isZero();
    assertThat(out.toString())
        .startsWith("policy tuned-fixture@1.0.0+sha256:")
        .contains("PASS tuned/shadowed-widening-is-reported-and-applied\n")
        .contains("4 passed, 0 failed\n");
  }

  @Test
  void shouldPassTheBoundaryCasesOfABundleWithBoundaries() {
    // Given the default bundle with agent boundaries, and its grant-exceeds-boundary cases
    Path bundle = TestBundles.fixture("boundaries");

    // When
    int code = run("policy", "test", bundle.toString());

    // Then
    assertThat(code).isZero();
    assertThat(out.toString())
        .startsWith("policy boundaries-fixture@1.0.0+sha256:")
        .contains("PASS grant-exceeds-boundary/narrowed-agent-starts-a-wider-session\n")
        .contains("5 passed, 0 failed\n")
        .contains("built-in rules no case expects to fire: event-id-reuse, duplicate-session,");
    assertThat(out.toString().lines().filter(l -> l.startsWith("built-in rules")).findFirst().orElseThrow())
        .doesNotContain("grant-exceeds-boundary");
  }

  @Test
  void shouldRunOnlyTheCasesWhoseIdContainsTheRunText() throws IOException {
    Path bundle = bundleWithCases("failing");

    int code = run("policy", "test", bundle.toString(), "--run", "mixed/pass");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("PASS mixed/passes\n1 passed, 0 failed\n");
  }

  @Test
  void shouldExitTwoNamingThePathOfACaseFileThatDoesNotParse() throws IOException {
    Path bundle = bundleWithCases("broken");

    int code = run("policy", "test", bundle.toString());

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .startsWith(bundle.resolve("cases/a-bad-yaml.yaml") + ":4: bad YAML: ")
        .contains(bundle.resolve("cases/b-bad-fields.yaml") + ":7: expected decision: unknown key")
        .endsWith("policy cases of " + bundle + " rejected: 8 errors\n");
  }

  @Test
  void shouldExitTwoWhenTheBundleFailsToLoad() {
    Path broken = TestBundles.fixture("broken");

    int code = run("policy", "test", broken.toString());

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .contains(broken.resolve("bundle.yaml") + ":3: manifest: unknown key 'descripton'")
        .endsWith("policy bundle " + broken + " rejected: 23 errors\n");
  }

  @Test
  void shouldExitTwoWhenNoCaseMatchesTheRunText() {
    int code =
        run("policy", "test", TestBundles.defaultBundle().toString(), "--run", "no-such-case");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("no case id contains 'no-such-case'\n");
  }

  @Test
  void shouldWriteJUnitXmlThatTheJUnitReportSchemaAcceptsWithAFailurePerFailingCase()
      throws Exception {
    // Given a bundle with a failing case
    Path bundle = bundleWithCases("failing");

    // When
    int code = run("policy", "test", "--format", "junit", bundle.toString());

    // Then the report is valid JUnit XML
    assertThat(code).isEqualTo(1);
    String xml = out.toString();
    javax.xml.validation.SchemaFactory.newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
        .newSchema(Path.of("src/test/resources/junit/junit-report.xsd").toFile())
        .newValidator()
        .validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(xml)));
    // ... and its counts and failures are the cases'
    org.w3c.dom.Document doc =
        javax.xml.parsers.DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new org.xml.sax.InputSource(new java.io.StringReader(xml)));
    org.w3c.dom.Element suites = doc.getDocumentElement();
    int tests = Integer.parseInt(suites.getAttribute("tests"));
    assertThat(doc.getElementsByTagName("testcase").getLength()).isEqualTo(tests).isPositive();
    assertThat(doc.getElementsByTagName("failure").getLength())
        .isEqualTo(Integer.parseInt(suites.getAttribute("failures")))
        .isPositive();
    org.w3c.dom.Element failure = (org.w3c.dom.Element) doc.getElementsByTagName("failure").item(0);
    assertThat(failure.getTextContent()).isNotBlank();
    assertThat(((org.w3c.dom.Element) failure.getParentNode()).getAttribute("classname"))
        .startsWith("cases/");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldWriteJsonWithEveryCaseAndTheDiffOfAFailingOne() throws Exception {
    int code = run("policy", "test", "--format", "json", bundleWithCases("failing").toString());

    assertThat(code).isEqualTo(1);
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertThat(json.path("policy").asText()).startsWith("agent-auditor-default@1.0.0+sha256:");
    assertThat(json.path("failed").asInt()).isPositive();
    assertThat(json.path("cases")).hasSize(json.path("passed").asInt() + json.path("failed").asInt());
    for (com.fasterxml.jackson.databind.JsonNode c : json.path("cases")) {
      assertThat(c.has("diff")).isEqualTo(!c.path("passed").asBoolean());
      assertThat(c.path("id").asText()).contains("/");
    }
  }

  @Test
  void shouldWritePassingJsonForTheDefaultBundle() throws Exception {
    int code = run("policy", "test", "--format", "json", TestBundles.defaultBundle().toString());

    assertThat(code).isZero();
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertThat(json.path("failed").asInt()).isZero();
    assertThat(json.path("passed").asInt()).isGreaterThanOrEqualTo(60);
    assertThat(json.path("uncoveredBuiltins")).isEmpty();
  }
}
