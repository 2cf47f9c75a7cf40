package io.agentauditor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ./auditor demo} end to end, in-process: embedded broker, registry, the production
 * topology and the scripted scenario; what the person reads is checked against the scenario's
 * expected table ({@code scenarios/demo-session.expected.md}).
 */
class DemoIT {

  private static final Pattern DECISION_LINE =
      Pattern.compile("^\\[(ALLOW|FLAG|BLOCK)\\]\\s+(\\S+) .*$");
  private static final Pattern VIOLATION_LINE =
      Pattern.compile("^\\s+violation\\s+\\S+\\s+([a-z-]+)(: .*)?$");

  /** Expected verdict and rule ids of one event. */
  record Expected(String verdict, List<String> ruleIds) {}

  @Test
  void shouldPrintTheExpectedVerdictsAndViolationsOfTheScenarioAndExitZero() throws IOException {
    // Given
    Map<String, Expected> expected = expectedTable();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine demo = new CommandLine(new DemoCommand());
    demo.setOut(new PrintWriter(out, true));
    demo.setErr(new PrintWriter(err, true));

    List<Path> stateDirsBefore = demoStateDirs();

    // When
    int code = demo.execute("--policies", "../policies");

    // Then
    assertThat(code).as("exit code; stderr: %s", err).isZero();
    Map<String, Expected> printed = printedDecisions(out.toString());
    assertThat(printed).as("demo output:%n%s", out).containsExactlyEntriesOf(expected);
    long allow = expected.values().stream().filter(e -> e.verdict().equals("ALLOW")).count();
    long flag = expected.values().stream().filter(e -> e.verdict().equals("FLAG")).count();
    long block = expected.values().stream().filter(e -> e.verdict().equals("BLOCK")).count();
    long violations =
        expected.values().stream().filter(e -> !e.verdict().equals("ALLOW")).mapToLong(e -> e.ruleIds().size()).sum();
    assertThat(out.toString())
        .contains(
            String.format(
                "Summary: %d events, %d decisions (%d ALLOW, %d FLAG, %d BLOCK), %d violations,"
                    + " 0 dead letters, 1 credential(s) still live",
                expected.size(), expected.size(), allow, flag, block, violations))
        .doesNotContain("\u001b[")
        // Severities and verdicts are spelt as in the decisions everywhere (HIGH, not High)
        .containsPattern("(?m)^\\s+violation (LOW|MEDIUM|HIGH|CRITICAL) ")
        .doesNotContainPattern("(?m)^\\s+violation [A-Z][a-z]");
    assertThat(demoStateDirs()).as("the demo's state directories left behind").isEqualTo(stateDirsBefore);
  }

  private static List<Path> demoStateDirs() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries
          // This JVM's only: a demo in another process on the machine comes and goes as it likes
          .filter(
              p ->
                  p.getFileName()
                      .toString()
                      .startsWith(Demo.STATE_DIR_PREFIX + ProcessHandle.current().pid() + "-"))
          .sorted()
          .toList();
    }
  }

  /** Verdict per event id, with the rule ids of its violation lines (ALLOW lines have none). */
  private static Map<String, Expected> printedDecisions(String output) {
    Map<String, Expected> printed = new LinkedHashMap<>();
    String current = null;
    for (String line : output.lines().toList()) {
      Matcher decision = DECISION_LINE.matcher(line);
      Matcher violation = VIOLATION_LINE.matcher(line);
      if (decision.matches()) {
        current = decision.group(2);
        printed.put(current, new Expected(decision.group(1), new ArrayList<>()));
      } else if (violation.matches() && current != null) {
        printed.get(current).ruleIds().add(violation.group(1));
      }
    }
    return printed;
  }

  /** The table of scenarios/demo-session.expected.md: | # | event | actor | type | verdict | rule ids |. */
  private static Map<String, Expected> expectedTable() throws IOException {
    String markdown;
    try (InputStream in = DemoIT.class.getResourceAsStream("/scenarios/demo-session.expected.md")) {
      assertThat(in).as("scenarios/demo-session.expected.md on the classpath").isNotNull();
      markdown = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, Expected> rows = new LinkedHashMap<>();
    Pattern backticked = Pattern.compile("`([^`]+)`");
    for (String line : markdown.lines().toList()) {
      String[] cells = line.split("\\|", -1);
      if (cells.length < 7 || !cells[2].trim().matches("e\\d+")) {
        continue;
      }
      String rules = cells[6];
      int note = rules.indexOf('(');
      Matcher ids = backticked.matcher(note < 0 ? rules : rules.substring(0, note));
      List<String> ruleIds = new ArrayList<>();
      while (ids.find()) {
        ruleIds.add(ids.group(1));
      }
      rows.put(cells[2].trim(), new Expected(cells[5].trim(), ruleIds));
    }
    assertThat(rows).as("rows of the expected table").hasSize(17);
    return rows;
  }
}
