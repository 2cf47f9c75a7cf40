package io.agentauditor.engine;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.agentauditor.policy.NamedPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A list of bundle patterns matched against tool arguments. Most arguments match none, so the
 * regexes run only where a match is possible: a pattern with keywords runs on a value only when the
 * value contains one of them (all keywords of all patterns are found in one {@link KeywordScreen}
 * pass per value); patterns without keywords are screened together by one RE2 alternation of
 * them. The result equals running {@link NamedPattern#matches} of every pattern on every value, as
 * long as the bundle's keywords keep their promise (every match contains one).
 *
 * <p>Not thread-safe (the screens reuse buffers), like the engine that owns it.
 */
final class PatternSet {

  private final NamedPattern[] patterns;
  /** Per pattern: ids of its keywords in {@link #exact} or {@link #folded}; null when unscreened. */
  private final int[][] keywordIds;
  /** Per pattern: whether its keywords are searched in the folded text. */
  private final boolean[] foldedKeywords;

  private final KeywordScreen exact;
  private final KeywordScreen folded;
  private final boolean anyFolded;
  private final boolean anyUnscreened;
  /**
   * One alternation of the unscreened patterns, null when fewer than two or when they can't be
   * combined (compile flags differ, or the union doesn't compile).
   */
  private final Pattern unscreenedUnion;

  PatternSet(List<NamedPattern> patterns) {
    this.patterns = patterns.toArray(new NamedPattern[0]);
    int n = this.patterns.length;
    this.keywordIds = new int[n][];
    this.foldedKeywords = new boolean[n];
    Map<String, Integer> exactIds = new LinkedHashMap<>();
    Map<String, Integer> foldedIds = new LinkedHashMap<>();
    List<NamedPattern> unscreened = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      NamedPattern p = this.patterns[i];
      if (p.keywords().isEmpty()) {
        unscreened.add(p);
        continue;
      }
      boolean fold = p.ignoresCase();
      Map<String, Integer> ids = fold ? foldedIds : exactIds;
      int[] mine = new int[p.keywords().size()];
      for (int k = 0; k < mine.length; k++) {
        String keyword = fold ? NamedPattern.fold(p.keywords().get(k)) : p.keywords().get(k);
        mine[k] = ids.computeIfAbsent(keyword, x -> ids.size());
      }
      keywordIds[i] = mine;
      foldedKeywords[i] = fold;
    }
    this.exact = new KeywordScreen(List.copyOf(exactIds.keySet()));
    this.folded = new KeywordScreen(List.copyOf(foldedIds.keySet()));
    this.anyFolded = !foldedIds.isEmpty();
    this.anyUnscreened = !unscreened.isEmpty();
    this.unscreenedUnion = union(unscreened);
  }

  private static Pattern union(List<NamedPattern> patterns) {
    if (patterns.size() < 2) {
      return null;
    }
    int flags = patterns.get(0).pattern().flags();
    StringBuilder sb = new StringBuilder();
    for (NamedPattern p : patterns) {
      if (p.pattern().flags() != flags) {
        return null;
      }
      sb.append(sb.length() == 0 ? "" : "|").append("(?:").append(p.pattern().pattern()).append(')');
    }
    try {
      return Pattern.compile(sb.toString(), flags);
    } catch (PatternSyntaxException e) {
      return null;
    }
  }

  /**
   * "argument 'a' matches p1, p2; argument 'b' matches p3", arguments in name order, patterns in
   * bundle order; null when no argument matches. Values are never quoted: they may be secrets.
   */
  String hits(Map<String, String> args) {
    if (patterns.length == 0 || args.isEmpty()) {
      return null;
    }
    // Hits are rare: find them in map order, and sort argument names only when there are some.
    List<String[]> hits = null;
    for (Map.Entry<String, String> arg : args.entrySet()) {
      String ids = hitIds(arg.getValue());
      if (ids != null) {
        if (hits == null) {
          hits = new ArrayList<>(2);
        }
        hits.add(new String[] {arg.getKey(), ids});
      }
    }
    if (hits == null) {
      return null;
    }
    hits.sort((a, b) -> a[0].compareTo(b[0]));
    StringBuilder sb = new StringBuilder();
    for (String[] h : hits) {
      sb.append(sb.length() == 0 ? "" : "; ").append("argument '").append(h[0]).append("' matches ").append(h[1]);
    }
    return sb.toString();
  }

  /** "p1, p2": the ids of the patterns that fire on {@code value}, in bundle order; null when none. */
  private String hitIds(String value) {
    long[] exactFound = exact.find(value);
    long[] foldedFound = null;
    if (anyFolded) {
      foldedFound = folded.find(NamedPattern.fold(value));
    }
    boolean unscreenedMayMatch =
        anyUnscreened && (unscreenedUnion == null || unscreenedUnion.matcher(value).find());
    StringBuilder ids = null;
    for (int i = 0; i < patterns.length; i++) {
      int[] kws = keywordIds[i];
      boolean candidate;
      if (kws == null) {
        candidate = unscreenedMayMatch;
      } else {
        long[] found = foldedKeywords[i] ? foldedFound : exactFound;
        candidate = false;
        for (int id : kws) {
          if (KeywordScreen.has(found, id)) {
            candidate = true;
            break;
          }
        }
      }
      if (candidate && patterns[i].matches(value)) {
        ids = ids == null ? new StringBuilder() : ids.append(", ");
        ids.append(patterns[i].id());
      }
    }
    return ids == null ? null : ids.toString();
  }
}
