package io.agentauditor.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.codec.DecisionDifference;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Step;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
      long sessionsTouched,
      Map<String, String> firstDiffering) {

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
      s.put("firstDiffering", firstDiffering);
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

  /**
   * Sees every pair of decisions the diff compares, in output order (the HTML report keeps each
   * session's steps through it). Either decision may be null: an idle timeout of one bundle only.
   */
  @FunctionalInterface
  public interface Observer {
    /** An observer that keeps nothing. */
    Observer NONE = (base, candidate, differs) -> {};

    /**
     * @throws IOException when the observer fails to keep the pair; the diff stops with it
     */
    void compared(Decision base, Decision candidate, boolean differs) throws IOException;
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
    return run(input, out, baseStore, candidateStore, dead, Observer.NONE);
  }

  /**
   * As {@link #run(InputStream, OutputStream, StateStore, StateStore, Replayer.DeadLetters)},
   * telling {@code observer} of every pair compared.
   */
  public Summary run(
      InputStream input,
      OutputStream out,
      StateStore baseStore,
      StateStore candidateStore,
      Replayer.DeadLetters dead,
      Observer observer)
      throws IOException {
    Tally tally = new Tally(observer);
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
    return run(topic, out, cacheBytes, dead, Observer.NONE);
  }

  /**
   * As {@link #run(TopicSource, OutputStream, long, TopicReplay.PartitionDeadLetters)}, telling
   * {@code observer} of every pair compared.
   */
  public Summary run(
      TopicSource topic,
      OutputStream out,
      long cacheBytes,
      TopicReplay.PartitionDeadLetters dead,
      Observer observer)
      throws IOException {
    Tally tally = new Tally(observer);
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
      DecisionDifference.pairByEventId(
          b.idleTimeouts(), c.idleTimeouts(), (bt, ct) -> compare(bt, ct, out, tally));
    }
  }

  /** Compares two decisions on one event; either may be null (an idle timeout of one bundle only). */
  private static void compare(Decision b, Decision c, OutputStream out, Tally tally) throws IOException {
    tally.compared++;
    DecisionDifference difference = DecisionDifference.of(b, c);
    tally.observer.compared(b, c, difference != null);
    if (difference == null) {
      return;
    }
    out.write(difference.toJson());
    out.write('\n');
    tally.differing++;
    tally.transitions.merge(difference.transition(), 1L, Long::sum);
    for (String r : difference.added()) {
      tally.rules.merge(r, 1L, Long::sum);
    }
    for (String r : difference.removed()) {
      tally.rules.merge(r, -1L, Long::sum);
    }
    tally.firstDiffering.putIfAbsent(difference.sessionId(), difference.eventId());
  }

  private static void writeLine(OutputStream out, Object value) throws IOException {
    out.write(JSON.writeValueAsBytes(value));
    out.write('\n');
  }

  /**
   * Running counts; the sessions touched (with their first differing event) are the only map, and
   * it holds differing sessions only.
   */
  private static final class Tally {
    final Observer observer;
    long records;
    long compared;
    long differing;
    long deadLetters;
    final Map<String, Long> transitions = new TreeMap<>();
    final Map<String, Long> rules = new TreeMap<>();
    final Map<String, String> firstDiffering = new TreeMap<>();

    Tally(Observer observer) {
      this.observer = observer;
    }

    Summary summary() {
      return new Summary(
          records, compared, differing, deadLetters, new TreeMap<>(transitions), new TreeMap<>(rules),
          firstDiffering.size(), new TreeMap<>(firstDiffering));
    }
  }
}
