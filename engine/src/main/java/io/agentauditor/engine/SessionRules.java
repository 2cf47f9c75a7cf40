package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.Approval;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Step;
import io.agentauditor.model.Scope;
import io.agentauditor.policy.AgentBoundary;
import io.agentauditor.policy.BuiltinRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The session's life: {@code SESSION_STARTED}, {@code APPROVAL_GRANTED} ({@code self-approval})
 * and {@code SESSION_ENDED} ({@code credential-not-revoked}), and closing a session, which the
 * idle timeout shares (contract sections 4, 5 and 9.3).
 */
final class SessionRules {

  private static final byte[] EMPTY = new byte[0];

  private SessionRules() {}

  static Effect started(StepContext c, Step.SessionStarted s) {
    if (c.enabled(BuiltinRule.GRANT_EXCEEDS_BOUNDARY)) {
      grantExceedsBoundary(c, s);
    }
    return () -> {
      SessionMeta m = new SessionMeta();
      m.rootAgentId = c.actor;
      m.initiator = s.initiator();
      m.grantedScopes = s.grantedScopes();
      m.startedAt = c.t;
      m.timer = c.t;
      m.agentCount = 1;
      m.handle = c.engineMeta.newSessionHandle();
      m.decisionsBeforeStart = StoredDecisions.anyUnderSessionId(c.store, c.sessionId);
      c.view.setMeta(m);
      StoredDecisions.sessionStarted(c.view, m.handle);
      AgentNode root = new AgentNode(c.actor);
      root.number = 0;
      root.generation = 0; // its list is the grant, which no step changes
      root.scopes = List.of();
      c.view.putAgent(root);
      c.store.put(StateKeys.timeIndex(StateKeys.TIMER_INDEX, c.t, c.sessionId), EMPTY);
      c.engineMeta.indexedTimer(c.t);
    };
  }

  /**
   * {@code grant-exceeds-boundary}: the first boundary whose pattern matches the root agent applies;
   * every granted scope must be covered by it (section 3, lattice included). No match, no check.
   */
  private static void grantExceedsBoundary(StepContext c, Step.SessionStarted s) {
    AgentBoundary boundary = AgentBoundary.applying(c.rules.policy.boundaries(), c.actor);
    if (boundary == null) {
      return;
    }
    List<String> outside = null;
    for (Scope r : c.rules.scopes.parseAll(s.grantedScopes())) {
      if (!c.rules.coversAny(boundary.scopes(), r)) {
        if (outside == null) {
          outside = new ArrayList<>(2);
        }
        outside.add(r.toString());
      }
    }
    if (outside != null) {
      c.fire(
          BuiltinRule.GRANT_EXCEEDS_BOUNDARY,
          "granted scopes not covered by the boundary of "
              + c.actor
              + " (agents '"
              + boundary.agents()
              + "'): "
              + String.join(", ", outside));
    }
  }

  static Effect approval(StepContext c, Step.ApprovalGranted a) {
    String agent = c.rules.enabled(BuiltinRule.SELF_APPROVAL) ? c.view.agentMatching(a.approver()) : null;
    if (agent != null) {
      c.fire(
          BuiltinRule.SELF_APPROVAL,
          "approval "
              + a.approvalId()
              + ": approver '"
              + a.approver()
              + "' is "
              + (agent.equals(a.approver()) ? "" : agent + ", ")
              + "an agent of this session's chain (compared trimmed, ASCII case folded)");
    }
    return () -> {
      c.view.addApproval(
          new Approval(
              a.approvalId(),
              a.approver(),
              c.actor,
              c.t,
              c.t + a.ttlSeconds() * 1000L,
              a.scopes()));
      c.view.meta().approvalCount++;
      c.view.metaChanged();
    };
  }

  static Effect ended(StepContext c) {
    List<CredentialRecord> all = c.view.allCredentials();
    for (Finding f : notRevoked(c.rules, all, c.t)) {
      c.add(f, BuiltinRule.CREDENTIAL_NOT_REVOKED.ordinal());
    }
    return () -> close(c.view, c.t, all, c.changes, c.engineMeta, c.rules);
  }

  /** One credential-not-revoked finding per credential live at {@code t}, in issuance order. */
  static List<Finding> notRevoked(
      CompiledPolicy rules, List<CredentialRecord> credentials, long t) {
    List<Finding> out = new ArrayList<>(0);
    for (CredentialRecord c : credentials) {
      if (!c.revoked() && !c.expiredAt(t)) {
        Finding f =
            rules.finding(
                BuiltinRule.CREDENTIAL_NOT_REVOKED,
                // The finding names the credential (credentialId), and the ledger its issuer and
                // subject: ids of up to 256 bytes each, repeated here, took a session end with
                // 1,024 live credentials past 1 MiB (contract 9.2).
                "credential neither revoked nor expired at session end",
                c.id);
        if (f != null) {
          out.add(f);
        }
      }
    }
    return out;
  }

  /** Closes a session at {@code t}: status, indexes, and EXPIRED for credentials that ran out. */
  static void close(
      SessionView view,
      long t,
      List<CredentialRecord> credentials,
      List<CredentialChange> changes,
      EngineMeta engineMeta,
      CompiledPolicy rules) {
    SessionMeta m = view.meta();
    if (!m.closed) {
      view.store().delete(StateKeys.timeIndex(StateKeys.TIMER_INDEX, m.timer, view.sessionId));
    }
    m.closed = true;
    m.closedAt = t;
    view.metaChanged();
    view.store().put(StateKeys.timeIndex(StateKeys.CLOSED_INDEX, t, view.sessionId), EMPTY);
    engineMeta.indexedClosed(t);
    for (CredentialRecord c : credentials) {
      if (c.reported == CredentialStatus.ACTIVE && c.revokedAt == null && c.expiredAt(t)) {
        c.reported = CredentialStatus.EXPIRED;
        view.putCredential(c);
        changes.add(CredentialRules.change(rules, view.sessionId, c, t));
      }
    }
  }
}
