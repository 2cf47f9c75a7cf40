package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * {@code covers(g, r)} of contract section 3 with g as its text, walked in place: what {@link
 * ActionLattice#covers} answers for the parsed g, without parsing it (no segment strings, no lists,
 * no hash). A list asked one or two scopes (a call by an agent at depth 16 after a restart: 17
 * lists of 128 scopes of 512 bytes, or a call needing one of 256 approvals) compares its texts so,
 * and is parsed only when asked enough to be worth an index ({@link ScopeList}). A list read from
 * the store is compared as the bytes its record holds ({@link #covers(ActionLattice, byte[], int,
 * int, Requested)}), from the first segment it doesn't share with the requested scope.
 */
final class ScopeText {

  private ScopeText() {}

  /** Whether the scope {@code g} (a valid scope's text) covers {@code r} through {@code lattice}. */
  static boolean covers(ActionLattice lattice, String g, Scope r) {
    int colon = g.indexOf(':');
    String ra = r.action();
    boolean sameAction = colon == ra.length() && g.startsWith(ra);
    if (!sameAction && !lattice.implies(g.substring(0, colon), ra)) {
      return false;
    }
    return resourceCovers(g, colon + 1, r.segments());
  }

  /**
   * {@link Scope#resourceCovers} with the granted resource as {@code g} from {@code start}: the
   * same conditions, each a reason to answer false, checked segment by segment as the walk reaches
   * them, so a literal that differs early ends the walk there.
   */
  private static boolean resourceCovers(String g, int start, List<String> requested) {
    boolean rOpen = requested.get(requested.size() - 1).equals(Scope.ANY_DEPTH);
    int p = rOpen ? requested.size() - 1 : requested.size(); // fixed prefix of r
    int end = g.length();
    int q = 0; // fixed prefix of g, so far
    boolean gOpen = false;
    for (int from = start; from <= end; ) {
      int slash = g.indexOf('/', from);
      int to = slash < 0 ? end : slash;
      int length = to - from;
      if (to == end && length == 2 && g.startsWith(Scope.ANY_DEPTH, from)) {
        gOpen = true;
        break;
      }
      boolean any = length == 1 && g.charAt(from) == '*';
      if (q < p) {
        String r = requested.get(q);
        if (!any && !(r.length() == length && g.startsWith(r, from))) {
          return false; // a literal covers only the same literal, never a wildcard
        }
      } else if (!any) {
        return false; // past r's fixed part: r's ** expansion or r's end
      }
      q++;
      from = to + 1;
    }
    if (rOpen && !gOpen) {
      return false; // r matches unboundedly long resources, g a fixed length
    }
    return gOpen ? q <= (rOpen ? Math.max(p, 1) : p) : q == p;
  }

  /**
   * A requested scope's text as bytes (scopes are ASCII, contract section 3), made once for the
   * lists a check asks it of, so a list read from the store is compared in place, its bytes never
   * made into strings.
   */
  static final class Requested {
    final Scope scope;
    final byte[] action;
    /** The resource's segments joined by {@code /}. */
    final byte[] resource;
    /** Where each segment of {@link #resource} starts and ends. */
    private final int[] starts;
    private final int[] ends;
    final boolean open;
    /** Segments before a trailing {@code **}, or all of them. */
    final int fixed;

    Requested(Scope r) {
      this.scope = r;
      this.action = r.action().getBytes(StandardCharsets.UTF_8);
      List<String> segs = r.segments();
      this.resource = String.join("/", segs).getBytes(StandardCharsets.UTF_8);
      this.starts = new int[segs.size()];
      this.ends = new int[segs.size()];
      int at = 0;
      for (int i = 0; i < segs.size(); i++) {
        starts[i] = at;
        at += segs.get(i).getBytes(StandardCharsets.UTF_8).length;
        ends[i] = at;
        at++;
      }
      this.open = segs.get(segs.size() - 1).equals(Scope.ANY_DEPTH);
      this.fixed = open ? segs.size() - 1 : segs.size();
    }
  }

  /**
   * {@link #covers(ActionLattice, String, Scope)} of the scope whose UTF-8 text is {@code b[from,
   * from + length)}, without making it a string. The segments g shares with r from the start, byte
   * for byte (found by one vectorised {@link Arrays#mismatch}), pass the walk as they would one by
   * one (a literal covers the same literal, {@code *} covers {@code *}, and none of them is g's
   * last), so the walk starts at the first segment that differs.
   */
  static boolean covers(ActionLattice lattice, byte[] b, int from, int length, Requested r) {
    int end = from + length;
    // r's action has no ':', so g's first ':' ends the same action where r's ends.
    int colon = from + r.action.length;
    boolean sameAction = colon < end && b[colon] == ':' && Arrays.equals(b, from, colon, r.action, 0, r.action.length);
    if (!sameAction) {
      colon = indexOf(b, from, end, (byte) ':');
      if (colon < 0) {
        return covers(lattice, new String(b, from, length, StandardCharsets.UTF_8), r.scope);
      }
      if (!lattice.implies(new String(b, from, colon - from, StandardCharsets.UTF_8), r.scope.action())) {
        return false;
      }
    }
    int start = colon + 1;
    int m = Arrays.mismatch(b, start, end, r.resource, 0, r.resource.length);
    int shared = m < 0 ? end - start : m;
    int q = 0; // segments of r shared whole, each followed by '/' in both
    while (q + 1 < r.starts.length && r.starts[q + 1] <= shared) {
      q++;
    }
    int p = r.fixed;
    boolean gOpen = false;
    // Each segment is told by its first bytes, so the walk never looks for the '/' ending it: a
    // literal is r's literal only with r's bytes and then '/' or the end.
    for (int at = start + r.starts[q]; at <= end; ) {
      if (at == end) {
        return false; // an empty segment, which no valid scope has, covers nothing
      }
      int to;
      if (b[at] == '*' && at + 2 == end && b[at + 1] == '*') {
        gOpen = true;
        break;
      } else if (b[at] == '*' && (at + 1 == end || b[at + 1] == '/')) {
        to = at + 1; // *: any one segment
      } else if (q < p && literalAt(b, at, end, r.resource, r.starts[q], r.ends[q])) {
        to = at + r.ends[q] - r.starts[q];
      } else {
        // A literal covers only the same literal, never a wildcard; past r's fixed part (r's **
        // expansion or r's end) only * covers.
        return false;
      }
      q++;
      at = to + 1;
    }
    if (r.open && !gOpen) {
      return false; // r matches unboundedly long resources, g a fixed length
    }
    return gOpen ? q <= (r.open ? Math.max(p, 1) : p) : q == p;
  }

  /** Whether {@code b[at, end)} starts with the segment {@code r[from, to)}, then '/' or its end. */
  private static boolean literalAt(byte[] b, int at, int end, byte[] r, int from, int to) {
    int after = at + to - from;
    return after <= end && (after == end || b[after] == '/') && Arrays.equals(b, at, after, r, from, to);
  }

  private static int indexOf(byte[] b, int from, int end, byte x) {
    for (int i = from; i < end; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }
}
