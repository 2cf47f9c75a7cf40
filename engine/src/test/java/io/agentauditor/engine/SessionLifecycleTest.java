package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicySettings;
import io.agentauditor.model.Step;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.EventType;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

class SessionLifecycleTest {

  private final Harness h = new Harness();
  private final Events s = new Events("s1");

  @Test
  void shouldBlockEventsOfASessionNeverStarted() {
    // When
    Decision d = h.decide(s.tool("agent:x", 0, "shell.exec", Map.of("k", "AKIAABCDEFGHIJKLMNOP")));
    // Then: a gate is the only finding
    assertThat(ruleIds(d)).containsExactly("unknown-session");
    assertThat(d.path()).isEmpty();
  }

  @Test
  void shouldBlockASecondStartAndEventsAfterTheEnd() {
    // Given
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    // When
    Decision again = h.decide(s.start("agent:other", 1, "admin:**"));
    Decision end = h.decide(s.end("agent:planner", 2));
    Decision after = h.decide(s.tool("agent:planner", 3, "repo.read_file", Map.of("repo", "a")));
    Decision restart = h.decide(s.start("agent:planner", 4, "read:repo/**"));
    // Then
    assertThat(ruleIds(again)).containsExactly("duplicate-session");
    assertThat(end.findings()).isEmpty();
    assertThat(ruleIds(after)).containsExactly("session-closed");
    assertThat(after.path()).containsExactly("agent:planner");
    assertThat(ruleIds(restart)).containsExactly("duplicate-session");
  }

  @Test
  void shouldBlockAnActorOutsideTheChainWithTheGateOnly() {
    // Given
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    // When: the step would also widen scope and loop
    Decision d = h.decide(s.delegate("agent:stranger", 1, "agent:stranger", "admin:**"));
    // Then
    assertThat(ruleIds(d)).containsExactly("unknown-agent");
  }

  @Test
  void shouldReportEveryLiveCredentialAtSessionEndInIssuanceOrder() {
    // Given: z issued first, then a (ids out of key order), one revoked, one expired
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    h.decide(s.issue("agent:planner", 1, "z", "agent:planner", "read:repo/a"));
    h.decide(s.issue("agent:planner", 2, "a", "agent:planner", "read:repo/a"));
    h.decide(s.issue("agent:planner", 3, "revoked", "agent:planner", "read:repo/a"));
    h.decide(
        s.issue("agent:planner", 4, "short", "agent:planner", 10, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY,
            "read:repo/a"));
    h.decide(s.revoke("agent:planner", 5, "revoked"));
    // When
    StepResult end = h.process(s.end("agent:planner", 14));
    // Then
    assertThat(ruleIds(end.decision())).containsExactly("credential-not-revoked", "credential-not-revoked");
    assertThat(end.decision().findings()).extracting(Finding::credentialId).containsExactly("z", "a");
    assertThat(end.decision().verdict()).isEqualTo(Verdict.FLAG);
    assertThat(end.credentialChanges()).singleElement()
        .satisfies(c -> {
          assertThat(c.credentialId()).isEqualTo("short");
          assertThat(c.status()).isEqualTo(CredentialStatus.EXPIRED);
        });
  }

  @Test
  void shouldReturnTheStoredDecisionForARetryOfTheSameContentReStamped() {
    // Given
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    Step first = s.delegate("agent:planner", 1, "agent:coder", "admin:**");
    Decision original = h.decide(first);
    NavigableMap<byte[], byte[]> before = h.store.snapshot();
    // When: same content, later time (a retry may be re-stamped)
    Step retry =
        new Step.AgentDelegated(
            first.eventId(), "s1", "agent:planner", Events.millis(2), "agent:coder", List.of("admin:**"), null);
    StepResult r = h.process(retry);
    // Then
    assertThat(r.retry()).isTrue();
    assertThat(r.decision()).isEqualTo(original);
    assertThat(r.credentialChanges()).isEmpty();
    NavigableMap<byte[], byte[]> after = h.store.snapshot();
    after.remove(StateKeys.STREAM_TIME);
    before.remove(StateKeys.STREAM_TIME);
    assertThat(Harness.sameEntries(before, after)).as("a retry changes nothing but stream time").isTrue();
    assertThat(AuditEngine.streamTime(h.store)).isEqualTo(Events.millis(2));
  }

