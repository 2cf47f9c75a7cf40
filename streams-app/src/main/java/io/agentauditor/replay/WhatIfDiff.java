package io.agentauditor.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The what-if report (contract section 10, {@code diff}): decides a JSON Lines file of events with
 * two bundles, each with its own engine and its own chain state, so a verdict that changes changes
 * the state that follows; writes one JSON line per decision whose verdict or set of rule ids differs,
 * in input order, then a summary line.
 *
 * <p>Lines are read and decoded as {@link Replayer} does ({@link JsonLinesSource}), so dead letters
 * are those of a replay, reported once for both bundles. Idle-timeout decisions are compared by
 * event id; one that only one bundle produces is a difference whose other verdict is {@code null}.
 * The state lives in the given stores; what the diff itself keeps grows with the sessions touched
 * and the rules that changed, not with the input.
 */
public final class WhatIfDiff {

  private static final Logger LOGGER = LoggerFactory.getLogger(WhatIfDiff.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a diff read and found. */
  public record Summary(
      long records,
      long compared,
      long differing,
      long deadLetters,
      Map<String, Long> transitions,
      Map<String, Long> rules,
      long sessionsTouched) {

    /** The summary line's value: {@code {"summary":{...}}}. */
    public Map<String, Object> asJson() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("events", records);
      s.put("compared", compared);
      s.put("differing", differing);
      s.put("deadLetters", deadLetters);
      s.put("transitions", transitions);
      s.put("rules", rules);
      s.put("sessionsTouched", sessionsTouched);
      return Map.of("summary", s);
    }

    /** One line for a person: counts, transitions, rules with their net change. */
    public String humanLine() {
      StringBuilder b = new StringBuilder("diff: ");
      b.append(records).append(" events, ").append(compared).append(" decisions compared, ");
      b.append(differing).append(" differ");
      if (!transitions.isEmpty()) {
        b.append(" (");
        List<String> parts = new ArrayList<>();
        transitions.forEach((t, n) -> parts.add(t + " " + n));
        b.append(String.join(", ", parts)).append(')');
      }
      b.append(", ").append(sessionsTouched).append(sessionsTouched == 1 ? " session" : " sessions");
      b.append(" touched");
      if (!rules.isEmpty()) {
        List<String> parts = new ArrayList<>();
        rules.forEach((r, n) -> parts.add(r + " " + (n > 0 ? "+" : "") + n));
        b.append("; rules: ").append(String.join(", ", parts));
      }
      b.append("; ").append(deadLetters).append(deadLetters == 1 ? " dead letter" : " dead letters");
      return b.toString();
    }
  }

  private final AuditEngine base;
  private final AuditEngine candidate;

  public WhatIfDiff(AuditEngine base, AuditEngine candidate) {
    this.base = base;
    this.candidate = candidate;
  }

  /**
   * Decides {@code input} with both engines, {@code base} against {@code baseStore} and {@code
   * candidate} against {@code candidateStore}, writing the differing decisions then the summary as
   * JSON Lines to {@code out}; neither stream is closed. An engine failure on one event makes it a
   * dead letter ({@code processing failed: ...}), as in a replay.
   *
   * @throws IOException when reading the input or writing the report fails
   */
  public Summary run(
      InputStream input,
      OutputStream out,
      StateStore baseStore,
      StateStore candidateStore,
      Replayer.DeadLetters dead)
      throws IOException {
    Tally tally = new Tally();
    compare(new JsonLinesSource(input), out, baseStore, candidateStore, dead, tally);
    return finish(out, tally);
  }

  /**
   * Decides a topic range with both engines ({@code diff --topic}): each partition on its own, as
   * the live auditor's task for it, with a fresh pair of scratch RocksDB stores (block cache {@code
   * cacheBytes} each), one partition after the other, so the differing decisions come grouped by
   * partition in offset order; one summary for all. Dead letters are reported with their partition
   * and offset.
   *
   * @throws IOException when reading the topic or writing the report fails
   */
  public Summary run(
      TopicSource topic, OutputStream out, long cacheBytes, TopicReplay.PartitionDeadLetters dead)
      throws IOException {
    Tally tally = new Tally();
    topic.eachPartition(
        topic.partitions(),
        1,
        (partition, events) -> {
          try (RocksDbStateStore baseStore = RocksDbStateStore.temporary(cacheBytes);
              RocksDbStateStore candidateStore = RocksDbStateStore.temporary(cacheBytes)) {
            int p = partition.partition();
            compare(
                events,
                out,
                new CachingStateStore(baseStore),
                new CachingStateStore(candidateStore),
                (offset, reason) -> dead.deadLetter(p, offset, reason),
                tally);
          }
          return null;
        });
    return finish(out, tally);
  }

