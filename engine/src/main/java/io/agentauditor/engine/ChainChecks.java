package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.Scope;
import io.agentauditor.policy.BuiltinRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks that several rule families share: {@code scope-widening} against the actor's effective
 * scopes, ancestry in the chain, and {@code fan-out}.
 */
final class ChainChecks {

  private ChainChecks() {}

  /** Fires {@code scope-widening} listing every scope of {@code requested} the actor can't cover. */
  static void scopeWidening(StepContext c, List<Scope> requested) {
    List<String> uncovered = null; // made for the first uncovered scope: most steps have none
    for (int i = 0; i < requested.size(); i++) {
      Scope r = requested.get(i);
      if (!effectiveCovers(c, r)) {
        if (uncovered == null) {
          uncovered = new ArrayList<>(2);
        }
        uncovered.add(r.toString());
      }
    }
    if (uncovered != null) {
      c.fire(
          BuiltinRule.SCOPE_WIDENING,
          "not within the effective scopes of " + c.actor + ": " + String.join(", ", uncovered));
    }
  }

  /** Whether {@code r} is within the actor's effective scopes (contract section 1). */
  private static boolean effectiveCovers(StepContext c, Scope r) {
    SessionMeta m = c.view.meta();
    if (m.parsedGranted == null) {
      m.parsedGranted = c.rules.scopes.parseAll(m.grantedScopes);
    }
    if (!c.rules.coversAny(m.parsedGranted, r)) {
      return false;
    }
    for (int i = 1; i < c.path.size(); i++) {
      AgentNode n = c.path.get(i);
      if (n.parsedScopes == null) {
        n.parsedScopes = c.rules.scopes.parseAll(n.scopes);
      }
      if (!c.rules.coversAny(n.parsedScopes, r)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code ancestor} is a strict ancestor of {@code agentId} in the chain. */
  static boolean isAncestor(StepContext c, String ancestor, String agentId) {
    AgentNode n = c.view.agent(agentId);
    int guard = 0;
    while (n != null && n.parent != null) {
      if (n.parent.equals(ancestor)) {
        return true;
      }
      n = c.view.agent(n.parent);
      if (++guard > 1_000_000) {
        throw new IllegalStateException("broken parent chain in session " + c.sessionId);
      }
    }
    return false;
  }

  /** Records this step for the actor's fan-out and fires when the window holds too many. */
  static void fanOut(StepContext c) {
    long t = c.t;
    long windowMillis = c.rules.windowMillis;
    long[] old = c.view.fanOut(c.actor);
    if (old == null) {
      old = new long[0];
    }
    long latest = t;
    int count = 1;
    for (long x : old) {
      latest = Math.max(latest, x);
      if (t - windowMillis < x && x <= t) {
        count++;
      }
    }
    // Keep what a step at the latest time can still count; a step arriving a whole window late
    // sees a lower bound.
    long[] kept = new long[old.length + 1];
    int n = 0;
    for (long x : old) {
      if (x > latest - windowMillis) {
        kept[n++] = x;
      }
    }
    if (t > latest - windowMillis) {
      kept[n++] = t;
    }
    int fanOutKept = c.rules.fanOutKept;
    if (n > fanOutKept) {
      // Thousands of steps in one window would make every step rewrite them all. The latest
      // fanOut.max + 1 tell an in-order step whether the window holds more than fanOut.max; a
      // step arriving late already sees a lower bound, now one from the latest kept only.
      Arrays.sort(kept, 0, n);
      System.arraycopy(kept, n - fanOutKept, kept, 0, fanOutKept);
      n = fanOutKept;
    }
    c.view.writeFanOut(c.actor, kept, n);
    int max = c.rules.settings.fanOutMax();
    if (count > max) {
      c.fire(
          BuiltinRule.FAN_OUT,
          c.actor
              + " made "
              + count
              + " delegations and credential issuances within "
              + c.rules.settings.fanOutWindowSeconds()
              + "s, above fanOut.max "
              + max);
    }
  }
}
