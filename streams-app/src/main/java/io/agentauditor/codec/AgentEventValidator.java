package io.agentauditor.codec;

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

/**
 * Checks an in-memory {@link AgentEvent} (built in code, or decoded from Avro binary, where the
 * schema cannot say everything) against the rules of contract section 2 that survive typing: ids
 * non-empty, the type and enum values known ({@code UNRECOGNIZED} is not), exactly the payload of
 * the type, required fields non-null, scopes well-formed, {@code ttlSeconds} in range, {@code
 * occurredAt} a millisecond instant within years 0000–9999, no unpaired surrogate in any string.
 * Paths and reasons are those of {@link EventJsonCodec#decode(String)}.
 */
public final class AgentEventValidator {

  private AgentEventValidator() {}

  /**
   * Validates {@code event}.
   *
   * @throws InvalidEventException naming the first field, in contract order, that breaks a rule
   */
  public static void validate(AgentEvent event) {
    try {
      check(event);
    } catch (FieldError e) {
      throw new InvalidEventException(e.path(), e.reason());
    }
  }

  /** Whether {@code event} passes {@link #validate}. */
  public static boolean isValid(AgentEvent event) {
    try {
      check(event);
      return true;
    } catch (FieldError e) {
      return false;
    }
  }

  private static void check(AgentEvent e) {
    if (e == null) {
      throw new FieldError(JsonPaths.ROOT, "event is null");
    }
    id(e.getEventId(), "eventId");
    id(e.getSessionId(), "sessionId");
    id(e.getAgentId(), "agentId");
    Instant at = e.getOccurredAt();
    required(at, "occurredAt");
    if (at.getEpochSecond() < Rfc3339.MIN_MILLIS / 1000
        || at.getEpochSecond() > Rfc3339.MAX_MILLIS / 1000
        || at.getNano() % 1_000_000 != 0) {
      throw new FieldError("occurredAt", "not a millisecond instant within years 0000-9999");
    }
    EventType type = e.getType();
    required(type, "type");
    if (type == EventType.UNRECOGNIZED) {
      throw new FieldError("type", "unknown value \"UNRECOGNIZED\", expected one of "
          + EventJsonCodec.TYPES.keySet());
    }
    Object[] payloads = {
      e.getSession(), e.getDelegation(), e.getToolCall(), e.getCredential(), e.getRevocation(),
      e.getApproval()
    };
    for (int i = 0; i < payloads.length; i++) {
      if (payloads[i] != null && i != type.ordinal()) {
        throw new FieldError(
            EventJsonCodec.payloadKey(EventType.values()[i]),
            "payload of another type present (type is " + type + ")");
      }
    }
    if (type == EventType.SESSION_ENDED) {
      return;
    }
    if (payloads[type.ordinal()] == null) {
      throw new FieldError(
          EventJsonCodec.payloadKey(type), "payload of type " + type + " is missing");
    }
    switch (type) {
      case SESSION_STARTED -> {
        SessionStarted s = e.getSession();
        text(s.getInitiator(), "session.initiator");
        scopes(s.getGrantedScopes(), "session.grantedScopes");
        optional(s.getIntent(), "session.intent");
      }
      case AGENT_DELEGATED -> {
        AgentDelegated d = e.getDelegation();
        id(d.getChildAgentId(), "delegation.childAgentId");
        scopes(d.getScopes(), "delegation.scopes");
        optional(d.getPurpose(), "delegation.purpose");
      }
      case TOOL_CALL -> {
        ToolCall c = e.getToolCall();
        text(c.getTool(), "toolCall.tool");
        Map<String, String> arguments = c.getArguments();
        required(arguments, "toolCall.arguments");
        for (Map.Entry<String, String> a : arguments.entrySet()) {
          if (a.getKey() == null) {
            throw new FieldError("toolCall.arguments", "null key");
          }
          String path = JsonPaths.child("toolCall.arguments", a.getKey());
          StrictJson.checkText(a.getKey(), path);
          if (a.getValue() == null) {
            throw new FieldError(path, "expected string, got null");
          }
          StrictJson.checkText(a.getValue(), path);
        }
        if (c.getCredentialId() != null) {
          id(c.getCredentialId(), "toolCall.credentialId");
        }
      }
      case CREDENTIAL_ISSUED -> {
        CredentialIssued c = e.getCredential();
        id(c.getCredentialId(), "credential.credentialId");
        id(c.getSubjectAgentId(), "credential.subjectAgentId");
        scopes(c.getScopes(), "credential.scopes");
        required(c.getKind(), "credential.kind");
        if (c.getKind() == CredentialKind.UNRECOGNIZED) {
          throw new FieldError("credential.kind", "unknown value \"UNRECOGNIZED\", expected one of "
              + EventJsonCodec.KINDS.keySet());
        }
        if (c.getTtlSeconds() != null && c.getTtlSeconds() < 0) {
          throw new FieldError(
              "credential.ttlSeconds", "integer out of range [0, " + Integer.MAX_VALUE + "]");
        }
        required(c.getStorage(), "credential.storage");
        if (c.getStorage() == CredentialStorage.UNRECOGNIZED) {
          throw new FieldError("credential.storage", "unknown value \"UNRECOGNIZED\", expected one of "
              + EventJsonCodec.STORAGES.keySet());
        }
      }
      case CREDENTIAL_REVOKED -> {
        CredentialRevoked r = e.getRevocation();
        id(r.getCredentialId(), "revocation.credentialId");
        optional(r.getReason(), "revocation.reason");
      }
      case APPROVAL_GRANTED -> {
        ApprovalGranted a = e.getApproval();
        id(a.getApprovalId(), "approval.approvalId");
        text(a.getApprover(), "approval.approver");
        scopes(a.getScopes(), "approval.scopes");
        required(a.getTtlSeconds(), "approval.ttlSeconds");
        if (a.getTtlSeconds() < 1) {
          throw new FieldError(
              "approval.ttlSeconds", "integer out of range [1, " + Integer.MAX_VALUE + "]");
        }
      }
      default -> throw new IllegalStateException("unreachable: " + type);
    }
  }

  private static void required(Object value, String path) {
    if (value == null) {
      throw new FieldError(path, StrictJson.NULL);
    }
  }

  private static void text(String value, String path) {
    required(value, path);
    StrictJson.checkText(value, path);
  }

  private static void optional(String value, String path) {
    if (value != null) {
      StrictJson.checkText(value, path);
    }
  }

  private static void id(String value, String path) {
    text(value, path);
    if (value.isEmpty()) {
      throw new FieldError(path, StrictJson.EMPTY_ID);
    }
  }

  private static void scopes(List<String> scopes, String path) {
    required(scopes, path);
    for (int i = 0; i < scopes.size(); i++) {
      String s = scopes.get(i);
      if (s == null) {
        throw new FieldError(JsonPaths.index(path, i), "expected string, got null");
      }
      StrictJson.checkScope(s, path, i);
    }
  }
}
