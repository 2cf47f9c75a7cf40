package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.engine.StateRecords.Approval;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Decision;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Finding;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateCodecTest {

  @Test
  void shouldRoundTripADecisionExactly() {
    // Given
    Decision d =
        new Decision(
            "e1", "s1", "agent:é", EventType.TOOL_CALL, -5L, Verdict.FLAG,
            List.of(
                new Finding("fan-out", Verdict.FLAG, RuleMode.SHADOW, Severity.LOW, "m", List.of("A", "B"), null),
                new Finding("credential-not-revoked", Verdict.BLOCK, RuleMode.ENFORCE, Severity.CRITICAL, "x", List.of(), "c1")),
            "p@1+sha256:00", List.of("agent:r", "agent:é"));
    // When
    Decision back = StateCodec.decodeDecision(StateCodec.encodeDecision(d));
    // Then
    assertThat(back).isEqualTo(d);
  }

  @Test
  void shouldRoundTripAnApprovalWhoseScopesAreDecodedWhenFirstRead() {
    // Given
    Approval a = new Approval("ap1", "user:é", "agent:r", 5L, 86_400_005L, List.of("admin:ci/p1", "admin:repo/é/**"));
    // When
    Approval back = StateCodec.decodeApproval(StateCodec.encodeApproval(a));
    // Then: the fields, the scopes once read, and the same record written again
    assertThat(List.of(back.approvalId(), back.approver(), back.requester())).containsExactly("ap1", "user:é", "agent:r");
    assertThat(List.of(back.from(), back.until())).containsExactly(5L, 86_400_005L);
    assertThat(back.scopes()).isInstanceOf(EncodedStrings.class).containsExactly("admin:ci/p1", "admin:repo/é/**");
    assertThat(StateCodec.encodeApproval(back)).isEqualTo(StateCodec.encodeApproval(a));
  }

  @Test
  void shouldRoundTripACompactDecisionWhosePolicyIdentityIsNumberedInTheStore() {
    // Given
    InMemoryStateStore store = new InMemoryStateStore();
    Decision d =
        new Decision(
            "e1", "s1", "agent:é", EventType.TOOL_CALL, -5L, Verdict.FLAG,
            List.of(new Finding("fan-out", Verdict.FLAG, RuleMode.SHADOW, Severity.LOW, "m", List.of("A"), "c1")),
            "p@1+sha256:00", List.of("agent:r", "agent:é"));
    EngineMeta meta = EngineMeta.load(store);
    long first = meta.policyNumber(store, "p@1+sha256:00", StateCodec.identityHash("p@1+sha256:00"));
    meta.store(store);
    byte[] compact = StateCodec.encodeDecision(d, first);
    // When: a later engine with another bundle numbers its own identity
    EngineMeta later = EngineMeta.load(store);
    long again = later.policyNumber(store, "p@1+sha256:00", StateCodec.identityHash("p@1+sha256:00"));
    long second = later.policyNumber(store, "p@2+sha256:11", StateCodec.identityHash("p@2+sha256:11"));
    later.store(store);
    // Then
    assertThat(again).isEqualTo(first);
    assertThat(second).isNotEqualTo(first);
    assertThat(EngineMeta.load(store).policyNumber(store, "p@2+sha256:11", StateCodec.identityHash("p@2+sha256:11")))
        .isEqualTo(second);
    assertThat(StateCodec.decodeDecision(compact, "s1", "e1", store)).isEqualTo(d);
    assertThat(compact.length).isLessThan(StateCodec.encodeDecision(d).length - "p@1+sha256:00e1s1".length());
  }

  @Test
  void shouldKeepTheContentFingerprintInAVersionThreeDecisionRecordAndNoneInOlderOnes() {
    // Given
    InMemoryStateStore store = new InMemoryStateStore();
    Decision d =
        new Decision(
            "e1", "s1", "agent:a", EventType.TOOL_CALL, 7L, Verdict.ALLOW, List.of(), "p@1+sha256:00",
            List.of("agent:a"));
    EngineMeta meta = EngineMeta.load(store);
    long no = meta.policyNumber(store, "p@1+sha256:00", StateCodec.identityHash("p@1+sha256:00"));
    byte[] fingerprint = new byte[StepFingerprint.LENGTH];
    fingerprint[0] = 42;
    fingerprint[15] = -1;
    // When
    byte[] v3 = StateCodec.encodeDecision(d, no, fingerprint);
    // Then
    assertThat(v3[0]).isEqualTo((byte) 3);
    assertThat(StateCodec.decisionFingerprint(v3)).isEqualTo(fingerprint);
    assertThat(StateCodec.decodeDecision(v3, "s1", "e1", store)).isEqualTo(d);
    assertThat(StateCodec.decisionFingerprint(StateCodec.encodeDecision(d, no))).isNull();
    assertThat(StateCodec.decisionFingerprint(StateCodec.encodeDecision(d))).isNull();
  }

  @Test
  void shouldStillReadAVersionOneDecisionRecord() {
    // Given: a record written by an engine before the compact format
    Decision d =
        new Decision(
            "e1", "s1", "agent:a", EventType.AGENT_DELEGATED, 7L, Verdict.BLOCK,
            List.of(new Finding("scope-widening", Verdict.BLOCK, RuleMode.ENFORCE, Severity.HIGH, "w", List.of(), null)),
            "p@1+sha256:00", List.of("agent:a"));
    byte[] v1 = StateCodec.encodeDecision(d);
    // When
    Decision back = StateCodec.decodeDecision(v1, "s1", "e1", new InMemoryStateStore());
    // Then
    assertThat(v1[0]).isEqualTo((byte) 1);
    assertThat(back).isEqualTo(d);
  }

  @Test
  void shouldStillReadAVersionOneEngineMetaRecord() {
    // Given
    InMemoryStateStore store = new InMemoryStateStore();
    store.put(StateKeys.STREAM_TIME, new ByteWriter(8).writeByte(1).writeZigZag(42).writeZigZag(-1).writeZigZag(9).toByteArray());
    // When
    EngineMeta m = EngineMeta.load(store);
    // Then
    assertThat(m.streamTime).isEqualTo(42);
    assertThat(m.timerFloor).isEqualTo(-1);
    assertThat(m.closedFloor).isEqualTo(9);
    assertThat(m.policyNo).isZero();
  }

  @Test
  void shouldRoundTripACredentialWithAndWithoutOptionalFields() {
    // Given
    CredentialRecord c = new CredentialRecord("c1");
    c.issuer = "a";
    c.subject = "b";
    c.scopes = List.of("read:x");
    c.kind = CredentialKind.SSH_KEY;
    c.storage = CredentialStorage.UNKNOWN;
    c.issuedAt = 1000;
    c.sequence = 7;
    c.reported = CredentialStatus.ACTIVE;
    // When
    CredentialRecord bare = StateCodec.decodeCredential("c1", StateCodec.encodeCredential(c));
    c.expiresAt = 2000L;
    c.revokedAt = 1500L;
    c.revokedBy = "a";
    c.lastUsedAt = 1200L;
    c.useCount = 3;
    CredentialRecord full = StateCodec.decodeCredential("c1", StateCodec.encodeCredential(c));
    // Then
    assertThat(bare.expiresAt).isNull();
    assertThat(bare.revokedAt).isNull();
    assertThat(bare.kind).isEqualTo(CredentialKind.SSH_KEY);
    assertThat(bare.sequence).isEqualTo(7);
    assertThat(full).usingRecursiveComparison().isEqualTo(c);
  }

  @Test
  void shouldRejectARecordOfAnUnknownVersion() {
    // Given
    StateRecords.AgentNode node = new StateRecords.AgentNode("a");
    node.scopes = List.of();
    byte[] bytes = StateCodec.encodeAgent(node);
    bytes[0] = 4;
    // Then
    assertThatThrownBy(() -> StateCodec.decodeAgent("a", bytes)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("version 4");
  }

  @Test
  void shouldOrderIndexKeysByTimeIncludingNegativeTimesThenSession() {
    // Given
    byte[] negative = StateKeys.timeIndex(StateKeys.TIMER_INDEX, -1, "z");
    byte[] zeroA = StateKeys.timeIndex(StateKeys.TIMER_INDEX, 0, "a");
    byte[] zeroB = StateKeys.timeIndex(StateKeys.TIMER_INDEX, 0, "b");
    byte[] big = StateKeys.timeIndex(StateKeys.TIMER_INDEX, 1L << 40, "a");
    // Then
    assertThat(Arrays.compareUnsigned(negative, zeroA)).isNegative();
    assertThat(Arrays.compareUnsigned(zeroA, zeroB)).isNegative();
    assertThat(Arrays.compareUnsigned(zeroB, big)).isNegative();
    assertThat(Arrays.compareUnsigned(zeroB, StateKeys.timeIndexBound(StateKeys.TIMER_INDEX, 1))).isNegative();
    assertThat(Arrays.compareUnsigned(zeroB, StateKeys.timeIndexBound(StateKeys.TIMER_INDEX, 0))).isPositive();
    assertThat(StateKeys.indexTime(negative)).isEqualTo(-1);
    assertThat(StateKeys.indexSession(zeroB)).isEqualTo("b");
  }

  @Test
  void shouldKeepOneSessionsRecordsApartFromASessionWhoseIdExtendsIt() {
    // Given: "s1" and "s1x": a raw prefix would put s1x's agents inside s1's range
    byte[] prefix = StateKeys.sessionPrefix(StateKeys.AGENT, "s1");
    byte[] own = StateKeys.agent("s1", "xagent");
    byte[] other = StateKeys.agent("s1x", "agent");
    byte[] end = StateKeys.prefixEnd(prefix);
    // Then
    assertThat(Arrays.compareUnsigned(prefix, own) <= 0 && Arrays.compareUnsigned(own, end) < 0).isTrue();
    assertThat(Arrays.compareUnsigned(prefix, other) <= 0 && Arrays.compareUnsigned(other, end) < 0).isFalse();
  }

  @Test
  void shouldNumberTwoIdentitiesApartEvenWhenTheirHashesCollide() {
    // Given an identity numbered in the store
    InMemoryStateStore store = new InMemoryStateStore();
    EngineMeta meta = EngineMeta.load(store);
    long first = meta.policyNumber(store, "p@1+sha256:00", 42L);
    meta.store(store);
    // When another identity arrives with the same hash
    EngineMeta later = EngineMeta.load(store);
    long second = later.policyNumber(store, "p@2+sha256:11", 42L);
    // Then it gets its own number, so decisions keep their own bundle's identity
    assertThat(second).isNotEqualTo(first);
    assertThat(later.policyNumber(store, "p@2+sha256:11", 42L, second)).isEqualTo(second);
  }
}
