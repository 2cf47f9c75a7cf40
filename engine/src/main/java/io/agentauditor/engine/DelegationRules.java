package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.model.Scope;
import io.agentauditor.model.Step;
import io.agentauditor.policy.BuiltinRule;
import java.util.List;

/**
 * {@code AGENT_DELEGATED}: {@code scope-widening}, {@code delegation-cycle}, {@code
 * agent-reparented}, {@code delegation-depth} and {@code fan-out} (contract sections 4 and 5).
 */
final class DelegationRules {

  private DelegationRules() {}

  static Effect delegated(StepContext c, Step.AgentDelegated d) {
    String childId = d.childAgentId();
    AgentNode actorNode = c.path.get(c.path.size() - 1);
    List<Scope> delegatedScopes = null;
    boolean within = false;
    if (c.enabled(BuiltinRule.SCOPE_WIDENING)) {
      delegatedScopes = c.rules.scopes.parseAll(d.scopes());
      within = ChainChecks.scopeWidening(c, delegatedScopes);
    }
    // Found within every list of the actor's path, so within the actor's own list: while that list
    // stays the one it is now (its generation), a check of the child need not ask it nor, through
    // the actor's own mark, the lists above (ChainChecks.PathLists).
    long withinParent = within ? actorNode.generation : -1;
    List<Scope> parsed = delegatedScopes; // the child's list, with what its check showed
    List<String> pathIds = c.pathIds();
    boolean cycle = pathIds.contains(childId);
    AgentNode existing = c.view.agent(childId);
    boolean reparented = !cycle && existing != null && !c.actor.equals(existing.parent);
    if (cycle) {
      c.fire(
          BuiltinRule.DELEGATION_CYCLE,
          "delegating to "
              + childId
              + " would close a cycle: it is the actor or an ancestor on path "
              + String.join(" > ", pathIds));
    }
    if (reparented) {
      c.fire(
          BuiltinRule.AGENT_REPARENTED,
          childId + " already sits in the chain under " + existing.parent + ", not " + c.actor);
    }
    int childDepth = actorNode.depth + 1;
    int maxDepth = c.rules.settings.maxDelegationDepth();
    if (childDepth > maxDepth) {
      c.fire(
          BuiltinRule.DELEGATION_DEPTH,
          childId + " would sit at depth " + childDepth + ", above maxDelegationDepth " + maxDepth);
    }
    ChainChecks.fanOut(c);
    return () -> {
      // The chain stays a tree: a non-blocked cycle or re-parenting (FLAG or shadow) is
      // reported but leaves the child where it first sat.
      if (cycle || reparented) {
        return;
      }
      AgentNode child = existing;
      if (child == null) {
        child = new AgentNode(childId);
        child.parent = c.actor;
        child.depth = childDepth;
        child.number = (int) c.view.meta().agentCount++;
        c.view.metaChanged();
        child.generation = 0;
      } else {
        // Another list: marks of its children found against the one it replaces no longer hold.
        child.generation = Math.max(0L, child.generation + 1);
      }
      child.withinParent = withinParent;
      child.withinStamp = c.rules.coverageStamp;
      child.scopes = d.scopes();
      child.parsedScopes = parsed;
      c.view.putAgent(child);
    };
  }
}
