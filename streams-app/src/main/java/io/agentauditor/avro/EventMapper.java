package io.agentauditor.avro;

import io.agentauditor.codec.InvalidEventException;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.InvalidStepException;
import io.agentauditor.model.Step;
import io.agentauditor.schema.AgentDelegated;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.ApprovalGranted;
import io.agentauditor.schema.CredentialIssued;
import io.agentauditor.schema.CredentialRevoked;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.SessionStarted;
import io.agentauditor.schema.ToolCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Maps the Avro {@link AgentEvent} (the record of the events topic) to the engine's {@link Step}
 * and back. Section 2's rules live in the {@link Step} constructors; this mapper adds only what the
 * Avro form can say that the model can't: the reader's default symbols ({@code UNRECOGNIZED}) for a
 * type or enum value a newer writer added, a payload of another type, a missing payload, an {@code
 * occurredAt} that is null or finer than milliseconds. Paths and reasons are those of
 * the JSON form ({@link io.agentauditor.codec.EventJsonCodec}). Stateless and thread-safe.
 */
public final class EventMapper {

  /** JSON keys of the payloads, indexed by the Avro {@link EventType#ordinal()}. */
  private static final String[] PAYLOAD_KEYS = {
    "session", "delegation", "toolCall", "credential", "revocation", "approval"
  };

  private EventMapper() {}

  /**
   * The step of {@code event}.
   *
   * @throws InvalidEventException naming the first field, in contract order, that breaks a rule
   */
  public static Step toStep(AgentEvent event) {
    try {
      return map(event);
    } catch (InvalidStepException e) {
      throw new InvalidEventException(e.path(), e.reason());
    }
  }

  /** Whether {@code event} maps to a step. */
  public static boolean isValid(AgentEvent event) {
    try {
      map(event);
      return true;
    } catch (InvalidStepException e) {
      return false;
    }
  }

  private static Step map(AgentEvent e) {
    if (e == null) {
      throw new InvalidStepException("$", "event is null");
    }
    try {
      return mapChecked(e);
    } catch (InvalidStepException refused) {
      // The common fields come first in contract order, but a valid event needs them checked only
      // once, by its step's constructor: an event refused here is checked for them first.
      new Step.SessionEnded(e.getEventId(), e.getSessionId(), e.getAgentId(), 0L);
      throw refused;
    }
  }

  /**
   * The step of {@code e}, or the first refusal of this mapper or of the step's constructor, which
   * checks the common fields before anything else.
   */
  private static Step mapChecked(AgentEvent e) {
    String eventId = e.getEventId();
    String sessionId = e.getSessionId();
    String agentId = e.getAgentId();
    long millis = occurredAt(e);
    EventType type = e.getType();
    if (type == null) {
      throw new InvalidStepException("type", Step.Fields.NULL);
    }
    if (type == EventType.UNRECOGNIZED) {
      throw unknown("type", EventType.values());
    }
    Object[] payloads = {
      e.getSession(), e.getDelegation(), e.getToolCall(), e.getCredential(), e.getRevocation(),
      e.getApproval()
    };
    for (int i = 0; i < payloads.length; i++) {
      if (payloads[i] != null && i != type.ordinal()) {
        throw new InvalidStepException(
            PAYLOAD_KEYS[i], "payload of another type present (type is " + type + ")");
      }
    }
    if (type != EventType.SESSION_ENDED && payloads[type.ordinal()] == null) {
      throw new InvalidStepException(
          PAYLOAD_KEYS[type.ordinal()], "payload of type " + type + " is missing");
    }
    switch (type) {
      case SESSION_STARTED -> {
        SessionStarted s = e.getSession();
        return new Step.SessionStarted(
            eventId, sessionId, agentId, millis, s.getInitiator(), s.getGrantedScopes(),
            s.getIntent());
      }
      case AGENT_DELEGATED -> {
        AgentDelegated d = e.getDelegation();
        return new Step.AgentDelegated(
            eventId, sessionId, agentId, millis, d.getChildAgentId(), d.getScopes(),
            d.getPurpose());
      }
      case TOOL_CALL -> {
        ToolCall c = e.getToolCall();
        return new Step.ToolCall(
            eventId, sessionId, agentId, millis, c.getTool(), c.getArguments(), c.getCredentialId());
      }
      case CREDENTIAL_ISSUED -> {
        CredentialIssued c = e.getCredential();
        if (c.getKind() == io.agentauditor.schema.CredentialKind.UNRECOGNIZED) {
          throw unknown("credential.kind", CredentialKind.values());
        }
        if (c.getStorage() == io.agentauditor.schema.CredentialStorage.UNRECOGNIZED) {
          throw unknown("credential.storage", CredentialStorage.values());
        }
        return new Step.CredentialIssued(
            eventId,
            sessionId,
            agentId,
            millis,
            c.getCredentialId(),
            c.getSubjectAgentId(),
            c.getScopes(),
            Symbols.map(c.getKind(), CredentialKind.class),
            c.getTtlSeconds(),
            Symbols.map(c.getStorage(), CredentialStorage.class));
      }
      case CREDENTIAL_REVOKED -> {
        CredentialRevoked r = e.getRevocation();
        return new Step.CredentialRevoked(
            eventId, sessionId, agentId, millis, r.getCredentialId(), r.getReason());
      }
      case APPROVAL_GRANTED -> {
        ApprovalGranted a = e.getApproval();
        return new Step.ApprovalGranted(
            eventId, sessionId, agentId, millis, a.getApprovalId(), a.getApprover(), a.getScopes(),
            a.getTtlSeconds());
      }
      case SESSION_ENDED -> {
        return new Step.SessionEnded(eventId, sessionId, agentId, millis);
      }
      default -> throw new IllegalStateException("unreachable: " + type);
    }
  }

