package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The HTML report of {@code diff --report} in a real headless browser (Chromium, Debian's {@code
 * chromium} package): the page loads, shows the summary, and the hostile ids of {@link
 * DiffReportTest} stay text (the script in one never runs). Skipped, and only then, when no
 * Chromium is on the {@code PATH}; {@code .ci/run} installs it, and {@code
 * scripts/check-report.sh} does the same check with a screenshot.
 */
class DiffReportBrowserTest {

  private static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome");

  @TempDir Path tmp;

  @Test
  void shouldLoadInHeadlessChromiumShowingTheSummaryAndRunningNoScriptFromAnEvent()
      throws IOException, InterruptedException {
    // Given a browser and a report of a diff over hostile events
    Optional<Path> browser = browser();
    assumeTrue(browser.isPresent(), "no chromium on the PATH");
    Path input = tmp.resolve("events.jsonl");
    Files.writeString(input, String.join("\n", DiffReportTest.hostileEvents()) + "\n");
    Path report = tmp.resolve("report.html");
    StringWriter err = new StringWriter();
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setErr(new PrintWriter(err, true));
    int code =
        cli.execute(
            "diff",
            "--base", io.agentauditor.policy.TestBundles.defaultBundle().toString(),
            "--candidate", DiffReportTest.tenMinuteBound(tmp.resolve("candidate")).toString(),
            "--input", input.toString(),
            "--output", tmp.resolve("diff.jsonl").toString(),
            "--report", report.toString());
    assertThat(code).as(err.toString()).isEqualTo(1);

    // When the browser loads it and prints the document it built
    Path dom = tmp.resolve("dom.html");
    Process chromium =
        new ProcessBuilder(
                browser.get().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--user-data-dir=" + tmp.resolve("profile"),
                "--dump-dom",
                report.toUri().toString())
            .redirectOutput(dom.toFile())
            .redirectError(tmp.resolve("chromium.log").toFile())
            .start();
    boolean exited = chromium.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      chromium.destroyForcibly();
    }

    // Then the document is the report, with its summary, and the event's script did not run
    assertThat(exited).as("chromium exited").isTrue();
    assertThat(chromium.exitValue()).as(Files.readString(tmp.resolve("chromium.log"))).isZero();
    String page = Files.readString(dom, StandardCharsets.UTF_8);
    assertThat(page).contains("<h1>What-if report</h1>").contains("id=\"summary\"");
    assertThat(DiffReportTest.cell(page, "Decisions that differ")).isEqualTo("2");
    assertThat(page).contains("id=\"rules-chart\"").contains("id=\"time-chart\"");
    assertThat(page).contains("s1&lt;script&gt;document.body.setAttribute(");
    assertThat(page).doesNotContain("data-pwned=").doesNotContain("<img");
  }

  private static Optional<Path> browser() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(File.pathSeparator))
        .flatMap(dir -> BROWSERS.stream().map(name -> Path.of(dir, name)))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
