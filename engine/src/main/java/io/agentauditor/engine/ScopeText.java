package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import java.util.List;

/**
 * {@code covers(g, r)} of contract section 3 with g as its text, walked in place: what {@link
 * ActionLattice#covers} answers for the parsed g, without parsing it (no segment strings, no lists,
 * no hash). A list asked one or two scopes (a call by an agent at depth 16 after a restart: 17
 * lists of 128 scopes of 512 bytes, or a call needing one of 256 approvals) compares its texts so,
 * and is parsed only when asked enough to be worth an index ({@link ScopeList}).
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
}
