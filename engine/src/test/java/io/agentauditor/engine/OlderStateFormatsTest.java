package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.Approval;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Scope;
import io.agentauditor.model.Step;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * State written by engines before the session handle and the credential use record is still read:
 * their sessions keep their decisions under the session id, their credentials their use count.
 */
class OlderStateFormatsTest {

  private final Harness h = new Harness();
  private final Events s = new Events("s1");

  /** Rewrites s1's meta and agents as an older engine wrote them: version 1, no handle, no numbers. */
  private void rewriteSessionAsOlderEngine(String... agents) {
    SessionMeta meta = StateCodec.decodeSession(h.store.get(StateKeys.session("s1")));
    meta.handle = 0;
    byte[] v1 = StateCodec.encodeSession(meta);
    assertThat(v1[0]).isEqualTo((byte) 1);
    h.store.put(StateKeys.session("s1"), v1);
    for (String id : agents) {
      AgentNode a = StateCodec.decodeAgent(id, h.store.get(StateKeys.agent("s1", id)));
      h.store.put(
          StateKeys.agent("s1", id),
          new ByteWriter(64)
              .writeByte(1)
              .writeString(a.parent == null ? "" : a.parent)
              .writeVarLong(a.depth)
              .writeStrings(a.scopes)
              .toByteArray());
    }
  }

  @Test
  void shouldStillStoreAndAnswerRetriesUnderTheIdOfASessionStartedByAnOlderEngine() {
    // Given: a session whose meta and root an older engine wrote, and a decision it stored
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    Step before = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a"));
    rewriteSessionAsOlderEngine("agent:planner");
    Decision first = h.decide(before);
    // When: a new call, and retries of both
    Step after = s.tool("agent:planner", 2, "repo.read_file", Map.of("repo", "b"));
    Decision second = h.decide(after);
    StepResult retryFirst = h.process(before);
    StepResult retrySecond = h.process(after);
    // Then: both kept under the session id (version 3), and both answered
    assertThat(h.store.get(StateKeys.dedupe("s1", before.eventId()))[0]).isEqualTo((byte) 3);
    assertThat(h.store.get(StateKeys.dedupe("s1", after.eventId()))[0]).isEqualTo((byte) 3);
    assertThat(retryFirst.retry()).isTrue();
    assertThat(retryFirst.decision()).isEqualTo(first);
    assertThat(retrySecond.retry()).isTrue();
    assertThat(retrySecond.decision()).isEqualTo(second);
    assertThat(h.store.get(StateKeys.decision(1, StateKeys.eventHash(before.eventId())))).isNull();
    assertThat(h.store.get(StateKeys.decision(1, StateKeys.eventHash(after.eventId())))).isNull();
  }

  @Test
  void shouldStillReadAnAgentRecordOfVersionOneAsAnAgentWithoutANumber() {
    // Given
    byte[] v1 = new ByteWriter(32).writeByte(1).writeString("agent:p").writeVarLong(1).writeStrings(List.of("read:x")).toByteArray();
    // When
    AgentNode a = StateCodec.decodeAgent("agent:c", v1);
    // Then
    assertThat(a.parent).isEqualTo("agent:p");
    assertThat(a.depth).isEqualTo(1);
    assertThat(a.scopes).containsExactly("read:x");
    assertThat(a.number).isEqualTo(-1);
    assertThat(StateCodec.decodeAgent("agent:c", StateCodec.encodeAgent(a)).number).isEqualTo(-1);
  }

  @Test
  void shouldStillReadAnApprovalRecordOfVersionOneWithoutItsFirstSegments() {
    // Given: an approval as an older engine wrote it, its scopes without their first segments ahead
    Approval a = new Approval("ap1", "user:bob", "agent:r", 5L, 10L, List.of("admin:repo/acme/api", "admin:*/x"));
    byte[] v1 = StateCodec.encodeApprovalVersion1(a);
    assertThat(v1[0]).isEqualTo((byte) 1);
    // When
    Approval back = StateCodec.decodeApproval(v1);
    // Then: the same approval, its first segments read from its scopes, written again as version 2
    assertThat(List.of(back.approvalId(), back.approver(), back.requester())).containsExactly("ap1", "user:bob", "agent:r");
    assertThat(List.of(back.from(), back.until())).containsExactly(5L, 10L);
    assertThat(back.scopes()).containsExactly("admin:repo/acme/api", "admin:*/x");
    assertThat(back.mayCover(Scope.parse("admin:ci/x"))).isTrue();
    byte[] v2 = StateCodec.encodeApproval(back);
    assertThat(v2[0]).isEqualTo((byte) 2);
    assertThat(StateCodec.decodeApproval(v2).scopes()).isEqualTo(back.scopes());
  }

