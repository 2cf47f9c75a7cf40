package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.Decision;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Finding;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Step;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.policy.SessionLimits;
import java.time.Instant;

/**
 * The gate rules (contract section 5): tried in the rule table's order; the first that fires is
 * the step's only finding, and no other rule is evaluated.
 */
final class GateRules {

  private GateRules() {}

  /**
   * {@code event-id-reuse}, the first gate (contract sections 4 and 5): the step repeats the
   * (sessionId, eventId) of {@code first}, a decided event whose content differs. Its only finding;
   * the step reads the actor's path for the decision and changes nothing.
   */
  static Decision eventIdReuse(StepContext c, Decision first) {
    if (c.view.meta() != null) {
      c.path = c.view.path(c.actor);
    }
    return gate(
        c,
        BuiltinRule.EVENT_ID_REUSE,
        "event "
            + c.step.eventId()
            + " of session "
            + c.sessionId
            + " was already decided ("
            + first.type()
            + " by "
            + first.agentId()
            + " at "
            + Instant.ofEpochMilli(first.occurredAtMillis())
            + ": "
            + first.verdict()
            + ") with other content; a retry must repeat the content");
  }

  /**
   * The other gates, in order; the gated decision, or null when the step passes them; sets {@code
   * c.path} when known.
   */
  static Decision check(StepContext c) {
    SessionMeta meta = c.view.meta();
    if (c.step.type() == EventType.SESSION_STARTED) {
      if (meta != null) {
        c.path = c.view.path(c.actor);
        return gate(
            c,
            BuiltinRule.DUPLICATE_SESSION,
            "session " + c.sessionId + " already exists (root " + meta.rootAgentId + ")");
      }
      return null;
    }
    if (meta == null) {
      return gate(c, BuiltinRule.UNKNOWN_SESSION, "session " + c.sessionId + " was never started");
    }
    c.path = c.view.path(c.actor);
    if (meta.closed) {
      return gate(
          c,
          BuiltinRule.SESSION_CLOSED,
          "session " + c.sessionId + " closed at " + Instant.ofEpochMilli(meta.closedAt));
    }
    if (c.path == null) {
      return gate(
          c,
          BuiltinRule.UNKNOWN_AGENT,
          "agent " + c.actor + " is not in the chain of session " + c.sessionId);
    }
    String limit = sessionLimit(c, meta);
    if (limit != null) {
      return gate(c, BuiltinRule.SESSION_LIMIT, limit);
    }
    return null;
  }

  /**
   * Why the step would take its session past a limit of section 4 (v2), naming the limit, or null.
   * Only what an applied step would add counts: a delegation of a child not yet in the chain (one
   * agent, at the actor's depth + 1), an issuance of a new {@code credentialId}, any approval. A
   * delegation of an agent already in the chain adds none and moves none (a re-delegation by its
   * parent only replaces its scopes; a cycle or a re-parenting leaves the chain as it is), so it is
   * never over a limit.
   */
  private static String sessionLimit(StepContext c, SessionMeta meta) {
    SessionLimits limits = c.rules.settings.limits();
    Step s = c.step;
    if (s instanceof Step.AgentDelegated d) {
      String child = d.childAgentId();
      if (c.view.agent(child) != null) {
        return null;
      }
      if (meta.agentCount >= limits.maxAgents()) {
        return "delegating to "
            + child
            + " would add an agent to session "
            + c.sessionId
            + ", which holds "
            + meta.agentCount
            + ": limits.maxAgents is "
            + limits.maxAgents();
      }
      int depth = c.path.get(c.path.size() - 1).depth + 1;
      if (depth > limits.maxDepth()) {
        return child + " would sit at depth " + depth + ": limits.maxDepth is " + limits.maxDepth();
      }
    } else if (s instanceof Step.CredentialIssued e) {
      if (c.view.credential(e.credentialId()) == null
          && meta.credentialCount >= limits.maxCredentials()) {
        return "issuing credential "
            + e.credentialId()
            + " would add a credential to session "
            + c.sessionId
            + ", which holds "
            + meta.credentialCount
            + ": limits.maxCredentials is "
            + limits.maxCredentials();
      }
    } else if (s instanceof Step.ApprovalGranted a && meta.approvalCount >= limits.maxApprovals()) {
      return "approval "
          + a.approvalId()
          + " would add an approval to session "
          + c.sessionId
          + ", which holds "
          + meta.approvalCount
          + ": limits.maxApprovals is "
          + limits.maxApprovals();
    }
    return null;
  }

  private static Decision gate(StepContext c, BuiltinRule rule, String message) {
    RuleSettings rs = c.rules.settings(rule);
    // Gate rules can't be shadowed or switched off, whatever the bundle says.
    c.add(
        new Finding(
            rule.id(), rs.action(), RuleMode.ENFORCE, rs.severity(), message, rs.references(), null),
        rule.ordinal());
    return c.decision(c.verdict());
  }
}
