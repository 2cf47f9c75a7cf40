package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.TestBundles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code diff --report FILE.html}: one self-contained page (nothing loaded from elsewhere, no
 * script) with the summary, the two charts and the changed sessions side by side, every text from
 * the events escaped. {@link DiffReportBrowserTest} opens such a page in a real browser.
 */
class DiffReportTest {

  /** A session id and an agent id that would run a script, or break out of an attribute, if not escaped. */
  static final String HOSTILE_SESSION = "s1<script>document.body.setAttribute('data-pwned','1')</script>";

  static final String HOSTILE_AGENT = "agent:\"><img src=x onerror=alert(1)>";

  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  /** Four events of one hostile session: a 30-minute token, its use, and a read without it. */
  static List<String> hostileEvents() {
    String s = json(HOSTILE_SESSION);
    String a = json(HOSTILE_AGENT);
    return List.of(
        "{\"eventId\":\"e1\",\"sessionId\":" + s + ",\"agentId\":" + a
            + ",\"occurredAt\":\"2026-01-01T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/**\"]}}",
        "{\"eventId\":\"e2\",\"sessionId\":" + s + ",\"agentId\":" + a
            + ",\"occurredAt\":\"2026-01-01T10:00:01Z\",\"type\":\"CREDENTIAL_ISSUED\",\"credential\":{\"credentialId\":\"k1\",\"subjectAgentId\":" + a
            + ",\"scopes\":[\"read:repo/**\"],\"kind\":\"SHORT_LIVED_TOKEN\",\"ttlSeconds\":1800,\"storage\":\"MEMORY\"}}",
        "{\"eventId\":\"e3\",\"sessionId\":" + s + ",\"agentId\":" + a
            + ",\"occurredAt\":\"2026-01-01T10:05:02Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"},\"credentialId\":\"k1\"}}",
        "{\"eventId\":\"e4\",\"sessionId\":" + s + ",\"agentId\":" + a
            + ",\"occurredAt\":\"2026-01-01T10:09:03Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}");
  }

  /** A copy of the default bundle whose credential lifetime bound is ten minutes. */
  static Path tenMinuteBound(Path dir) {
    Path candidate = TestBundles.copy(TestBundles.defaultBundle(), dir);
    TestBundles.write(
        candidate,
        "settings.yaml",
        TestBundles.read(candidate, "settings.yaml")
            .replace("maxCredentialTtlSeconds: 3600", "maxCredentialTtlSeconds: 600"));
    return candidate;
  }

  @Test
  void shouldWriteOneSelfContainedPageWithTheSummaryTheChartsAndTheChangedSession() throws IOException {
    // Given
    Path input = tmp.resolve("events.jsonl");
    Files.writeString(input, String.join("\n", hostileEvents()) + "\n");
    Path report = tmp.resolve("report.html");
    // When
    int code = diff(input, tenMinuteBound(tmp.resolve("candidate")), report);
    // Then
    assertThat(code).isEqualTo(1);
    String page = Files.readString(report);
    assertThat(page).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(cell(page, "Decisions that differ")).isEqualTo("2");
    assertThat(cell(page, "Events read")).isEqualTo("4");
    assertThat(cell(page, "Sessions touched")).isEqualTo("1");
    assertThat(page).contains("<svg id=\"rules-chart\"").contains("<svg id=\"time-chart\"");
    assertThat(page).contains(">long-lived-credential</text>").contains(">credential-unknown</text>");
    // the session's four steps, side by side, the two that differ marked
    assertThat(page.split("<tr class=\"differs\">", -1)).hasSize(3);
    assertThat(page).contains("<td><code>e4</code></td>");
    // nothing is loaded from elsewhere and nothing runs
    String lower = page.toLowerCase(Locale.ROOT);
    assertThat(lower).doesNotContain("<script").doesNotContain("<link").doesNotContain("<img");
    assertThat(lower).doesNotContain("href=").doesNotContain("url(").doesNotContain("@import");
    assertThat(lower.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
        .doesNotContain("http:")
        .doesNotContain("https:");
  }

  @Test
  void shouldEscapeAScriptTagAndAnAttributeBreakoutInEventFields() throws IOException {
    // Given
    Path input = tmp.resolve("events.jsonl");
    Files.writeString(input, String.join("\n", hostileEvents()) + "\n");
    Path report = tmp.resolve("report.html");
    // When
    diff(input, tenMinuteBound(tmp.resolve("candidate")), report);
    // Then the ids are on the page, as text
    String page = Files.readString(report);
    assertThat(page)
        .contains(
            "s1&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&lt;/script&gt;")
        .contains("agent:&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
        .doesNotContain(HOSTILE_SESSION)
        .doesNotContain(HOSTILE_AGENT);
  }

  @Test
  void shouldRefuseAReportThatWouldOverwriteTheInput() throws IOException {
    // Given
    Path input = tmp.resolve("events.jsonl");
    Files.writeString(input, String.join("\n", hostileEvents()) + "\n");
    byte[] before = Files.readAllBytes(input);
    // When
    int code = diff(input, TestBundles.defaultBundle(), input);
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(Files.readAllBytes(input)).isEqualTo(before);
    assertThat(err.toString()).contains("is the input file");
  }

  @Test
  void shouldSayNothingDiffersOnThePageOfTwoEqualBundles() throws IOException {
    // Given
    Path input = tmp.resolve("events.jsonl");
    Files.writeString(input, String.join("\n", hostileEvents()) + "\n");
    Path report = tmp.resolve("report.html");
    // When
    int code = diff(input, TestBundles.defaultBundle(), report);
    // Then
    assertThat(code).isZero();
    String page = Files.readString(report);
    assertThat(cell(page, "Decisions that differ")).isEqualTo("0");
    assertThat(page).contains("No decision differs.").contains("No session changed.");
    assertThat(page).doesNotContain("<svg");
  }

  private int diff(Path input, Path candidate, Path report) {
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    return cli.execute(
        "diff",
        "--base", TestBundles.defaultBundle().toString(),
        "--candidate", candidate.toString(),
        "--input", input.toString(),
        "--output", tmp.resolve("diff.jsonl").toString(),
        "--report", report.toString());
  }

  /** The value cell of the summary row named {@code name}. */
  static String cell(String page, String name) {
    Matcher m =
        Pattern.compile("<tr><th>" + Pattern.quote(name) + "</th><td class=\"num\">([^<]*)</td></tr>")
            .matcher(page);
    assertThat(m.find()).as("summary row " + name).isTrue();
    return m.group(1);
  }

  private static String json(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
