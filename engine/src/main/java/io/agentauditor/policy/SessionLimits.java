package io.agentauditor.policy;

/**
 * The session limits of contract section 4 (v2), the bundle's {@code settings.limits}: what one
 * session may hold. A step that would take its session past one is blocked by the gate rule {@code
 * session-limit}. Together with section 2's input limits they bound what any one step costs.
 *
 * @param maxAgents agents of the chain, the root included; at least 1
 * @param maxDepth the depth of the deepest agent (root = 0); at least 0
 * @param maxCredentials credentials recorded in the session; at least 0
 * @param maxApprovals approvals recorded in the session, expired ones included; at least 0
 */
public record SessionLimits(int maxAgents, int maxDepth, int maxCredentials, int maxApprovals) {

  public SessionLimits {
    if (maxAgents < 1 || maxDepth < 0 || maxCredentials < 0 || maxApprovals < 0) {
      throw new IllegalArgumentException(
          "session limits out of range: maxAgents "
              + maxAgents
              + " (at least 1), maxDepth "
              + maxDepth
              + ", maxCredentials "
              + maxCredentials
              + ", maxApprovals "
              + maxApprovals
              + " (at least 0)");
    }
  }

  /** The contract's defaults: 256 agents, depth 16, 1,024 credentials, 256 approvals. */
  public static SessionLimits defaults() {
    return new SessionLimits(256, 16, 1024, 256);
  }
}
