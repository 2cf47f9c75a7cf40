package io.agentauditor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
class AgentEventValidatorTest {

  private static AgentEvent valid(EventType type, String line) {
    AgentEvent e = EventJsonCodec.decode(line);
    assertThat(e.getType()).isEqualTo(type);
    return e;
  }

  private static void assertRejected(String line, Consumer<AgentEvent> breakIt, String message) {
    // Given a valid event broken in memory
    AgentEvent e = EventJsonCodec.decode(line);
    breakIt.accept(e);

    // When / Then both the validator and the encoder refuse it
    assertThat(AgentEventValidator.isValid(e)).isFalse();
    assertThatThrownBy(() -> AgentEventValidator.validate(e))
        .isInstanceOf(InvalidEventException.class).hasMessage(message);
    assertThatThrownBy(() -> EventJsonCodec.encode(e))
        .isInstanceOf(InvalidEventException.class).hasMessage(message);
  }

  @Test
  void shouldAcceptTheValidExamples() {
    assertThat(AgentEventValidator.isValid(valid(EventType.TOOL_CALL, EventJsonCodecTest.TOOL)))
        .isTrue();
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
    assertThatThrownBy(() -> AgentEventValidator.validate(null))
        .isInstanceOf(InvalidEventException.class).hasMessage("$: event is null");
  }
}
