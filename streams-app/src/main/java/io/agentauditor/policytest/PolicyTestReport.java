package io.agentauditor.policytest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.policy.Policy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The results of {@code policy test} in a machine-readable form: JSON ({@code --format json}) or
 * JUnit XML ({@code --format junit}, one {@code <testsuite>} per case file, one {@code <testcase>}
 * per case, a {@code <failure>} with the diff for a failing one). The pre-merge gate's cases ({@code
 * check-cases/NAME}) follow the decision cases in both, each as a case of its own {@code case.yaml}.
 * Immutable.
 *
 * @param policy the bundle the cases ran against
 * @param runs every decision case run, in the order they ran
 * @param checks every check case run, in the order they ran
 * @param uncovered built-in rules no case expects to fire (empty when only some cases ran)
 */
public record PolicyTestReport(
    Policy policy, List<Run> runs, List<CheckRun> checks, List<String> uncovered) {

  /** One case's result and how long it took. */
  public record Run(CaseResult result, Duration time) {
    public Run {
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(time, "time");
    }
  }

  /** One check case's result and how long it took. */
  public record CheckRun(CheckCases.Result result, Duration time) {
    public CheckRun {
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(time, "time");
    }
  }

  /** What both outputs say of one case, decision or check. */
  private record Row(
      String id, String file, int line, String name, boolean passed, String diff, Duration time) {

    static Row of(Run run) {
      PolicyCase c = run.result().policyCase();
      return new Row(
          c.id(), c.file(), c.line(), c.name(), run.result().passed(), run.result().diff(), run.time());
    }

    static Row of(CheckRun run) {
      CheckCases.CheckCase c = run.result().checkCase();
      return new Row(
          c.id(),
          c.caseFile().toString(),
          1,
          c.id(),
          run.result().passed(),
          run.result().diff(),
          run.time());
    }
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public PolicyTestReport {
    Objects.requireNonNull(policy, "policy");
    runs = List.copyOf(runs);
    checks = List.copyOf(checks);
    uncovered = List.copyOf(uncovered);
  }

  /** Cases that failed, decision and check cases. */
  public long failed() {
    return rows().stream().filter(r -> !r.passed()).count();
  }

  private List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    runs.forEach(r -> rows.add(Row.of(r)));
    checks.forEach(r -> rows.add(Row.of(r)));
    return rows;
  }

  /**
   * {@code {"policy", "passed", "failed", "cases": [{"id", "file", "line", "name", "passed",
   * "durationMs", "diff"?}], "uncoveredBuiltins": [...]}}, the diff only for a failing case; a
   * check case has its {@code case.yaml} as file, line 1 and its id as name.
   */
  public void json(PrintWriter out) {
    List<Row> rows = rows();
    ObjectNode root = JSON.createObjectNode();
    root.put("policy", policy.identity());
    root.put("passed", rows.size() - failed());
    root.put("failed", failed());
    ArrayNode cases = root.putArray("cases");
    for (Row row : rows) {
      ObjectNode node =
          cases
              .addObject()
              .put("id", row.id())
              .put("file", row.file())
              .put("line", row.line())
              .put("name", row.name())
              .put("passed", row.passed())
              .put("durationMs", row.time().toNanos() / 1e6);
      if (!row.passed()) {
        node.put("diff", row.diff());
      }
    }
    ArrayNode uncoveredNode = root.putArray("uncoveredBuiltins");
    uncovered.forEach(uncoveredNode::add);
    try {
      out.println(JSON.writeValueAsString(root));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }

  /**
   * JUnit XML: {@code <testsuites>} named after the bundle, a {@code <testsuite>} per case file
   * (its name the file), a {@code <testcase classname=FILE name=CASE time=SECONDS>} per case with a
   * {@code <failure>} holding the diff when it fails.
   */
  public void junit(PrintWriter out) {
    List<Row> rows = rows();
    Map<String, List<Row>> byFile = new LinkedHashMap<>();
    for (Row row : rows) {
      byFile.computeIfAbsent(row.file(), f -> new ArrayList<>()).add(row);
    }
    StringWriter buffer = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(buffer);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      x.writeAttribute("name", "policy test " + policy.identity());
      x.writeAttribute("tests", Integer.toString(rows.size()));
      x.writeAttribute("failures", Long.toString(failed()));
      x.writeAttribute("errors", "0");
      x.writeAttribute("time", seconds(rows));
      for (Map.Entry<String, List<Row>> file : byFile.entrySet()) {
        List<Row> suite = file.getValue();
        x.writeCharacters("\n  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", file.getKey());
        x.writeAttribute("tests", Integer.toString(suite.size()));
        x.writeAttribute(
            "failures", Long.toString(suite.stream().filter(r -> !r.passed()).count()));
        x.writeAttribute("errors", "0");
        x.writeAttribute("skipped", "0");
        x.writeAttribute("time", seconds(suite));
        for (Row row : suite) {
          x.writeCharacters("\n    ");
          x.writeStartElement("testcase");
          x.writeAttribute("classname", row.file());
          x.writeAttribute("name", row.name());
          x.writeAttribute("time", seconds(List.of(row)));
          if (!row.passed()) {
            x.writeStartElement("failure");
            x.writeAttribute("type", "policy-case");
            x.writeAttribute("message", row.id() + " (" + row.file() + ":" + row.line() + ") fails");
            x.writeCharacters(row.diff());
            x.writeEndElement();
          }
          x.writeEndElement();
        }
        x.writeCharacters("\n  ");
        x.writeEndElement();
      }
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("writing XML to a string can't fail", e);
    }
    out.println(buffer);
  }

  private static String seconds(List<Row> rows) {
    long nanos = rows.stream().mapToLong(r -> r.time().toNanos()).sum();
    return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
  }
}
