package io.agentauditor.policy;

import io.agentauditor.model.Scope;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the bundle's {@code boundaries} (contract sections 5 and 8): the most an agent whose
 * id matches {@code agents} may be granted in a session it starts as root, like a permission
 * boundary. Immutable.
 *
 * @param agents an agent-id pattern: {@code *} matches any run of characters (none included),
 *     every other character only itself; not null, not empty
 * @param scopes the boundary; {@code grant-exceeds-boundary} fires when a grant is not covered by
 *     them (section 3, lattice included); may be empty (nothing may be granted)
 */
public record AgentBoundary(String agents, List<Scope> scopes) {

  public AgentBoundary {
    Objects.requireNonNull(agents, "agents");
    if (agents.isEmpty()) {
      throw new IllegalArgumentException("empty agent pattern");
    }
    scopes = List.copyOf(scopes);
  }

  /** Whether {@code agentId} matches the pattern as a whole. Linear in practice, at worst O(n·m). */
  public boolean matches(String agentId) {
    String p = agents;
    int i = 0; // in agentId
    int j = 0; // in p
    int star = -1; // the last '*' seen in p
    int resume = 0; // where in agentId that '*' would match up to, on backtracking
    while (i < agentId.length()) {
      if (j < p.length() && p.charAt(j) == '*') {
        star = j++;
        resume = i;
      } else if (j < p.length() && p.charAt(j) == agentId.charAt(i)) {
        i++;
        j++;
      } else if (star >= 0) {
        j = star + 1;
        i = ++resume;
      } else {
        return false;
      }
    }
    while (j < p.length() && p.charAt(j) == '*') {
      j++;
    }
    return j == p.length();
  }

  /** The first of {@code boundaries} that matches {@code agentId} (the one that applies), or null. */
  public static AgentBoundary applying(List<AgentBoundary> boundaries, String agentId) {
    for (AgentBoundary b : boundaries) {
      if (b.matches(agentId)) {
        return b;
      }
    }
    return null;
  }
}