  @Test
  void shouldAnswerApprovalRequiredAlikeWhenTheApprovalsAreRecordsOfVersionOne() {
    // Given: a session whose two approvals an older engine wrote, the second covering ci/acme
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    InMemoryStateStore inner = new InMemoryStateStore();
    StateStore store = new CachingStateStore(inner);
    engine.process(s.start("agent:planner", 0, "admin:**"), store);
    engine.process(s.approve("agent:planner", 1, "user:bob", 600, "admin:repo/acme/api"), store);
    engine.process(s.approve("agent:planner", 2, "user:carol", 600, "admin:ci/acme"), store);
    for (long n = 0; n < 2; n++) {
      byte[] key = StateKeys.approval("s1", n);
      inner.put(key, StateCodec.encodeApprovalVersion1(StateCodec.decodeApproval(inner.get(key))));
    }
    store.discardCached();
    // When: a call the second covers, then one neither covers
    Decision ci = engine.process(s.tool("agent:planner", 3, "ci.set_variable", Map.of("project", "acme", "name", "N", "value", "v")), store).decision();
    Decision other =
        engine.process(s.tool("agent:planner", 4, "ci.set_variable", Map.of("project", "other", "name", "N", "value", "v")), store).decision();
    // Then
    assertThat(ci.findings()).isEmpty();
    assertThat(Harness.ruleIds(other)).containsExactly("approval-required");
  }

  @Test
  void shouldStillReadTheUseCountOfACredentialRecordWrittenByAnOlderEngine() {
    // Given: a credential whose record holds its uses, as older engines kept them
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    h.decide(s.issue("agent:planner", 1, "c1", "agent:planner", "read:repo/**"));
    CredentialRecord c = StateCodec.decodeCredential("c1", h.store.get(StateKeys.credential("s1", "c1")));
    c.useCount = 7;
    c.lastUsedAt = Events.millis(2);
    byte[] older = StateCodec.encodeCredential(c);
    h.store.put(StateKeys.credential("s1", "c1"), older);
    // When: a call presents it
    StepResult use = h.process(s.tool("agent:planner", 3, "repo.read_file", Map.of("repo", "a"), "c1"));
    // Then: counted from the record's uses; the use record written, the credential record not
    CredentialChange change = use.credentialChanges().get(0);
    assertThat(change.useCount()).isEqualTo(8);
    assertThat(change.lastUsedAtMillis()).isEqualTo(Events.millis(3));
    assertThat(h.store.get(StateKeys.credential("s1", "c1"))).isEqualTo(older);
    CredentialRecord read = StateCodec.decodeCredential("c1", older);
    StateCodec.applyCredentialUse(read, h.store.get(StateKeys.credentialUse("s1", "c1")));
    assertThat(read.useCount).isEqualTo(8);
  }

  @Test
  void shouldWriteOnlyTheSmallUseRecordWhenACredentialIsPresented() {
    // Given: a credential of the most scopes a step may carry, used once
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    String[] scopes = new String[128];
    for (int i = 0; i < scopes.length; i++) {
      scopes[i] = i == 0 ? "read:repo/**" : "read:repo/acme/service-number-" + i + "/**";
    }
    h.decide(s.issue("agent:planner", 1, "c1", "agent:planner", scopes));
    h.decide(s.tool("agent:planner", 2, "repo.read_file", Map.of("repo", "acme/service-1"), "c1"));
    byte[] record = h.store.get(StateKeys.credential("s1", "c1"));
    var before = h.store.snapshot();
    // When: it is presented again
    StepResult again = h.process(s.tool("agent:planner", 3, "repo.read_file", Map.of("repo", "acme/service-2"), "c1"));
    // Then: the credential record is the same bytes; its use record holds the count, in a few bytes
    assertThat(again.credentialChanges().get(0).useCount()).isEqualTo(2);
    assertThat(h.store.get(StateKeys.credential("s1", "c1"))).isSameAs(record);
    assertThat(record.length).isGreaterThan(4_000);
    byte[] use = h.store.get(StateKeys.credentialUse("s1", "c1"));
    assertThat(use.length).isLessThan(10);
    assertThat(use).isNotEqualTo(before.get(StateKeys.credentialUse("s1", "c1")));
  }

  @Test
  void shouldStillReadAnEngineMetaWithoutSessionHandles() {
    // Given: a version 2 engine meta of an older engine, ending at the decision floor
    InMemoryStateStore store = new InMemoryStateStore();
    store.put(
        StateKeys.STREAM_TIME,
        new ByteWriter(32).writeByte(2).writeZigZag(42).writeZigZag(1).writeZigZag(2)
            .writeVarLong(1).writeVarLong(1).writeFixedLong(7).writeZigZag(3).toByteArray());
    // When
    EngineMeta m = EngineMeta.load(store);
    // Then
    assertThat(m.streamTime).isEqualTo(42);
    assertThat(m.decisionFloor).isEqualTo(3);
    assertThat(m.sessionHandles).isZero();
    assertThat(m.newSessionHandle()).isEqualTo(1);
  }
}
