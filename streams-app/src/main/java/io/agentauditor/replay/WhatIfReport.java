package io.agentauditor.replay;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The what-if report as one self-contained HTML page ({@code diff --report FILE.html}): a summary
 * table, a chart of each rule's changes (fired more, fired less), a chart of the differences over
 * event time, and each changed session's steps side by side under both bundles. Nothing is loaded
 * from elsewhere: the CSS is inline and the charts are inline SVG drawn here; the page has no
 * script.
 *
 * <p>Every text that comes from the input (ids, agent ids, types) or from a bundle is escaped for
 * HTML; events are hostile input. The page shows at most {@value #MAX_SESSIONS} sessions (in the
 * order of their first difference) of at most {@value #MAX_STEPS} steps each and says so when it
 * leaves some out; the JSON lines always list every difference.
 *
 * <p>Use: a {@link Recorder} observes the diff ({@link WhatIfDiff.Observer}) and keeps one short
 * line per compared pair in a file, so the diff stays flat in memory whatever the input; {@link
 * #write} then reads that file twice and writes the page.
 */
public final class WhatIfReport {

  /** Sessions shown with their steps. */
  public static final int MAX_SESSIONS = 50;

  /** Steps shown per session. */
  public static final int MAX_STEPS = 200;

  /** Columns of the changes-over-time chart. */
  static final int TIME_BUCKETS = 48;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** What the page says the two bundles and the input are. */
  public record Labels(String base, String candidate, String input) {
    public Labels {
      Objects.requireNonNull(base, "base");
      Objects.requireNonNull(candidate, "candidate");
      Objects.requireNonNull(input, "input");
    }
  }

  private WhatIfReport() {}

  /**
   * Keeps every compared pair, one JSON line each, in {@code file} (created or truncated). Not
   * thread-safe; close it before {@link #write}.
   */
  public static final class Recorder implements WhatIfDiff.Observer, Closeable {

    private final JsonGenerator out;

    public Recorder(Path file) throws IOException {
      this.out = JSON.getFactory().createGenerator(Files.newOutputStream(file));
    }

    @Override
    public void compared(Decision base, Decision candidate, boolean differs) throws IOException {
      Decision any = base != null ? base : candidate;
      out.writeStartObject();
      out.writeStringField("s", any.sessionId());
      out.writeStringField("e", any.eventId());
      out.writeStringField("t", any.type().name());
      out.writeStringField("a", any.agentId());
      out.writeNumberField("at", any.occurredAtMillis());
      out.writeBooleanField("d", differs);
      side(out, "b", base);
      side(out, "c", candidate);
      out.writeEndObject();
      out.writeRaw('\n');
    }

    private static void side(JsonGenerator out, String name, Decision d) throws IOException {
      if (d == null) {
        return;
      }
      out.writeObjectFieldStart(name);
      out.writeStringField("v", d.verdict().name());
      out.writeArrayFieldStart("r");
      for (String id : new TreeSet<>(d.findings().stream().map(Finding::ruleId).toList())) {
        out.writeString(id);
      }
      out.writeEndArray();
      out.writeEndObject();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** One step as the recorder kept it. */
  private record Step(JsonNode node) {
    String session() {
      return node.get("s").asText();
    }

    boolean differs() {
      return node.get("d").asBoolean();
    }

    long at() {
      return node.get("at").asLong();
    }

    JsonNode side(String name) {
      return node.get(name);
    }

    List<String> rules(String name) {
      List<String> ids = new ArrayList<>();
      JsonNode s = node.get(name);
      if (s != null) {
        s.get("r").forEach(r -> ids.add(r.asText()));
      }
      return ids;
    }
  }

  @FunctionalInterface
  private interface StepConsumer {
    void accept(Step step) throws IOException;
  }

  private static void read(Path steps, StepConsumer consumer) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(steps, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        consumer.accept(new Step(JSON.readTree(line)));
      }
    }
  }

  /** Per rule: decisions where the candidate fires it and the base does not, and the reverse. */
  private static final class RuleChange {
    long more;
    long fewer;
  }

  /**
   * Writes the page for {@code summary} from the steps a {@link Recorder} kept in {@code steps}
   * to {@code page}, which is flushed, not closed.
   *
   * @throws IOException when reading the steps or writing the page fails
   */
  public static void write(WhatIfDiff.Summary summary, Path steps, Labels labels, OutputStream page)
      throws IOException {
    // First pass: the rules' changes, the time range of the differences, the sessions to show.
    Map<String, RuleChange> rules = new TreeMap<>();
    long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
    Map<String, List<Step>> shown = new LinkedHashMap<>();
    read(
        steps,
        step -> {
          if (!step.differs()) {
            return;
          }
          range[0] = Math.min(range[0], step.at());
          range[1] = Math.max(range[1], step.at());
          List<String> base = step.rules("b");
          List<String> candidate = step.rules("c");
          for (String r : candidate) {
            if (!base.contains(r)) {
              rules.computeIfAbsent(r, k -> new RuleChange()).more++;
            }
          }
          for (String r : base) {
            if (!candidate.contains(r)) {
              rules.computeIfAbsent(r, k -> new RuleChange()).fewer++;
            }
          }
          if (shown.size() < MAX_SESSIONS) {
            shown.putIfAbsent(step.session(), new ArrayList<>());
          }
        });
    // Second pass: the buckets over time, and the shown sessions' steps.
    long[] buckets = new long[TIME_BUCKETS];
    Map<String, Long> stepCounts = new LinkedHashMap<>();
    read(
        steps,
        step -> {
          if (step.differs()) {
            buckets[bucket(step.at(), range[0], range[1])]++;
          }
          List<Step> kept = shown.get(step.session());
          if (kept != null) {
            stepCounts.merge(step.session(), 1L, Long::sum);
            if (kept.size() < MAX_STEPS) {
              kept.add(step);
            }
          }
        });
    // Flushed, not closed: the page's stream is the caller's.
    Writer w = new BufferedWriter(new OutputStreamWriter(page, StandardCharsets.UTF_8));
    Html html = new Html(w);
    head(html, labels);
    summaryTable(html, summary);
    html.raw("<h2>Rules that fire more or less</h2>\n");
    rulesChart(html, rules);
    html.raw("<h2>Differences over event time</h2>\n");
    timeChart(html, buckets, range[0], range[1]);
    sessions(html, shown, stepCounts, summary.sessionsTouched());
    html.raw("</main>\n</body>\n</html>\n");
    w.flush();
  }

  static int bucket(long at, long from, long to) {
    if (to <= from) {
      return 0;
    }
    long i = (long) ((double) (at - from) / (double) (to - from) * TIME_BUCKETS);
    return (int) Math.max(0, Math.min(TIME_BUCKETS - 1, i));
  }

  private static void head(Html html, Labels labels) throws IOException {
    html.raw(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            // No script, style or image from anywhere, and no script at all.
            + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            + "style-src 'unsafe-inline'; img-src data:\">\n<title>What-if report: ");
    html.text(labels.candidate());
    html.raw("</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n<main>\n");
    html.raw("<h1>What-if report</h1>\n<p class=\"bundles\">Base <code>");
    html.text(labels.base());
    html.raw("</code> against candidate <code>");
    html.text(labels.candidate());
    html.raw("</code> on <code>");
    html.text(labels.input());
    html.raw("</code>.</p>\n");
  }

  private static void summaryTable(Html html, WhatIfDiff.Summary s)
      throws IOException {
    html.raw("<h2>Summary</h2>\n<table id=\"summary\" class=\"summary\">\n");
    row(html, "Events read", Long.toString(s.records()));
    row(html, "Decisions compared", Long.toString(s.compared()));
    row(html, "Decisions that differ", Long.toString(s.differing()));
    row(html, "Sessions touched", Long.toString(s.sessionsTouched()));
    row(html, "Dead letters", Long.toString(s.deadLetters()));
    html.raw("</table>\n");
    if (!s.transitions().isEmpty()) {
      html.raw(
          "<table id=\"transitions\" class=\"list\">\n<thead><tr><th>Base verdict</th>"
              + "<th>Candidate verdict</th><th>Decisions</th></tr></thead>\n<tbody>\n");
      for (Map.Entry<String, Long> t : s.transitions().entrySet()) {
        String[] sides = t.getKey().split("->", 2);
        html.raw("<tr><td>");
        verdict(html, sides[0]);
        html.raw("</td><td>");
        verdict(html, sides.length > 1 ? sides[1] : "");
        html.raw("</td><td class=\"num\">" + t.getValue() + "</td></tr>\n");
      }
      html.raw("</tbody>\n</table>\n");
    }
  }

  private static void row(Html html, String name, String value) throws IOException {
    html.raw("<tr><th>");
    html.text(name);
    html.raw("</th><td class=\"num\">");
    html.text(value);
    html.raw("</td></tr>\n");
  }

  private static void verdict(Html html, String verdict) throws IOException {
    String known =
        switch (verdict) {
          case "ALLOW", "FLAG", "BLOCK" -> verdict.toLowerCase(Locale.ROOT);
          default -> "none";
        };
    html.raw("<span class=\"verdict " + known + "\">");
    html.text(verdict.equals("NONE") ? "none" : verdict);
    html.raw("</span>");
  }

  /** Horizontal bars: fewer to the left of the axis, more to the right, one row per rule. */
  private static void rulesChart(Html html, Map<String, RuleChange> rules) throws IOException {
    if (rules.isEmpty()) {
      html.raw("<p class=\"none\">No rule fires more or less (only verdicts changed, if anything).</p>\n");
      return;
    }
    long max = 1;
    for (RuleChange c : rules.values()) {
      max = Math.max(max, Math.max(c.more, c.fewer));
    }
    int rowHeight = 22;
    int label = 230;
    int half = 260;
    int width = label + 2 * half + 20;
    int height = rules.size() * rowHeight + 30;
    int axis = label + half;
    html.raw(
        "<svg id=\"rules-chart\" class=\"chart\" role=\"img\" aria-label=\"Rules that fire more or less\" "
            + "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + width + " " + height
            + "\" width=\"" + width + "\" height=\"" + height + "\">\n");
    html.raw(
        "<text x=\"" + (axis - 6) + "\" y=\"14\" text-anchor=\"end\" class=\"legend fewer\">fires less</text>"
            + "<text x=\"" + (axis + 6) + "\" y=\"14\" class=\"legend more\">fires more</text>\n");
    int y = 24;
    for (Map.Entry<String, RuleChange> e : rules.entrySet()) {
      RuleChange c = e.getValue();
      int fewer = (int) Math.round((double) c.fewer / max * (half - 40));
      int more = (int) Math.round((double) c.more / max * (half - 40));
      html.raw("<g><title>");
      html.text(e.getKey() + ": +" + c.more + " / -" + c.fewer);
      html.raw("</title><text x=\"" + (label - 8) + "\" y=\"" + (y + 15) + "\" text-anchor=\"end\">");
      html.text(e.getKey());
      html.raw("</text>");
      if (c.fewer > 0) {
        html.raw(
            "<rect class=\"fewer\" x=\"" + (axis - fewer) + "\" y=\"" + (y + 3) + "\" width=\""
                + Math.max(1, fewer) + "\" height=\"" + (rowHeight - 6) + "\"/>"
                + "<text class=\"count\" x=\"" + (axis - fewer - 4) + "\" y=\"" + (y + 15)
                + "\" text-anchor=\"end\">-" + c.fewer + "</text>");
      }
      if (c.more > 0) {
        html.raw(
            "<rect class=\"more\" x=\"" + axis + "\" y=\"" + (y + 3) + "\" width=\"" + Math.max(1, more)
                + "\" height=\"" + (rowHeight - 6) + "\"/>"
                + "<text class=\"count\" x=\"" + (axis + more + 4) + "\" y=\"" + (y + 15) + "\">+"
                + c.more + "</text>");
      }
      html.raw("</g>\n");
      y += rowHeight;
    }
    html.raw(
        "<line class=\"axis\" x1=\"" + axis + "\" y1=\"20\" x2=\"" + axis + "\" y2=\"" + (height - 4)
            + "\"/>\n</svg>\n");
  }

  /** Columns: the differing decisions in each slice of event time between the first and last. */
  private static void timeChart(Html html, long[] buckets, long from, long to) throws IOException {
    if (from > to) {
      html.raw("<p class=\"none\">No decision differs.</p>\n");
      return;
    }
    long max = 1;
    for (long b : buckets) {
      max = Math.max(max, b);
    }
    int column = 14;
    int left = 50;
    int plot = 160;
    int width = left + buckets.length * column + 20;
    int height = plot + 50;
    html.raw(
        "<svg id=\"time-chart\" class=\"chart\" role=\"img\" aria-label=\"Differences over event time\" "
            + "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + width + " " + height
            + "\" width=\"" + width + "\" height=\"" + height + "\">\n");
    long slice = to > from ? Math.max(1, (to - from) / buckets.length) : 0;
    for (int i = 0; i < buckets.length; i++) {
      if (buckets[i] == 0) {
        continue;
      }
      int h = (int) Math.max(1, Math.round((double) buckets[i] / max * plot));
      html.raw("<rect class=\"bar\" x=\"" + (left + i * column + 1) + "\" y=\"" + (10 + plot - h)
          + "\" width=\"" + (column - 2) + "\" height=\"" + h + "\"><title>");
      html.text(TIME.format(Instant.ofEpochMilli(from + i * slice)) + ": " + buckets[i]);
      html.raw("</title></rect>\n");
    }
    html.raw(
        "<line class=\"axis\" x1=\"" + left + "\" y1=\"" + (10 + plot) + "\" x2=\"" + (width - 20)
            + "\" y2=\"" + (10 + plot) + "\"/>\n"
            + "<text x=\"" + (left - 6) + "\" y=\"18\" text-anchor=\"end\">" + max + "</text>"
            + "<text x=\"" + (left - 6) + "\" y=\"" + (10 + plot) + "\" text-anchor=\"end\">0</text>\n"
            + "<text x=\"" + left + "\" y=\"" + (plot + 30) + "\">");
    html.text(TIME.format(Instant.ofEpochMilli(from)));
    html.raw("</text><text x=\"" + (width - 20) + "\" y=\"" + (plot + 30) + "\" text-anchor=\"end\">");
    html.text(TIME.format(Instant.ofEpochMilli(to)));
    html.raw("</text>\n</svg>\n");
  }

  private static void sessions(
      Html html, Map<String, List<Step>> shown, Map<String, Long> stepCounts, long touched)
      throws IOException {
    html.raw("<h2>Changed sessions</h2>\n");
    if (shown.isEmpty()) {
      html.raw("<p class=\"none\">No session changed.</p>\n");
      return;
    }
    if (touched > shown.size()) {
      html.raw(
          "<p class=\"note\">The first " + shown.size() + " of " + touched
              + " changed sessions, in the order of their first difference; the JSON lines list"
              + " every difference.</p>\n");
    }
    for (Map.Entry<String, List<Step>> session : shown.entrySet()) {
      html.raw("<section class=\"session\">\n<h3>Session <code>");
      html.text(session.getKey());
      html.raw("</code></h3>\n");
      long total = stepCounts.getOrDefault(session.getKey(), 0L);
      if (total > session.getValue().size()) {
        html.raw(
            "<p class=\"note\">The first " + session.getValue().size() + " of " + total
                + " steps.</p>\n");
      }
      html.raw(
          "<table class=\"steps\">\n<thead><tr><th>Event time</th><th>Event</th><th>Type</th>"
              + "<th>Agent</th><th class=\"side\">Base</th><th class=\"side\">Candidate</th>"
              + "</tr></thead>\n<tbody>\n");
      for (Step step : session.getValue()) {
        html.raw(step.differs() ? "<tr class=\"differs\"><td class=\"time\">" : "<tr><td class=\"time\">");
        html.text(TIME.format(Instant.ofEpochMilli(step.at())));
        html.raw("</td><td><code>");
        html.text(step.node().get("e").asText());
        html.raw("</code></td><td>");
        html.text(step.node().get("t").asText());
        html.raw("</td><td><code>");
        html.text(step.node().get("a").asText());
        html.raw("</code></td>");
        cell(html, step, "b", "c");
        cell(html, step, "c", "b");
        html.raw("</tr>\n");
      }
      html.raw("</tbody>\n</table>\n</section>\n");
    }
  }

  /** One bundle's verdict and rule ids; a rule the other side lacks is marked. */
  private static void cell(Html html, Step step, String side, String other) throws IOException {
    html.raw("<td class=\"side\">");
    JsonNode s = step.side(side);
    if (s == null) {
      html.raw("<span class=\"verdict none\">no decision</span></td>");
      return;
    }
    verdict(html, s.get("v").asText());
    List<String> others = step.rules(other);
    for (String r : step.rules(side)) {
      html.raw(others.contains(r) ? " <span class=\"rule\">" : " <span class=\"rule only\">");
      html.text(r);
      html.raw("</span>");
    }
    html.raw("</td>");
  }

  /** Writes markup as given and text escaped. */
  static final class Html {
    private final Writer out;

    Html(Writer out) {
      this.out = out;
    }

    void raw(String markup) throws IOException {
      out.write(markup);
    }

    void text(String text) throws IOException {
      out.write(escape(text));
    }
  }

  /**
   * {@code text} safe as HTML text and as a quoted attribute value: {@code & < > " '} as
   * entities; control characters other than tab, newline and carriage return as U+FFFD (they are
   * not allowed in HTML).
   */
  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            b.append('\uFFFD');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static final String CSS =
      """
      body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
      main { max-width: 1180px; margin: 0 auto; padding: 24px; background: #fff; }
      h1 { margin: 0 0 4px; font-size: 24px; }
      h2 { margin: 28px 0 10px; font-size: 18px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
      h3 { margin: 20px 0 8px; font-size: 15px; }
      code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
      .bundles { color: #57606a; }
      table { border-collapse: collapse; margin: 8px 0; }
      th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
      thead th { background: #f6f8fa; }
      table.summary th { background: #f6f8fa; font-weight: 600; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      table.steps { width: 100%; font-size: 13px; }
      table.steps td.side { width: 26%; }
      tr.differs { background: #fff8c5; }
      td.time { white-space: nowrap; }
      .verdict { display: inline-block; padding: 0 6px; border-radius: 10px; font-weight: 600; font-size: 12px; }
      .verdict.allow { background: #dafbe1; color: #116329; }
      .verdict.flag { background: #fff1c2; color: #7d4e00; }
      .verdict.block { background: #ffebe9; color: #a40e26; }
      .verdict.none { background: #eaeef2; color: #57606a; }
      .rule { display: inline-block; font: 12px ui-monospace, Menlo, Consolas, monospace; color: #57606a; }
      .rule.only { color: #1f2328; font-weight: 700; text-decoration: underline; }
      .note, .none { color: #57606a; }
      svg.chart { display: block; max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
      svg.chart text { fill: #1f2328; }
      svg.chart .legend.more, svg.chart rect.more { fill: #cf222e; }
      svg.chart .legend.fewer, svg.chart rect.fewer { fill: #1a7f37; }
      svg.chart rect.bar { fill: #0969da; }
      svg.chart .axis { stroke: #57606a; stroke-width: 1; }
      """;
}
