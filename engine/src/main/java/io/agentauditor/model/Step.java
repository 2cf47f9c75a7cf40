package io.agentauditor.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One agent event (contract section 2): what every input (JSON Lines, Avro, the gateway API) is
 * mapped to before the engine decides it. One record per event type; all are immutable.
 *
 * <p>The constructors are section 2's validation, the one place it lives: each checks the common
 * fields, then its payload's fields, in contract order, and throws {@link InvalidStepException}
 * naming the first field that breaks a rule (ids non-empty, required fields non-null, no unpaired
 * UTF-16 surrogate in any string, scopes in section 3's grammar, integers in range, {@code
 * occurredAt} within years 0000 to 9999, an {@code eventId} not ending with {@link
 * #IDLE_TIMEOUT_SUFFIX}) or a field limit of {@link Limits}. The record-size limit is the codecs'
 * ({@link Limits#checkRecordBytes}). Codecs check only what their form adds (JSON types,
 * duplicate keys, unknown enum symbols, which payload is present). Lists and maps are copied; the
 * arguments keep their order.
 */
public sealed interface Step {

  /** The earliest {@code occurredAt} a step may carry: 0000-01-01T00:00:00Z, in epoch millis. */
  long MIN_OCCURRED_AT = -62_167_219_200_000L;

  /** The latest {@code occurredAt} a step may carry: 9999-12-31T23:59:59.999Z, in epoch millis. */
  long MAX_OCCURRED_AT = 253_402_300_799_999L;

  /**
   * Suffix of the {@code eventId} of idle-timeout decisions (contract 9.3); an input event's id
   * must not end with it (section 2, v2), so no event can pass for an idle timeout.
   */
  String IDLE_TIMEOUT_SUFFIX = "#idle-timeout";

  /** Unique within its session; the key of retries (contract section 4). */
  String eventId();

  /** The session, and the partition key. */
  String sessionId();

  /** The actor. */
  String agentId();

  /** When the step happened, in epoch milliseconds (UTC). */
  long occurredAtMillis();

  /** The type, one per record class. */
  EventType type();

  /** {@code SESSION_STARTED}: creates the session with {@code agentId} as its root agent. */
  record SessionStarted(
      String eventId,
      String sessionId,
      String agentId,
      long occurredAtMillis,
      String initiator,
      List<String> grantedScopes,
      String intent)
      implements Step {
    public SessionStarted {
      Fields.common(eventId, sessionId, agentId, occurredAtMillis);
      Fields.freeText(initiator, "session.initiator");
      grantedScopes = Fields.scopes(grantedScopes, "session.grantedScopes");
      Fields.optionalFreeText(intent, "session.intent");
    }

    @Override
    public EventType type() {
      return EventType.SESSION_STARTED;
    }
  }

  /** {@code AGENT_DELEGATED}: the actor delegates {@code scopes} to {@code childAgentId}. */
  record AgentDelegated(
      String eventId,
      String sessionId,
      String agentId,
      long occurredAtMillis,
      String childAgentId,
      List<String> scopes,
      String purpose)
      implements Step {
    public AgentDelegated {
      Fields.common(eventId, sessionId, agentId, occurredAtMillis);
      Fields.id(childAgentId, "delegation.childAgentId");
      scopes = Fields.scopes(scopes, "delegation.scopes");
      Fields.optionalFreeText(purpose, "delegation.purpose");
    }

    @Override
    public EventType type() {
      return EventType.AGENT_DELEGATED;
    }
  }

  /**
   * {@code TOOL_CALL}: the actor calls {@code tool}, optionally presenting {@code credentialId}
   * (null when none).
   */
  record ToolCall(
      String eventId,
      String sessionId,
      String agentId,
      long occurredAtMillis,
      String tool,
      Map<String, String> arguments,
      String credentialId)
      implements Step {
    public ToolCall {
      Fields.common(eventId, sessionId, agentId, occurredAtMillis);
      Fields.tool(tool, "toolCall.tool");
      arguments = Fields.arguments(arguments, "toolCall.arguments");
      if (credentialId != null) {
        Fields.id(credentialId, "toolCall.credentialId");
      }
    }

    @Override
    public EventType type() {
      return EventType.TOOL_CALL;
    }
  }

  /**
   * {@code CREDENTIAL_ISSUED}: the actor (the issuer) issues a credential to {@code
   * subjectAgentId}; {@code ttlSeconds} null means it never expires.
   */
  record CredentialIssued(
      String eventId,
      String sessionId,
      String agentId,
      long occurredAtMillis,
      String credentialId,
      String subjectAgentId,
      List<String> scopes,
      CredentialKind kind,
      Integer ttlSeconds,
      CredentialStorage storage)
      implements Step {
    public CredentialIssued {
      Fields.common(eventId, sessionId, agentId, occurredAtMillis);
      Fields.id(credentialId, "credential.credentialId");
      Fields.id(subjectAgentId, "credential.subjectAgentId");
      scopes = Fields.scopes(scopes, "credential.scopes");
      Fields.required(kind, "credential.kind");
      if (ttlSeconds != null) {
        Fields.atLeast(ttlSeconds, 0, "credential.ttlSeconds");
      }
      Fields.required(storage, "credential.storage");
    }

    @Override
    public EventType type() {
      return EventType.CREDENTIAL_ISSUED;
    }
  }

  /** {@code CREDENTIAL_REVOKED}: the actor revokes {@code credentialId}. */
  record CredentialRevoked(
      String eventId,
      String sessionId,
      String agentId,
      long occurredAtMillis,
      String credentialId,
      String reason)
      implements Step {
    public CredentialRevoked {
      Fields.common(eventId, sessionId, agentId, occurredAtMillis);
      Fields.id(credentialId, "revocation.credentialId");
      Fields.optionalFreeText(reason, "revocation.reason");
    }

    @Override
    public EventType type() {
      return EventType.CREDENTIAL_REVOKED;
    }
  }

  /**
   * {@code APPROVAL_GRANTED}: {@code approver} (a human) approves {@code scopes} for the whole
   * session for {@code ttlSeconds}, at the actor's request.
   */
  record ApprovalGranted(
      String eventId,
      String sessionId,
      String agentId,
      long occurredAtMillis,
      String approvalId,
      String approver,
      List<String> scopes,
      int ttlSeconds)
      implements Step {
    public ApprovalGranted {
      Fields.common(eventId, sessionId, agentId, occurredAtMillis);
      Fields.id(approvalId, "approval.approvalId");
      Fields.freeText(approver, "approval.approver");
      scopes = Fields.scopes(scopes, "approval.scopes");
      Fields.atLeast(ttlSeconds, 1, "approval.ttlSeconds");
    }

    @Override
    public EventType type() {
      return EventType.APPROVAL_GRANTED;
    }
  }

  /** {@code SESSION_ENDED}: closes the session; it carries no payload. */
  record SessionEnded(String eventId, String sessionId, String agentId, long occurredAtMillis)
      implements Step {
    public SessionEnded {
      Fields.common(eventId, sessionId, agentId, occurredAtMillis);
    }

    @Override
    public EventType type() {
      return EventType.SESSION_ENDED;
    }
  }

  /**
   * Section 2's field rules, shared by the records, with the field limits of {@link Limits}. A
   * reason for a limit names it, e.g. {@code toolCall.arguments: more than 64 entries (limit 64)}.
   */
  final class Fields {

    /** Reason of a required field that is null. */
    public static final String NULL = "required field is null";

    /** Reason of an id that is empty. */
    public static final String EMPTY_ID = "must not be empty";

    /** Reason of an {@code eventId} ending with {@link #IDLE_TIMEOUT_SUFFIX}. */
    public static final String RESERVED_EVENT_ID =
        "must not end with " + IDLE_TIMEOUT_SUFFIX + " (reserved for idle-timeout decisions)";

    private Fields() {}

    static void common(String eventId, String sessionId, String agentId, long occurredAt) {
      id(eventId, "eventId");
      if (eventId.endsWith(IDLE_TIMEOUT_SUFFIX)) {
        throw new InvalidStepException("eventId", RESERVED_EVENT_ID);
      }
      id(sessionId, "sessionId");
      id(agentId, "agentId");
      if (occurredAt < MIN_OCCURRED_AT || occurredAt > MAX_OCCURRED_AT) {
        throw new InvalidStepException(
            "occurredAt", "not a millisecond instant within years 0000-9999");
      }
    }

    static void required(Object value, String path) {
      if (value == null) {
        throw new InvalidStepException(path, NULL);
      }
    }

    static void id(String value, String path) {
      text(value, path);
      if (value.isEmpty()) {
        throw new InvalidStepException(path, EMPTY_ID);
      }
      atMostBytes(value, Limits.MAX_ID_BYTES, "id", path);
    }

    static void tool(String value, String path) {
      text(value, path);
      atMostBytes(value, Limits.MAX_TOOL_BYTES, "tool name", path);
    }

    static void freeText(String value, String path) {
      text(value, path);
      atMostBytes(value, Limits.MAX_TEXT_BYTES, "free text", path);
    }

    static void optionalFreeText(String value, String path) {
      if (value != null) {
        freeText(value, path);
      }
    }

    private static void text(String value, String path) {
      required(value, path);
      checkText(value, path);
    }

    private static void atMostBytes(String value, int limit, String what, String path) {
      if (Limits.utf8LongerThan(value, limit)) {
        throw new InvalidStepException(
            path, what + " longer than " + limit + " bytes of UTF-8 (limit " + limit + ")");
      }
    }

    static void atLeast(int value, int min, String path) {
      if (value < min) {
        throw new InvalidStepException(
            path, "integer out of range [" + min + ", " + Integer.MAX_VALUE + "]");
      }
    }

    static List<String> scopes(List<String> scopes, String path) {
      required(scopes, path);
      if (scopes.size() > Limits.MAX_SCOPES) {
        throw new InvalidStepException(
            path,
            "more than " + Limits.MAX_SCOPES + " scopes (limit " + Limits.MAX_SCOPES + ")");
      }
      for (int i = 0; i < scopes.size(); i++) {
        String s = scopes.get(i);
        if (s == null) {
          throw new InvalidStepException(FieldPath.index(path, i), "expected string, got null");
        }
        // Before the grammar, so an oversized scope costs no parse.
        atMostBytes(s, Limits.MAX_SCOPE_BYTES, "scope", FieldPath.index(path, i));
        Scope parsed;
        try {
          parsed = Scope.parse(s);
        } catch (ScopeSyntaxException e) {
          throw new InvalidStepException(FieldPath.index(path, i), e.getMessage());
        }
        if (parsed.segments().size() > Limits.MAX_SCOPE_SEGMENTS) {
          throw new InvalidStepException(
              FieldPath.index(path, i),
              "scope with more than "
                  + Limits.MAX_SCOPE_SEGMENTS
                  + " segments (limit "
                  + Limits.MAX_SCOPE_SEGMENTS
                  + ")");
        }
      }
      return List.copyOf(scopes);
    }

    static Map<String, String> arguments(Map<String, String> arguments, String path) {
      required(arguments, path);
      if (arguments.size() > Limits.MAX_ARGUMENTS) {
        throw new InvalidStepException(
            path,
            "more than " + Limits.MAX_ARGUMENTS + " entries (limit " + Limits.MAX_ARGUMENTS + ")");
      }
      Map<String, String> copy = new LinkedHashMap<>(Math.max(4, arguments.size() * 2));
      for (Map.Entry<String, String> a : arguments.entrySet()) {
        String key = a.getKey();
        if (key == null) {
          throw new InvalidStepException(path, "null key");
        }
        String keyPath = FieldPath.child(path, key);
        checkText(key, keyPath);
        atMostBytes(key, Limits.MAX_ARGUMENT_NAME_BYTES, "argument name", keyPath);
        if (a.getValue() == null) {
          throw new InvalidStepException(keyPath, "expected string, got null");
        }
        checkText(a.getValue(), keyPath);
        atMostBytes(a.getValue(), Limits.MAX_ARGUMENT_VALUE_BYTES, "argument value", keyPath);
        copy.put(key, a.getValue());
      }
      return Collections.unmodifiableMap(copy);
    }

    /**
     * Rejects unpaired UTF-16 surrogates: they have no UTF-8 form, so two different ids could
     * collapse into one once encoded. Public for the codecs, which hold every string they keep to
     * the same rule.
     *
     * @throws InvalidStepException naming {@code path} when {@code s} holds one
     */
    public static void checkText(String s, String path) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
          if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            i++;
          } else {
            throw new InvalidStepException(path, "string has an unpaired UTF-16 surrogate");
          }
        }
      }
    }
  }
}
