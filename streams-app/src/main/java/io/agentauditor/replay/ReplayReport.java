package io.agentauditor.replay;

import io.agentauditor.engine.StepResult;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a replay has done so far, for its progress line and its summary (contract section 10):
 * records read, decisions by verdict (idle timeouts included), findings by rule id, dead letters
 * and skipped records. Thread-safe: the partitions of a topic replay share one.
 */
public final class ReplayReport implements ReplayListener {

  /** Rules named in the summary, the most frequent first. */
  static final int TOP_RULES = 5;

  private final long startNanos;
  private final LongAdder records = new LongAdder();
  private final LongAdder deadLetters = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder idleTimeouts = new LongAdder();
  private final Map<Verdict, LongAdder> verdicts = new EnumMap<>(Verdict.class);
  private final Map<String, LongAdder> rules = new ConcurrentHashMap<>();

  /** A report whose wall time starts now. */
  public ReplayReport() {
    this.startNanos = System.nanoTime();
    for (Verdict v : Verdict.values()) {
      verdicts.put(v, new LongAdder());
    }
  }

  @Override
  public void decided(StepResult result) {
    records.increment();
    count(result.decision());
    for (Decision timeout : result.idleTimeouts()) {
      idleTimeouts.increment();
      count(timeout);
    }
  }

  private void count(Decision decision) {
    verdicts.get(decision.verdict()).increment();
    for (Finding finding : decision.findings()) {
      rules.computeIfAbsent(finding.ruleId(), r -> new LongAdder()).increment();
    }
  }

  @Override
  public void deadLetter() {
    records.increment();
    deadLetters.increment();
  }

  @Override
  public void skipped() {
    records.increment();
    skipped.increment();
  }

  /** {@code events/s} over the wall time so far. */
  private long rate(long events, double seconds) {
    return seconds <= 0 ? events : Math.round(events / seconds);
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The progress line: {@code replay: N events (R/s), D dead letters, S skipped}. */
  public String progressLine(String command) {
    long n = records.sum();
    return String.format(
        Locale.ROOT,
        "%s: %,d events (%,d/s), %,d dead letters, %,d skipped",
        command, n, rate(n, seconds()), deadLetters.sum(), skipped.sum());
  }

  /**
   * The summary: events, events/s and wall time; decisions by verdict with the idle timeouts among
   * them; the {@value #TOP_RULES} rules that found most; dead letters; skipped.
   */
  public String summary(String command) {
    long n = records.sum();
    double seconds = seconds();
    long decisions = 0;
    for (LongAdder v : verdicts.values()) {
      decisions += v.sum();
    }
    List<Map.Entry<String, Long>> top = new ArrayList<>();
    rules.forEach((rule, count) -> top.add(Map.entry(rule, count.sum())));
    top.sort(
        Comparator.comparing((Map.Entry<String, Long> e) -> e.getValue()).reversed()
            .thenComparing(Map.Entry::getKey));
    StringBuilder topRules = new StringBuilder();
    for (int i = 0; i < Math.min(TOP_RULES, top.size()); i++) {
      topRules.append(i == 0 ? "" : ", ").append(top.get(i).getKey()).append(' ').append(top.get(i).getValue());
    }
    return String.format(
        Locale.ROOT,
        "%s: %,d events in %.1f s (%,d/s): %,d decisions (%,d ALLOW, %,d FLAG, %,d BLOCK; %,d idle"
            + " timeouts), %,d dead letters, %,d skipped; top rules: %s",
        command,
        n,
        seconds,
        rate(n, seconds),
        decisions,
        verdicts.get(Verdict.ALLOW).sum(),
        verdicts.get(Verdict.FLAG).sum(),
        verdicts.get(Verdict.BLOCK).sum(),
        idleTimeouts.sum(),
        deadLetters.sum(),
        skipped.sum(),
        topRules.length() == 0 ? "none" : topRules);
  }
}