  /**
   * The occurredAt of {@code e} in epoch millis: the model checks the range; an Instant can also
   * be null or finer than milliseconds.
   */
  private static long occurredAt(AgentEvent e) {
    Instant at = e.getOccurredAt();
    if (at == null) {
      throw new InvalidStepException("occurredAt", Step.Fields.NULL);
    }
    if (at.getNano() % 1_000_000 != 0
        || at.getEpochSecond() < Math.floorDiv(Step.MIN_OCCURRED_AT, 1000)
        || at.getEpochSecond() > Math.floorDiv(Step.MAX_OCCURRED_AT, 1000)) {
      throw new InvalidStepException(
          "occurredAt", "not a millisecond instant within years 0000-9999");
    }
    return at.toEpochMilli();
  }

  private static InvalidStepException unknown(String path, Enum<?>[] values) {
    return new InvalidStepException(
        path, "unknown value \"UNRECOGNIZED\", expected one of " + names(values));
  }

  private static String names(Enum<?>[] values) {
    List<String> names = new ArrayList<>(values.length);
    for (Enum<?> v : values) {
      if (!v.name().equals("UNRECOGNIZED")) {
        names.add(v.name());
      }
    }
    return names.toString();
  }

  /** The Avro record of {@code step}; lists and maps are copied, never shared. */
  public static AgentEvent toAvro(Step step) {
    AgentEvent.Builder b =
        AgentEvent.newBuilder()
            .setEventId(step.eventId())
            .setSessionId(step.sessionId())
            .setAgentId(step.agentId())
            .setOccurredAt(Instant.ofEpochMilli(step.occurredAtMillis()))
            .setType(EventType.valueOf(step.type().name()));
    if (step instanceof Step.SessionStarted s) {
      b.setSession(new SessionStarted(s.initiator(), new ArrayList<>(s.grantedScopes()), s.intent()));
    } else if (step instanceof Step.AgentDelegated d) {
      b.setDelegation(new AgentDelegated(d.childAgentId(), new ArrayList<>(d.scopes()), d.purpose()));
    } else if (step instanceof Step.ToolCall c) {
      b.setToolCall(new ToolCall(c.tool(), new LinkedHashMap<>(c.arguments()), c.credentialId()));
    } else if (step instanceof Step.CredentialIssued c) {
      b.setCredential(
          new CredentialIssued(
              c.credentialId(),
              c.subjectAgentId(),
              new ArrayList<>(c.scopes()),
              Symbols.map(c.kind(), io.agentauditor.schema.CredentialKind.class),
              c.ttlSeconds(),
              Symbols.map(c.storage(), io.agentauditor.schema.CredentialStorage.class)));
    } else if (step instanceof Step.CredentialRevoked r) {
      b.setRevocation(new CredentialRevoked(r.credentialId(), r.reason()));
    } else if (step instanceof Step.ApprovalGranted a) {
      b.setApproval(
          new ApprovalGranted(
              a.approvalId(), a.approver(), new ArrayList<>(a.scopes()), a.ttlSeconds()));
    }
    return b.build();
  }
}
