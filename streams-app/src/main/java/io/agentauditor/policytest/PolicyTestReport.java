package io.agentauditor.policytest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.policy.Policy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
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
 * per case, a {@code <failure>} with the diff for a failing one). Immutable.
 *
 * @param policy the bundle the cases ran against
 * @param runs every case run, in the order they ran
 * @param uncovered built-in rules no case expects to fire (empty when only some cases ran)
 */
public record PolicyTestReport(Policy policy, List<Run> runs, List<String> uncovered) {

  /** One case's result and how long it took. */
  public record Run(CaseResult result, Duration time) {
    public Run {
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(time, "time");
    }
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public PolicyTestReport {
    Objects.requireNonNull(policy, "policy");
    runs = List.copyOf(runs);
    uncovered = List.copyOf(uncovered);
  }

  /** Cases that failed. */
  public long failed() {
    return runs.stream().filter(r -> !r.result().passed()).count();
  }

  /**
   * {@code {"policy", "passed", "failed", "cases": [{"id", "file", "line", "name", "passed",
   * "durationMs", "diff"?}], "uncoveredBuiltins": [...]}}, the diff only for a failing case.
   */
  public void json(PrintWriter out) {
    ObjectNode root = JSON.createObjectNode();
    root.put("policy", policy.identity());
    root.put("passed", runs.size() - failed());
    root.put("failed", failed());
    ArrayNode cases = root.putArray("cases");
    for (Run run : runs) {
      PolicyCase c = run.result().policyCase();
      ObjectNode node =
          cases
              .addObject()
              .put("id", c.id())
              .put("file", c.file())
              .put("line", c.line())
              .put("name", c.name())
              .put("passed", run.result().passed())
              .put("durationMs", run.time().toNanos() / 1e6);
      if (!run.result().passed()) {
        node.put("diff", run.result().diff());
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
    Map<String, List<Run>> byFile = new LinkedHashMap<>();
    for (Run run : runs) {
      byFile
          .computeIfAbsent(run.result().policyCase().file(), f -> new java.util.ArrayList<>())
          .add(run);
    }
    StringWriter buffer = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(buffer);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      x.writeAttribute("name", "policy test " + policy.identity());
      x.writeAttribute("tests", Integer.toString(runs.size()));
      x.writeAttribute("failures", Long.toString(failed()));
      x.writeAttribute("errors", "0");
      x.writeAttribute("time", seconds(runs));
      for (Map.Entry<String, List<Run>> file : byFile.entrySet()) {
        List<Run> suite = file.getValue();
        x.writeCharacters("\n  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", file.getKey());
        x.writeAttribute("tests", Integer.toString(suite.size()));
        x.writeAttribute(
            "failures", Long.toString(suite.stream().filter(r -> !r.result().passed()).count()));
        x.writeAttribute("errors", "0");
        x.writeAttribute("skipped", "0");
        x.writeAttribute("time", seconds(suite));
        for (Run run : suite) {
          PolicyCase c = run.result().policyCase();
          x.writeCharacters("\n    ");
          x.writeStartElement("testcase");
          x.writeAttribute("classname", c.file());
          x.writeAttribute("name", c.name());
          x.writeAttribute("time", seconds(List.of(run)));
          if (!run.result().passed()) {
            x.writeStartElement("failure");
            x.writeAttribute("type", "policy-case");
            x.writeAttribute("message", c.id() + " (" + c.file() + ":" + c.line() + ") fails");
            x.writeCharacters(run.result().diff());
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

  private static String seconds(List<Run> runs) {
    long nanos = runs.stream().mapToLong(r -> r.time().toNanos()).sum();
    return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
  }
}
