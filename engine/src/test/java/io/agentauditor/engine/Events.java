package io.agentauditor.engine;

import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Step;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builds the steps of one session; times are seconds after {@link #T0}; ids e1, e2, ... */
final class Events {

  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private final String sessionId;
  private int next;

  Events(String sessionId) {
    this.sessionId = sessionId;
  }

  static long millis(double seconds) {
    return T0.toEpochMilli() + Math.round(seconds * 1000);
  }

  private String nextId() {
    return "e" + (++next);
  }

  Step start(String agent, double at, String... granted) {
    return new Step.SessionStarted(
        nextId(), sessionId, agent, millis(at), "user:alice@acme.io", List.of(granted), null);
  }

  Step delegate(String agent, double at, String child, String... scopes) {
    return new Step.AgentDelegated(
        nextId(), sessionId, agent, millis(at), child, List.of(scopes), null);
  }

  Step issue(
      String agent,
      double at,
      String credentialId,
      String subject,
      Integer ttl,
      CredentialKind kind,
      CredentialStorage storage,
      String... scopes) {
    return new Step.CredentialIssued(
        nextId(), sessionId, agent, millis(at), credentialId, subject, List.of(scopes), kind, ttl,
        storage);
  }

  /** A short-lived token kept in memory, 15 minutes. */
  Step issue(String agent, double at, String credentialId, String subject, String... scopes) {
    return issue(
        agent, at, credentialId, subject, 900, CredentialKind.SHORT_LIVED_TOKEN, CredentialStorage.MEMORY, scopes);
  }

  Step tool(String agent, double at, String tool, Map<String, String> args, String credentialId) {
    return new Step.ToolCall(nextId(), sessionId, agent, millis(at), tool, args, credentialId);
  }

  Step tool(String agent, double at, String tool, Map<String, String> args) {
    return tool(agent, at, tool, args, null);
  }

  Step revoke(String agent, double at, String credentialId) {
    return new Step.CredentialRevoked(nextId(), sessionId, agent, millis(at), credentialId, null);
  }

  Step approve(String agent, double at, String approver, int ttl, String... scopes) {
    String id = nextId();
    return new Step.ApprovalGranted(
        id, sessionId, agent, millis(at), "a" + next, approver, List.of(scopes), ttl);
  }

  Step end(String agent, double at) {
    return new Step.SessionEnded(nextId(), sessionId, agent, millis(at));
  }
}
