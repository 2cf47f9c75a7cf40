package io.agentauditor.engine;

import io.agentauditor.schema.AgentDelegated;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.ApprovalGranted;
import io.agentauditor.schema.CredentialIssued;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialRevoked;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.SessionStarted;
import io.agentauditor.schema.ToolCall;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builds the events of one session; times are seconds after {@link #T0}; ids e1, e2, ... */
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

  private AgentEvent.Builder base(String agent, double at, EventType type) {
    return AgentEvent.newBuilder()
        .setEventId("e" + (++next))
        .setSessionId(sessionId)
        .setAgentId(agent)
        .setOccurredAt(Instant.ofEpochMilli(millis(at)))
        .setType(type);
  }

  AgentEvent start(String agent, double at, String... granted) {
    return base(agent, at, EventType.SESSION_STARTED)
        .setSession(
            SessionStarted.newBuilder().setInitiator("user:alice@acme.io").setGrantedScopes(List.of(granted)).build())
        .build();
  }

  AgentEvent delegate(String agent, double at, String child, String... scopes) {
    return base(agent, at, EventType.AGENT_DELEGATED)
        .setDelegation(AgentDelegated.newBuilder().setChildAgentId(child).setScopes(List.of(scopes)).build())
        .build();
  }

  AgentEvent issue(
      String agent,
      double at,
      String credentialId,
      String subject,
      Integer ttl,
      CredentialKind kind,
      CredentialStorage storage,
      String... scopes) {
    return base(agent, at, EventType.CREDENTIAL_ISSUED)
        .setCredential(
            CredentialIssued.newBuilder()
                .setCredentialId(credentialId)
                .setSubjectAgentId(subject)
                .setScopes(List.of(scopes))
                .setKind(kind)
                .setTtlSeconds(ttl)
                .setStorage(storage)
                .build())
        .build();
  }

  /** A short-lived token kept in memory, 15 minutes. */
  AgentEvent issue(String agent, double at, String credentialId, String subject, String... scopes) {
    return issue(
        agent, at, credentialId, subject, 900, CredentialKind.SHORT_LIVED_TOKEN, CredentialStorage.MEMORY, scopes);
  }

  AgentEvent tool(String agent, double at, String tool, Map<String, String> args, String credentialId) {
    return base(agent, at, EventType.TOOL_CALL)
        .setToolCall(ToolCall.newBuilder().setTool(tool).setArguments(args).setCredentialId(credentialId).build())
        .build();
  }

  AgentEvent tool(String agent, double at, String tool, Map<String, String> args) {
    return tool(agent, at, tool, args, null);
  }

  AgentEvent revoke(String agent, double at, String credentialId) {
    return base(agent, at, EventType.CREDENTIAL_REVOKED)
        .setRevocation(CredentialRevoked.newBuilder().setCredentialId(credentialId).build())
        .build();
  }

  AgentEvent approve(String agent, double at, String approver, int ttl, String... scopes) {
    return base(agent, at, EventType.APPROVAL_GRANTED)
        .setApproval(
            ApprovalGranted.newBuilder()
                .setApprovalId("a" + next)
                .setApprover(approver)
                .setScopes(List.of(scopes))
                .setTtlSeconds(ttl)
                .build())
        .build();
  }

  AgentEvent end(String agent, double at) {
    return base(agent, at, EventType.SESSION_ENDED).build();
  }
}