  private static Summary finish(OutputStream out, Tally tally) throws IOException {
    Summary summary = tally.summary();
    writeLine(out, summary.asJson());
    out.flush();
    return summary;
  }

  private void compare(
      EventSource source,
      OutputStream out,
      StateStore baseStore,
      StateStore candidateStore,
      Replayer.DeadLetters dead,
      Tally tally)
      throws IOException {
    EventSource.Record record;
    while ((record = source.next()) != null) {
      tally.records++;
      if (record.skipped()) {
        continue; // a session started before the range: neither bundle has its chain
      }
      if (record.event() == null) {
        tally.deadLetters++;
        dead.deadLetter(record.position(), record.deadLetter());
        continue;
      }
      Step event = record.event();
      StepResult b;
      StepResult c;
      try {
        b = base.process(event, baseStore);
        c = candidate.process(event, candidateStore);
      } catch (RuntimeException e) {
        LOGGER.error("line {}: the engine failed on event {}", record.position(), event.eventId(), e);
        tally.deadLetters++;
        dead.deadLetter(record.position(), "processing failed: " + e);
        continue;
      }
      compare(b.decision(), c.decision(), out, tally);
      compareIdleTimeouts(b.idleTimeouts(), c.idleTimeouts(), out, tally);
    }
  }

  private static void compareIdleTimeouts(
      List<Decision> base, List<Decision> candidate, OutputStream out, Tally tally) throws IOException {
    if (base.isEmpty() && candidate.isEmpty()) {
      return;
    }
    Map<String, Decision> byId = new LinkedHashMap<>();
    for (Decision d : candidate) {
      byId.put(d.eventId(), d);
    }
    for (Decision b : base) {
      compare(b, byId.remove(b.eventId()), out, tally);
    }
    for (Decision c : byId.values()) {
      compare(null, c, out, tally);
    }
  }

  /** Compares two decisions on one event; either may be null (an idle timeout of one bundle only). */
  private static void compare(Decision b, Decision c, OutputStream out, Tally tally) throws IOException {
    tally.compared++;
    Set<String> baseRules = ruleIds(b);
    Set<String> candidateRules = ruleIds(c);
    Verdict bv = b == null ? null : b.verdict();
    Verdict cv = c == null ? null : c.verdict();
    if (b != null && c != null && bv == cv && baseRules.equals(candidateRules)) {
      return;
    }
    Set<String> added = new TreeSet<>(candidateRules);
    added.removeAll(baseRules);
    Set<String> removed = new TreeSet<>(baseRules);
    removed.removeAll(candidateRules);
    Decision any = b != null ? b : c;
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("eventId", any.eventId());
    line.put("sessionId", any.sessionId());
    line.put("base", bv == null ? null : bv.name());
    line.put("candidate", cv == null ? null : cv.name());
    line.put("added", added);
    line.put("removed", removed);
    writeLine(out, line);
    tally.differing++;
    tally.transitions.merge((bv == null ? "NONE" : bv.name()) + "->" + (cv == null ? "NONE" : cv.name()), 1L, Long::sum);
    for (String r : added) {
      tally.rules.merge(r, 1L, Long::sum);
    }
    for (String r : removed) {
      tally.rules.merge(r, -1L, Long::sum);
    }
    tally.sessions.add(any.sessionId());
  }

  private static Set<String> ruleIds(Decision d) {
    Set<String> ids = new TreeSet<>();
    if (d != null) {
      for (Finding f : d.findings()) {
        ids.add(f.ruleId());
      }
    }
    return ids;
  }

  private static void writeLine(OutputStream out, Object value) throws IOException {
    out.write(JSON.writeValueAsBytes(value));
    out.write('\n');
  }

  /** Running counts; the sessions touched are the only set, and it holds differing sessions only. */
  private static final class Tally {
    long records;
    long compared;
    long differing;
    long deadLetters;
    final Map<String, Long> transitions = new TreeMap<>();
    final Map<String, Long> rules = new TreeMap<>();
    final Set<String> sessions = new HashSet<>();

    Summary summary() {
      return new Summary(
          records, compared, differing, deadLetters, new TreeMap<>(transitions), new TreeMap<>(rules),
          sessions.size());
    }
  }
}
