package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.Decision;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Finding;
import io.agentauditor.model.RuleMode;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.RuleSettings;
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
