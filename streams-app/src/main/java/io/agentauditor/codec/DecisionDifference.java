package io.agentauditor.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How two bundles decided one event differently: {@code diff}'s line (contract section 10), also
 * the value of the shadow bundle's disagreements topic (section 12): {@code eventId}, {@code
 * sessionId}, the {@code base} and {@code candidate} verdicts ({@code null} for a decision only one
 * bundle made: an idle timeout), and the rule ids {@code added} and {@code removed} (sorted).
 * Immutable.
 *
 * @param base the base verdict, null when only the candidate decided
 * @param candidate the candidate verdict, null when only the base decided
 */
public record DecisionDifference(
    String eventId,
    String sessionId,
    Verdict base,
    Verdict candidate,
    List<String> added,
    List<String> removed) {

  /** The transition's name for a side that made no decision. */
  public static final String NONE = "NONE";

  private static final ObjectMapper JSON = new ObjectMapper();

  public DecisionDifference {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(sessionId, "sessionId");
    added = List.copyOf(added);
    removed = List.copyOf(removed);
  }

  /**
   * The difference between two decisions on one event, or null when they have the same verdict and
   * the same set of rule ids. Either may be null (not both).
   *
   * @throws NullPointerException when both are null
   */
  public static DecisionDifference of(Decision base, Decision candidate) {
    Decision any = base != null ? base : Objects.requireNonNull(candidate, "base and candidate");
    Set<String> baseRules = ruleIds(base);
    Set<String> candidateRules = ruleIds(candidate);
    Verdict bv = base == null ? null : base.verdict();
    Verdict cv = candidate == null ? null : candidate.verdict();
    if (base != null && candidate != null && bv == cv && baseRules.equals(candidateRules)) {
      return null;
    }
    Set<String> added = new TreeSet<>(candidateRules);
    added.removeAll(baseRules);
    Set<String> removed = new TreeSet<>(baseRules);
    removed.removeAll(candidateRules);
    return new DecisionDifference(
        any.eventId(), any.sessionId(), bv, cv, new ArrayList<>(added), new ArrayList<>(removed));
  }

  /** Told of one pair of decisions on one event; either may be null, not both. */
  @FunctionalInterface
  public interface PairConsumer<E extends Exception> {
    void accept(Decision base, Decision candidate) throws E;
  }

  /**
   * Pairs two bundles' idle-timeout decisions of one step by event id (their sessions' ids): the
   * base's in their order, each with the candidate's of the same id or null, then the candidate's
   * that the base did not make, with null.
   */
  public static <E extends Exception> void pairByEventId(
      List<Decision> base, List<Decision> candidate, PairConsumer<E> consumer) throws E {
    if (base.isEmpty() && candidate.isEmpty()) {
      return;
    }
    Map<String, Decision> byId = new LinkedHashMap<>();
    for (Decision d : candidate) {
      byId.put(d.eventId(), d);
    }
    for (Decision b : base) {
      consumer.accept(b, byId.remove(b.eventId()));
    }
    for (Decision c : byId.values()) {
      consumer.accept(null, c);
    }
  }

  /** {@code BASE->CANDIDATE}, {@link #NONE} for a side that made no decision. */
  public String transition() {
    return name(base) + "->" + name(candidate);
  }

  /** The JSON line, without its line end. */
  public byte[] toJson() {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("eventId", eventId);
    line.put("sessionId", sessionId);
    line.put("base", base == null ? null : base.name());
    line.put("candidate", candidate == null ? null : candidate.name());
    line.put("added", added);
    line.put("removed", removed);
    try {
      return JSON.writeValueAsBytes(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a line written by {@link #toJson}.
   *
   * @throws IllegalArgumentException when the line is not such a line
   */
  public static DecisionDifference fromJson(byte[] line) {
    try {
      JsonNode node = JSON.readTree(line);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return new DecisionDifference(
          text(node, "eventId"),
          text(node, "sessionId"),
          verdict(node.get("base")),
          verdict(node.get("candidate")),
          strings(node.get("added")),
          strings(node.get("removed")));
    } catch (IOException e) {
      throw new IllegalArgumentException("not a difference line: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException(field + ": a string is required");
    }
    return value.asText();
  }

  private static Verdict verdict(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return Verdict.valueOf(value.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a verdict: " + value);
    }
  }

  private static List<String> strings(JsonNode array) {
    if (array == null || !array.isArray()) {
      return Collections.emptyList();
    }
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static String name(Verdict verdict) {
    return verdict == null ? NONE : verdict.name();
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
}
