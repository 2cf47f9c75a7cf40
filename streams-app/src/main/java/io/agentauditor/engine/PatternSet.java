package io.agentauditor.engine;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.agentauditor.policy.NamedPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A list of bundle patterns matched against tool arguments. Most arguments match none, so each
 * value is first screened with one RE2 alternation of all the patterns (it matches whenever one of
 * them does); only a value that passes is matched pattern by pattern, {@code unless} included, to
 * name the hits.
 */
final class PatternSet {

  private final List<NamedPattern> patterns;
  /** Null when the patterns can't be combined (compile flags differ, or the union doesn't compile). */
  private final Pattern union;

  PatternSet(List<NamedPattern> patterns) {
    this.patterns = List.copyOf(patterns);
    this.union = union(this.patterns);
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
    if (patterns.isEmpty() || args.isEmpty()) {
      return null;
    }
    StringBuilder sb = null;
    for (String name : ToolCatalog.sortedNames(args)) {
      String value = args.get(name);
      if (union != null && !union.matcher(value).find()) {
        continue;
      }
      List<String> ids = null;
      for (NamedPattern p : patterns) {
        if (p.matches(value)) {
          if (ids == null) {
            ids = new ArrayList<>(2);
          }
          ids.add(p.id());
        }
      }
      if (ids != null) {
        sb = sb == null ? new StringBuilder() : sb.append("; ");
        sb.append("argument '").append(name).append("' matches ").append(String.join(", ", ids));
      }
    }
    return sb == null ? null : sb.toString();
  }
}
