package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Scope;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.BuiltinRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything about deciding one (non-retry) step: the step, its session's state, the findings so
 * far, and what the step is about for custom rules. The rule families read and add to it; the
 * orchestrator turns it into a {@link Decision}.
 *
 * <p>Findings are listed in the order of the rule table ({@link BuiltinRule}, then the bundle's
 * custom rules in bundle order), whatever order the families add them in; several findings of one
 * rule ({@code credential-not-revoked}) keep the order they were added in.
 */
final class StepContext {

  final CompiledPolicy rules;
  final Step step;
  final long t;
  final long streamTime;
  final EngineMeta engineMeta;
  final StateStore store;
  final List<CredentialChange> changes;
  final String sessionId;
  final String actor;
  final SessionView view;
  /** The actor's path, root first; null while unknown (no session, or the actor is not in it). */
  List<AgentNode> path;
  // What the step is about, for custom rules (CustomRuleContext); set by the rule families.
  ToolCatalog.Tool tool;
  String toolName;
  List<Scope> required = List.of();
  CredentialRecord credential;

  // A list of its own from the first finding on: most steps have none.
  private List<Finding> findings = List.of();
  private int[] ranks;

  StepContext(
      CompiledPolicy rules,
      Step step,
      EngineMeta engineMeta,
      StateStore store,
      List<CredentialChange> changes) {
    this.rules = rules;
    this.step = step;
    this.t = step.occurredAtMillis();
    this.engineMeta = engineMeta;
    this.streamTime = engineMeta.streamTime;
    this.store = store;
    this.changes = changes;
    this.sessionId = step.sessionId();
    this.actor = step.agentId();
    this.view = new SessionView(store, sessionId);
  }

  /** Adds the finding of {@code rule} as configured, unless the rule is switched off. */
  void fire(BuiltinRule rule, String message) {
    fire(rule, message, null);
  }

  void fire(BuiltinRule rule, String message, String credentialId) {
    Finding f = rules.finding(rule, message, credentialId);
    if (f != null) {
      add(f, rule.ordinal());
    }
  }

  boolean enabled(BuiltinRule rule) {
    return rules.enabled(rule);
  }

  /**
   * Adds {@code f} at rank {@code rank}: a built-in's ordinal, or past the built-ins for custom
   * rules.
   */
  void add(Finding f, int rank) {
    if (findings.isEmpty()) {
      findings = new ArrayList<>(2);
      ranks = new int[2];
    }
    int n = findings.size();
    if (n == ranks.length) {
      ranks = java.util.Arrays.copyOf(ranks, n * 2);
    }
    // Insertion keeps the list sorted by rank, stable for equal ranks; lists are a few long.
    int at = n;
    while (at > 0 && ranks[at - 1] > rank) {
      at--;
    }
    System.arraycopy(ranks, at, ranks, at + 1, n - at);
    ranks[at] = rank;
    findings.add(at, f);
  }

  List<Finding> findings() {
    return findings;
  }

  Verdict verdict() {
    return Decision.verdictOf(findings);
  }

  /** The ids of {@link #path}, as the immutable list a {@link Decision} keeps without copying. */
  List<String> pathIds() {
    if (path == null) {
      return List.of();
    }
    String[] ids = new String[path.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = path.get(i).id;
    }
    return List.of(ids);
  }

  Decision decision(Verdict verdict) {
    return new Decision(
        step.eventId(),
        sessionId,
        actor,
        step.type(),
        t,
        verdict,
        findings,
        rules.identity,
        pathIds());
  }
}
