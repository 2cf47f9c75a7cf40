package io.agentauditor.model;

import io.agentauditor.text.Echo;
import java.util.List;

/**
 * A scope {@code ACTION:RESOURCE} (contract section 3), parsed and immutable.
 *
 * <p>{@code action} is {@code [a-z][a-z0-9_-]*} or {@code *}. The resource is one or more segments
 * joined by {@code /}; a segment is a literal {@code [A-Za-z0-9._@-]+}, {@code *} (exactly one
 * segment) or, last only, {@code **} (zero or more segments).
 */
public record Scope(String action, List<String> segments) {

  public static final String ANY = "*";
  public static final String ANY_DEPTH = "**";

  public Scope {
    segments = List.copyOf(segments);
  }

  /**
   * Parses a scope.
   *
   * @throws ScopeSyntaxException when {@code text} is not a scope; never returns null
   */
  public static Scope parse(String text) {
    if (text == null) {
      throw new ScopeSyntaxException("null", "a scope is required");
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new ScopeSyntaxException(text, "expected ACTION:RESOURCE");
    }
    String action = text.substring(0, colon);
    if (!isAction(action)) {
      throw new ScopeSyntaxException(text, "action must be [a-z][a-z0-9_-]* or *");
    }
    String resource = text.substring(colon + 1);
    if (resource.isEmpty()) {
      throw new ScopeSyntaxException(text, "resource is empty");
    }
    String[] parts = segments(resource);
    for (int i = 0; i < parts.length; i++) {
      String seg = parts[i];
      if (seg.equals(ANY_DEPTH)) {
        if (i != parts.length - 1) {
          throw new ScopeSyntaxException(text, "** is allowed as the last segment only");
        }
      } else if (!seg.equals(ANY) && !isLiteral(seg)) {
        throw new ScopeSyntaxException(
            text,
            seg.isEmpty() ? "empty segment" : "segment " + Echo.quote(seg) + " is not a literal, * or **");
      }
    }
    return new Scope(action, List.of(parts));
  }

  /**
   * {@code resource} cut at each {@code /}, empty segments kept (as {@code split("/", -1)}, without
   * its list and copies: a delegation at the limits parses 128 resources of 32 segments).
   */
  private static String[] segments(String resource) {
    int n = 1;
    for (int i = resource.indexOf('/'); i >= 0; i = resource.indexOf('/', i + 1)) {
      n++;
    }
    String[] parts = new String[n];
    int from = 0;
    for (int k = 0; k < n - 1; k++) {
      int slash = resource.indexOf('/', from);
      parts[k] = resource.substring(from, slash);
      from = slash + 1;
    }
    parts[n - 1] = resource.substring(from);
    return parts;
  }

  /** Whether {@code action} is a valid scope action: {@code [a-z][a-z0-9_-]*} or {@code *}. */
  public static boolean isAction(String action) {
    if (action.equals(ANY)) {
      return true;
    }
    if (action.isEmpty() || action.charAt(0) < 'a' || action.charAt(0) > 'z') {
      return false;
    }
    for (int i = 1; i < action.length(); i++) {
      char c = action.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code segment} is a literal resource segment: {@code [A-Za-z0-9._@-]+}. */
  public static boolean isLiteral(String segment) {
    return isLiteral(segment, 0, segment.length());
  }

  /** Whether {@code text[from, to)} is a literal segment (as {@link #isLiteral(String)}). */
  public static boolean isLiteral(String text, int from, int to) {
    if (from >= to) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      // One lookup a character: a delegation at the limits validates 64 Ki characters of scopes.
      if (c >= LITERAL.length || !LITERAL[c]) {
        return false;
      }
    }
    return true;
  }

  /** The characters of a literal segment, by code: {@code [A-Za-z0-9._@-]}. */
  private static final boolean[] LITERAL = new boolean[128];

  static {
    for (char c = 0; c < LITERAL.length; c++) {
      LITERAL[c] =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '@'
              || c == '-';
    }
  }

  /** Whether the resource ends with {@code **}. */
  public boolean openEnded() {
    return segments.get(segments.size() - 1).equals(ANY_DEPTH);
  }

  /** Whether the resource has no wildcard segment, so it names one concrete resource. */
  public boolean concrete() {
    for (String s : segments) {
      if (s.equals(ANY) || s.equals(ANY_DEPTH)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Resource containment: every concrete resource (one or more literal segments) that {@code
   * requested}'s pattern matches is matched by {@code granted}'s pattern. Actions are not
   * considered.
   */
  public static boolean resourceCovers(List<String> granted, List<String> requested) {
    boolean gOpen = granted.get(granted.size() - 1).equals(ANY_DEPTH);
    boolean rOpen = requested.get(requested.size() - 1).equals(ANY_DEPTH);
    int q = gOpen ? granted.size() - 1 : granted.size(); // fixed prefix of g
    int p = rOpen ? requested.size() - 1 : requested.size(); // fixed prefix of r
    if (rOpen && !gOpen) {
      return false; // r matches unboundedly long resources, g a fixed length
    }
    if (!gOpen) {
      if (q != p) {
        return false;
      }
    } else {
      // Shortest concrete resource r matches: its prefix, or one segment when the prefix is empty.
      int minLength = rOpen ? Math.max(p, 1) : p;
      if (q > minLength) {
        return false;
      }
    }
    for (int i = 0; i < q; i++) {
      String g = granted.get(i);
      if (i < p) {
        String r = requested.get(i);
        if (!g.equals(ANY) && !g.equals(r)) {
          return false; // a literal covers only the same literal, never a wildcard
        }
      } else if (!g.equals(ANY)) {
        return false; // position filled by r's ** expansion: anything can stand there
      }
    }
    return true;
  }

  /**
   * The resource pattern matching exactly the concrete resources both patterns match, or null when
   * they share none. Patterns of this grammar are closed under intersection: position by position
   * a literal meets the same literal or {@code *}, and a trailing {@code **} takes the other's
   * remaining segments.
   */
  public static List<String> resourceIntersection(List<String> a, List<String> b) {
    boolean aOpen = a.get(a.size() - 1).equals(ANY_DEPTH);
    boolean bOpen = b.get(b.size() - 1).equals(ANY_DEPTH);
    int pa = aOpen ? a.size() - 1 : a.size(); // fixed prefix of a
    int pb = bOpen ? b.size() - 1 : b.size();
    List<String> out = new java.util.ArrayList<>(Math.max(a.size(), b.size()));
    for (int i = 0; i < Math.min(pa, pb); i++) {
      String x = a.get(i);
      String y = b.get(i);
      if (x.equals(y) || y.equals(ANY)) {
        out.add(x);
      } else if (x.equals(ANY)) {
        out.add(y);
      } else {
        return null;
      }
    }
    if (pa == pb) {
      if (aOpen && bOpen) {
        out.add(ANY_DEPTH);
      }
    } else if (pa < pb) {
      if (!aOpen) {
        return null; // a is exactly pa segments long, b at least pb
      }
      out.addAll(b.subList(pa, b.size()));
    } else {
      if (!bOpen) {
        return null;
      }
      out.addAll(a.subList(pb, a.size()));
    }
    return out;
  }

  @Override
  public String toString() {
    return action + ":" + String.join("/", segments);
  }
}