  @Test
  void shouldBlockARepeatWithOtherContentAsEventIdReuseAndChangeNothingButStreamTime() {
    // Given: an allowed read
    h.decide(s.start("agent:planner", 0, "write:deploy/**", "read:repo/**"));
    Step read = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "acme/api"));
    Decision allowed = h.decide(read);
    NavigableMap<byte[], byte[]> before = h.store.snapshot();
    // When: its id reused for a production deploy carrying a key, then the real retry
    Step reuse =
        new Step.ToolCall(
            read.eventId(), "s1", "agent:planner", Events.millis(500), "cloud.deploy",
            Map.of("env", "prod", "service", "api", "key", "AKIAABCDEFGHIJKLMNOP"), null);
    StepResult blocked = h.process(reuse);
    NavigableMap<byte[], byte[]> after = h.store.snapshot();
    StepResult retry = h.process(read);
    // Then: blocked by the gate alone, decided as the new event, stored nowhere
    assertThat(blocked.retry()).isFalse();
    assertThat(ruleIds(blocked.decision())).containsExactly("event-id-reuse");
    Decision d = blocked.decision();
    assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(d.type()).isEqualTo(EventType.TOOL_CALL);
    assertThat(d.occurredAtMillis()).isEqualTo(Events.millis(500));
    assertThat(d.path()).containsExactly("agent:planner");
    assertThat(d.findings().get(0).message())
        .contains("TOOL_CALL by agent:planner at 2026-11-26T10:00:01Z: ALLOW", "other content");
    assertThat(AuditEngine.streamTime(h.store)).isEqualTo(Events.millis(500));
    after.remove(StateKeys.STREAM_TIME);
    before.remove(StateKeys.STREAM_TIME);
    assertThat(Harness.sameEntries(before, after)).as("no state, no timer, no dedupe record").isTrue();
    assertThat(retry.retry()).isTrue();
    assertThat(retry.decision()).isEqualTo(allowed);
  }

  @Test
  void shouldNotCountAnEventIdReuseForFanOutNorRestartTheTimer() {
    // Given: ten delegations at t=1..10, the tenth reused with another child at t=11
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    Step last = null;
    for (int i = 1; i <= 10; i++) {
      last = s.delegate("agent:planner", i, "agent:c" + i, "read:repo/**");
      assertThat(h.decide(last).findings()).isEmpty();
    }
    Decision reuse =
        h.decide(
            new Step.AgentDelegated(
                last.eventId(), "s1", "agent:planner", Events.millis(11), "agent:x", List.of("read:repo/**"), null));
    // When: an eleventh delegation within the window, and stream time 1800 s after the tenth
    Decision eleventh = h.decide(s.delegate("agent:planner", 12, "agent:c11", "read:repo/**"));
    Events other = new Events("other");
    StepResult notYet = h.process(other.start("agent:o", 1812, "read:repo/**"));
    StepResult due = h.process(other.end("agent:o", 1812.001));
    // Then: the reuse counted nothing; the eleventh counted and restarted the timer at 12
    assertThat(ruleIds(reuse)).containsExactly("event-id-reuse");
    assertThat(ruleIds(eleventh)).containsExactly("fan-out");
    assertThat(eleventh.findings().get(0).message()).contains("made 11 ");
    assertThat(notYet.idleTimeouts()).isEmpty();
    assertThat(due.idleTimeouts()).extracting(Decision::sessionId).containsExactly("s1");
  }

  @Test
  void shouldTreatAnyRepeatOfADecisionStoredWithoutAFingerprintAsARetry() {
    // Given: a session and a decision stored by an older engine (version 2, no content
    // fingerprint): the session meta of version 1, with no handle, and the decision under its id
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    StateRecords.SessionMeta meta = StateCodec.decodeSession(h.store.get(StateKeys.session("s1")));
    meta.handle = 0;
    h.store.put(StateKeys.session("s1"), StateCodec.encodeSession(meta));
    Step read = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "acme/api"));
    Decision original = h.decide(read);
    byte[] key = StateKeys.dedupe("s1", read.eventId());
    byte[] v3 = h.store.get(key);
    byte[] v2 = java.util.Arrays.copyOfRange(v3, StepFingerprint.LENGTH, v3.length);
    v2[0] = (byte) StateCodec.VERSION_2; // the version byte, then the body of version 2
    h.store.put(key, v2);
    // When: a repeat with other content
    StepResult r =
        h.process(
            new Step.ToolCall(
                read.eventId(), "s1", "agent:intruder", Events.millis(2), "shell.exec", Map.of(), null));
    // Then: as before version 2 of the contract
    assertThat(r.retry()).isTrue();
    assertThat(r.decision()).isEqualTo(original);
  }

  @Test
  void shouldReturnTheOriginalPolicyIdentityForARetryAfterAPolicyReload() {
    // Given: a decision under the default bundle, then an engine with another bundle on the same store
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    Step first = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a"));
    Decision original = h.decide(first);
    Policy p = Policies.defaultPolicy();
    Policy reloaded =
        new Policy(p.name(), "2.0.0", "1".repeat(64), p.settings(), p.lattice(), p.tools(), p.secretPatterns(),
            p.codePatterns(), p.builtins(), p.customRules());
    AuditEngine next = new AuditEngine(reloaded);
    Step second = s.tool("agent:planner", 2, "repo.read_file", Map.of("repo", "b"));
    Decision fresh = next.process(second, h.store).decision();
    // When
    StepResult retry = next.process(first, h.store);
    StepResult retryOfFresh = h.engine.process(second, h.store);
    // Then
    assertThat(retry.retry()).isTrue();
    assertThat(retry.decision()).isEqualTo(original);
    assertThat(original.policy()).isEqualTo(p.identity());
    assertThat(fresh.policy()).isEqualTo(reloaded.identity()).isNotEqualTo(p.identity());
    assertThat(retryOfFresh.retry()).isTrue();
    assertThat(retryOfFresh.decision()).isEqualTo(fresh);
  }

  @Test
  void shouldWriteOnlyFanOutTimerAndDedupeWithItsIndexEntryForABlockedStep() {
    // Given
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    NavigableMap<byte[], byte[]> before = h.store.snapshot();
    // When
    Step blocked =
        s.issue("agent:planner", 5, "c1", "agent:planner", null, CredentialKind.PASSWORD, CredentialStorage.ENV, "admin:**");
    Decision d = h.decide(blocked);
    // Then
    assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
    NavigableMap<byte[], byte[]> after = h.store.snapshot();
    // The timer has a record of its own; the session meta is not rewritten.
    assertThat(StateCodec.decodeTimer(after.remove(StateKeys.timer("s1")))).isEqualTo(Events.millis(5));
    after.remove(StateKeys.STREAM_TIME);
    before.remove(StateKeys.STREAM_TIME);
    assertThat(after.remove(StateKeys.decision(1, StateKeys.eventHash(blocked.eventId())))).isNotNull();
    // The session's group of the decisions of its time bucket (the start's, and this one)
    long last = StoredDecisions.bucketLast(Events.millis(5), 86_400_000L);
    assertThat(after.remove(StateKeys.decisionGroup(last, 1))).isNotNull();
    before.remove(StateKeys.decisionGroup(last, 1));
    assertThat(after.remove(StateKeys.fanOut("s1", "agent:planner"))).isNotNull();
    // The idle-timer index keeps its entry at 0: a lower bound of the timer, moved when due.
    assertThat(after).containsKey(StateKeys.timeIndex(StateKeys.TIMER_INDEX, Events.millis(0), "s1"));
    assertThat(Harness.sameEntries(before, after)).isTrue();
  }

  @Test
  void shouldCloseIdleSessionsByTimerThenSessionIdAfterTheRecordThatFoundThem() {
    // Given: sessions b and a idle since t=0, c since t=1; a holds a live credential
    Events a = new Events("a");
    Events b = new Events("b");
    Events c = new Events("c");
    h.decide(b.start("agent:b", 0, "read:repo/**"));
    h.decide(a.start("agent:a", 0, "read:repo/**"));
    h.decide(
        a.issue("agent:a", 0, "ca", "agent:a", 3600, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY, "read:repo/x"));
    h.decide(c.start("agent:c", 1, "read:repo/**"));
    Events d = new Events("d");
    // When: stream time reaches exactly 1800 s after t=0, then one millisecond more
    StepResult atLimit = h.process(d.start("agent:d", 1800, "read:repo/**"));
    StepResult past = h.process(d.end("agent:d", 1801.001));
    // Then
    assertThat(atLimit.idleTimeouts()).isEmpty();
    assertThat(past.idleTimeouts()).extracting(Decision::sessionId).containsExactly("a", "b", "c");
    Decision idleA = past.idleTimeouts().get(0);
    assertThat(idleA.eventId()).isEqualTo("a#idle-timeout");
    assertThat(idleA.type()).isEqualTo(EventType.SESSION_ENDED);
    assertThat(idleA.agentId()).isEqualTo("agent:a");
    assertThat(idleA.occurredAtMillis()).isEqualTo(Events.millis(1801.001));
    assertThat(ruleIds(idleA)).containsExactly("credential-not-revoked");
    assertThat(idleA.findings().get(0).credentialId()).isEqualTo("ca");
    assertThat(past.idleTimeouts().get(1).verdict()).isEqualTo(Verdict.ALLOW);
    // Later events of a closed session are gated; the idle decision is no dedupe record.
    assertThat(ruleIds(h.decide(a.tool("agent:a", 1802, "repo.read_file", Map.of("repo", "x")))))
        .containsExactly("session-closed");
    assertThat(h.store.get(StateKeys.dedupe("a", "a#idle-timeout"))).isNull();
  }

  @Test
  void shouldRestartTheIdleTimerOnBlockedStepsButNotOnGatedOnesOrRetries() {
    // Given
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    Step first = s.tool("agent:planner", 1000, "repo.read_file", Map.of("repo", "a"));
    h.decide(first);
    h.decide(s.tool("agent:planner", 1500, "nope", Map.of())); // blocked, restarts
    h.decide(s.tool("agent:stranger", 2000, "repo.read_file", Map.of("repo", "a"))); // gated
    Events other = new Events("other");
    // When
    StepResult notYet = h.process(other.start("agent:o", 3300, "read:repo/**"));
    StepResult due = h.process(other.end("agent:o", 3300.001));
    // Then
    assertThat(notYet.idleTimeouts()).isEmpty();
    assertThat(due.idleTimeouts()).extracting(Decision::sessionId).containsExactly("s1");
  }

  @Test
  void shouldKeepTheIdleTimerWhenALaterArrivingStepIsStampedEarlier() {
    // Given: the timer moves forward to 1000 s, then a step stamped 100 s arrives
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    h.decide(s.tool("agent:planner", 1000, "repo.read_file", Map.of("repo", "a")));
    h.decide(s.tool("agent:planner", 100, "repo.read_file", Map.of("repo", "a")));
    Events other = new Events("other");
    // When: stream time passes 1800 s after 100 s, then 1800 s after 1000 s
    StepResult pastTheEarlierStamp = h.process(other.start("agent:o", 1900.001, "read:repo/**"));
    StepResult atLimit = h.process(other.tool("agent:o", 2800, "nope", Map.of()));
    StepResult past = h.process(other.tool("agent:o", 2800.001, "nope", Map.of()));
    // Then: the timer stayed at 1000 s (9.3: it never moves back)
    assertThat(pastTheEarlierStamp.idleTimeouts()).isEmpty();
    assertThat(atLimit.idleTimeouts()).isEmpty();
    assertThat(past.idleTimeouts()).extracting(Decision::sessionId).containsExactly("s1");
  }

  @Test
  void shouldOrderIdleTimeoutsDueTogetherBySessionIdAsUtf8Bytes() {
    // Given: two sessions idle since 0; UTF-16 puts the surrogate pair of U+1F600 before U+FFFF
    String emoji = "s\uD83D\uDE00";
    String last = "s\uFFFF";
    h.decide(new Events(emoji).start("agent:a", 0, "read:repo/**"));
    h.decide(new Events(last).start("agent:b", 0, "read:repo/**"));
    // When
    StepResult r = h.process(new Events("later").start("agent:c", 1800.001, "read:repo/**"));
    // Then: U+FFFF (EF BF BF) comes before U+1F600 (F0 9F 98 80) as UTF-8 bytes
    assertThat(r.idleTimeouts()).extracting(Decision::sessionId).containsExactly(last, emoji);
  }

  @Test
  void shouldKeepStreamTimeAcrossEngineInstances() {
    // Given
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    AuditEngine restarted = new AuditEngine(Policies.defaultPolicy());
    // When: an old event arrives, then a later one of another session
    restarted.process(new Events("x").start("agent:x", -10, "read:repo/**"), h.store);
    StepResult r = restarted.process(new Events("y").start("agent:y", 1800.5, "read:repo/**"), h.store);
    // Then: s1 (timer 0) is idle; x (timer -10) too
    assertThat(AuditEngine.streamTime(h.store)).isEqualTo(Events.millis(1800.5));
    assertThat(r.idleTimeouts()).extracting(Decision::sessionId).containsExactly("x", "s1");
  }

  @Test
  void shouldKeepAClosedSessionAndItsDecisionsForGoodWithARetentionOfZero() {
    // Given
    Harness h = new Harness(Policies.withRetention(0));
    Step start = s.start("agent:planner", 0, "read:repo/**");
    Decision started = h.decide(start);
    h.decide(s.end("agent:planner", 1));
    long year = 365L * 24 * 3600;
    h.decide(new Events("later").start("agent:l", year, "read:repo/**")); // stream time moves on
    // When: a new start under the id, and a retry of the first
    Decision reused = h.decide(s.start("agent:new", year + 1, "admin:**"));
    Decision retry = h.decide(start);
    // Then: the id is never reusable, and a retry still returns the stored decision
    assertThat(ruleIds(reused)).containsExactly("duplicate-session");
    assertThat(retry).isEqualTo(started);
  }

  @Test
  void shouldPurgeAClosedSessionAfterRetentionButKeepItsIdClosed() {
    // Given a bundle that sets a retention of 7 days
    long retention = 7L * 24 * 3600;
    Harness h = new Harness(Policies.withRetention(retention));
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    h.decide(s.issue("agent:planner", 1, "c1", "agent:planner", "read:repo/x"));
    h.decide(s.revoke("agent:planner", 2, "c1"));
    h.decide(s.end("agent:planner", 3));
    h.decide(new Events("orphan").tool("agent:x", 3, "t", Map.of())); // unknown-session
    Events later = new Events("later");
    // When
    h.decide(later.start("agent:l", 3 + retention, "read:repo/**"));
    int keysAtLimit = h.store.size();
    h.decide(later.end("agent:l", 3 + retention + 0.001));
    // Then: of s1 only its meta is left, as a tombstone without scopes; the orphan is gone
    assertThat(keysAtLimit).isGreaterThan(h.store.size());
    List<String> s1Keys = new ArrayList<>();
    long s1Handle = StateCodec.decodeSession(h.store.get(StateKeys.session("s1"))).handle;
    h.store.snapshot().keySet().forEach(k -> {
      String key = new String(k, java.nio.charset.StandardCharsets.UTF_8);
      assertThat(key).doesNotContain("orphan");
      if (k[0] == StateKeys.DECISION || k[0] == StateKeys.DECISION_GROUP) {
        // keyed by handle: none of s1's decisions is left (a group entry may wait until due)
        assertThat(k[0] == StateKeys.DECISION && k[1] == s1Handle).isFalse();
      } else if (k[0] != StateKeys.ENGINE_META && !key.contains("later")) {
        s1Keys.add(key);
        assertThat(k[0]).isEqualTo(StateKeys.SESSION);
      }
    });
    assertThat(s1Keys).hasSize(1);
    Decision reused = h.decide(s.start("agent:new", 3 + retention + 1, "admin:**"));
    Decision call = h.decide(s.tool("agent:planner", 3 + retention + 2, "repo.read_file", Map.of("repo", "x")));
    assertThat(ruleIds(reused)).containsExactly("duplicate-session");
    assertThat(ruleIds(call)).containsExactly("session-closed");
  }

  @Test
  void shouldNotRaiseTheVerdictForAShadowRule() {
    // Given
    Harness shadow =
        new Harness(
            Policies.with(Map.of(
                    BuiltinRule.SCOPE_WIDENING,
                    Policies.rule(BuiltinRule.SCOPE_WIDENING, Verdict.BLOCK, RuleMode.SHADOW, true),
                    BuiltinRule.DELEGATION_DEPTH,
                    Policies.rule(BuiltinRule.DELEGATION_DEPTH, Verdict.FLAG, RuleMode.ENFORCE, false)),
                List.of()));
    shadow.decide(s.start("agent:planner", 0, "read:repo/**"));
    // When
    Decision d = shadow.decide(s.delegate("agent:planner", 1, "agent:coder", "admin:**"));
    Decision use = shadow.decide(s.tool("agent:coder", 2, "ci.set_variable", Map.of("project", "p", "v", "1")));
    // Then: reported, ALLOW, and applied (the child exists)
    assertThat(ruleIds(d)).containsExactly("scope-widening");
    assertThat(d.findings().get(0).mode()).isEqualTo(RuleMode.SHADOW);
    assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(use.path()).containsExactly("agent:planner", "agent:coder");
  }
}
