package io.agentauditor.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.codec.EventJsonCodecTest;
import io.agentauditor.codec.InvalidEventException;
import io.agentauditor.schema.AgentDelegated;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.SessionStarted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Section 2 for events built in code or read from Avro binary, where typing cannot say it all. */
class EventMapperTest {

  private static AgentEvent valid(EventType type, String line) {
    AgentEvent e = EventMapper.toAvro(EventJsonCodec.decode(line));
    assertThat(e.getType()).isEqualTo(type);
    return e;
  }

  private static void assertRejected(String line, Consumer<AgentEvent> breakIt, String message) {
    // Given a valid event broken in memory
    AgentEvent e = EventMapper.toAvro(EventJsonCodec.decode(line));
    breakIt.accept(e);

    // When / Then the mapper refuses it with the JSON form's path and reason
    assertThat(EventMapper.isValid(e)).isFalse();
    assertThatThrownBy(() -> EventMapper.toStep(e))
        .isInstanceOf(InvalidEventException.class).hasMessage(message);
  }

  @Test
  void shouldAcceptTheValidExamples() {
    AgentEvent e = valid(EventType.TOOL_CALL, EventJsonCodecTest.TOOL);
    assertThat(EventMapper.isValid(e)).isTrue();
    assertThat(EventMapper.toStep(e)).isEqualTo(EventJsonCodec.decode(EventJsonCodecTest.TOOL));
  }

  @Test
  void shouldRejectWhatAvroCanCarryButSection2Forbids() {
    assertRejected(EventJsonCodecTest.ENDED, e -> e.setType(EventType.UNRECOGNIZED),
        "type: unknown value \"UNRECOGNIZED\", expected one of [SESSION_STARTED, AGENT_DELEGATED, "
            + "TOOL_CALL, CREDENTIAL_ISSUED, CREDENTIAL_REVOKED, APPROVAL_GRANTED, SESSION_ENDED]");
    assertRejected(EventJsonCodecTest.ISSUED, e -> e.getCredential().setKind(CredentialKind.UNRECOGNIZED),
        "credential.kind: unknown value \"UNRECOGNIZED\", expected one of [SHORT_LIVED_TOKEN, "
            + "OIDC_TOKEN, SPIFFE_SVID, API_KEY, STATIC_SECRET, PASSWORD, SSH_KEY]");
    assertRejected(EventJsonCodecTest.ENDED, e -> e.setSessionId(""), "sessionId: must not be empty");
    assertRejected(EventJsonCodecTest.TOOL,
        e -> e.setDelegation(new AgentDelegated("b", List.of(), null)),
        "delegation: payload of another type present (type is TOOL_CALL)");
    assertRejected(EventJsonCodecTest.ENDED,
        e -> e.setSession(new SessionStarted("u", List.of(), null)),
        "session: payload of another type present (type is SESSION_ENDED)");
    assertRejected(EventJsonCodecTest.TOOL, e -> e.setToolCall(null),
        "toolCall: payload of type TOOL_CALL is missing");
    assertRejected(EventJsonCodecTest.DELEGATED, e -> e.getDelegation().setScopes(List.of("a:b", "x")),
        "delegation.scopes[1]: malformed scope \"x\": expected ACTION:RESOURCE");
    assertRejected(EventJsonCodecTest.ISSUED, e -> e.getCredential().setTtlSeconds(-1),
        "credential.ttlSeconds: integer out of range [0, 2147483647]");
    assertRejected(EventJsonCodecTest.APPROVED, e -> e.getApproval().setTtlSeconds(0),
        "approval.ttlSeconds: integer out of range [1, 2147483647]");
    assertRejected(EventJsonCodecTest.ENDED, e -> e.setOccurredAt(Instant.parse("+10000-01-01T00:00:00Z")),
        "occurredAt: not a millisecond instant within years 0000-9999");
    assertRejected(EventJsonCodecTest.ENDED, e -> e.setAgentId(null), "agentId: required field is null");
    assertRejected(EventJsonCodecTest.TOOL, e -> e.getToolCall().getArguments().put("k", "\ud800"),
        "toolCall.arguments.k: string has an unpaired UTF-16 surrogate");
    assertRejected(EventJsonCodecTest.STARTED, e -> {
      List<String> scopes = new ArrayList<>();
      scopes.add(null);
      e.getSession().setGrantedScopes(scopes);
    }, "session.grantedScopes[0]: expected string, got null");
    assertThatThrownBy(() -> EventMapper.toStep(null))
        .isInstanceOf(InvalidEventException.class).hasMessage("$: event is null");
  }

  @Test
  void shouldNameABadIdBeforeAnyLaterRefusalAsContractOrderSays() {
    List<Consumer<AgentEvent>> laterBreaks = List.of(
        // put, not the setter, which truncates to milliseconds and refuses null
        e -> e.put("occurredAt", null),
        e -> e.put("occurredAt", Instant.parse("2026-11-26T10:00:00.000000001Z")),
        e -> e.setOccurredAt(Instant.parse("+10000-01-01T00:00:00Z")),
        e -> e.setType(null),
        e -> e.setType(EventType.UNRECOGNIZED),
        e -> e.setSession(new SessionStarted("u", List.of(), null)),
        e -> e.setCredential(null),
        e -> e.getCredential().setKind(CredentialKind.UNRECOGNIZED),
        e -> e.getCredential().setScopes(List.of("x")));
    for (Consumer<AgentEvent> later : laterBreaks) {
      // Given an event with a later field broken, alone or after an empty agentId
      Consumer<AgentEvent> both = later.andThen(e -> e.setAgentId(""));

      // When / Then the later refusal is named alone, the agentId before it
      assertThatThrownBy(() -> EventMapper.toStep(broken(EventJsonCodecTest.ISSUED, later)))
          .isInstanceOf(InvalidEventException.class)
          .message()
          .doesNotStartWith("agentId");
      assertRejected(EventJsonCodecTest.ISSUED, both, "agentId: must not be empty");
    }
  }

  private static AgentEvent broken(String line, Consumer<AgentEvent> breakIt) {
    AgentEvent e = EventMapper.toAvro(EventJsonCodec.decode(line));
    breakIt.accept(e);
    return e;
  }
}
