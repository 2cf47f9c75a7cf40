package io.agentauditor.serde;

import io.agentauditor.schema.AgentDelegated;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.ApprovalGranted;
import io.agentauditor.schema.CredentialIssued;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialRevoked;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.CredentialStatus;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.Finding;
import io.agentauditor.schema.RuleMode;
import io.agentauditor.schema.SessionStarted;
import io.agentauditor.schema.Severity;
import io.agentauditor.schema.ToolCall;
import io.agentauditor.schema.Verdict;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One filled-in instance of every generated record type, optional fields set and unset. */
final class SampleRecords {

  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private SampleRecords() {}

  static AgentEvent.Builder event(String eventId, EventType type) {
    return AgentEvent.newBuilder()
        .setEventId(eventId)
        .setSessionId("s1")
        .setAgentId("agent:planner")
        .setOccurredAt(T0)
        .setType(type);
  }

  static SessionStarted sessionStarted() {
    return SessionStarted.newBuilder()
        .setInitiator("user:alice@acme.io")
        .setGrantedScopes(List.of("read:repo/acme/**", "write:repo/acme/api"))
        .setIntent("fix flaky test")
        .build();
  }

  static AgentDelegated delegated() {
    return AgentDelegated.newBuilder().setChildAgentId("agent:coder").setScopes(List.of("write:repo/acme/api")).build();
  }

  static ToolCall toolCall() {
    Map<String, String> arguments = new LinkedHashMap<>();
    arguments.put("repo", "acme/api");
    arguments.put("path", "src/a.py");
    arguments.put("content", "print(\"ünïcode ✓\")");
    return ToolCall.newBuilder().setTool("repo.write_file").setArguments(arguments).setCredentialId("cred-1").build();
  }

  static CredentialIssued credentialIssued() {
    return CredentialIssued.newBuilder()
        .setCredentialId("cred-1")
        .setSubjectAgentId("agent:coder")
        .setScopes(List.of())
        .setKind(CredentialKind.SHORT_LIVED_TOKEN)
        .setTtlSeconds(Integer.MAX_VALUE)
        .setStorage(CredentialStorage.MEMORY)
        .build();
  }

  static CredentialRevoked revoked() {
    return CredentialRevoked.newBuilder().setCredentialId("cred-1").setReason("done").build();
  }

  static ApprovalGranted approval() {
    return ApprovalGranted.newBuilder()
        .setApprovalId("ap-1")
        .setApprover("user:bob@acme.io")
        .setScopes(List.of("write:deploy/prod/api"))
        .setTtlSeconds(600)
        .build();
  }

  static Finding finding() {
    return Finding.newBuilder()
        .setRuleId("long-lived-credential")
        .setAction(Verdict.BLOCK)
        .setMode(RuleMode.SHADOW)
        .setSeverity(Severity.HIGH)
        .setMessage("ttlSeconds 2147483647 > 3600")
        .setReferences(List.of("OWASP-NHI:NHI7"))
        .setCredentialId("cred-1")
        .build();
  }

  static Decision decision() {
    return Decision.newBuilder()
        .setEventId("e4")
        .setSessionId("s1")
        .setAgentId("agent:planner")
        .setType(EventType.CREDENTIAL_ISSUED)
        .setOccurredAt(T0.plusMillis(1_234))
        .setVerdict(Verdict.BLOCK)
        .setFindings(List.of(finding()))
        .setPolicy("default@0.1.0+sha256:00ff")
        .setPath(List.of("agent:planner"))
        .build();
  }

  static CredentialState credentialState() {
    return CredentialState.newBuilder()
        .setCredentialId("cred-1")
        .setSessionId("s1")
        .setIssuerAgentId("agent:planner")
        .setSubjectAgentId("agent:coder")
        .setScopes(List.of("write:repo/acme/api"))
        .setKind(CredentialKind.API_KEY)
        .setStorage(CredentialStorage.SECRETS_MANAGER)
        .setStatus(CredentialStatus.REVOKED)
        .setIssuedAt(T0)
        .setExpiresAt(null)
        .setRevokedAt(T0.plusSeconds(60))
        .setRevokedBy("agent:planner")
        .setLastUsedAt(T0.plusSeconds(30))
        .setUseCount(3)
        .setLastEventAt(T0.plusSeconds(60))
        .setPolicy("default@0.1.0+sha256:00ff")
        .build();
  }

  /** Every event type with its payload, SESSION_ENDED with none. */
  static List<AgentEvent> everyEventType() {
    return List.of(
        event("e1", EventType.SESSION_STARTED).setSession(sessionStarted()).build(),
        event("e2", EventType.AGENT_DELEGATED).setDelegation(delegated()).build(),
        event("e3", EventType.TOOL_CALL).setToolCall(toolCall()).build(),
        event("e4", EventType.CREDENTIAL_ISSUED).setCredential(credentialIssued()).build(),
        event("e5", EventType.CREDENTIAL_REVOKED).setRevocation(revoked()).build(),
        event("e6", EventType.APPROVAL_GRANTED).setApproval(approval()).build(),
        event("e7", EventType.SESSION_ENDED).build());
  }
}
