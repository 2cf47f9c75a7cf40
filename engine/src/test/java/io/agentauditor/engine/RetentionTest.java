package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retention by default (contract section 4, v2): closed sessions purged to a tombstone a day after
 * they closed, and any stored decision dropped a day after its own occurredAt, in open sessions
 * too, at a bounded cost per step.
 */
class RetentionTest {

  private static final long DAY = 86_400;

  private final Events s = new Events("s1");

  private static long dedupeRecords(Harness h) {
    return h.store.snapshot().keySet().stream()
        .filter(k -> k[0] == StateKeys.DEDUPE || k[0] == StateKeys.DECISION)
        .count();
  }

  @Test
  void shouldPurgeAClosedSessionADayAfterItClosedByDefaultAndDecideItsRetriesAnew() {
    // Given: the default bundle; s1 starts and ends
    Harness h = new Harness();
    h.decide(s.start("agent:root", 0, "read:repo/**"));
    Step end = s.end("agent:root", 10);
    Decision ended = h.decide(end);
    Events other = new Events("other");
    // When: stream time reaches exactly a day after the end, then a millisecond more
    h.decide(other.start("agent:o", 10 + DAY));
    Decision keptRetry = h.decide(end);
    boolean keptScopes =
        !StateCodec.decodeSession(h.store.get(StateKeys.session("s1"))).grantedScopes.isEmpty();
    h.decide(other.tool("agent:o", 10 + DAY + 0.001, "nope", Map.of()));
    Decision purgedRetry = h.decide(end);
    Decision restart = h.decide(s.start("agent:root", 10 + DAY + 1, "admin:**"));
    // Then: the stored decision answers until the purge; after it the end is decided anew,
    // against the tombstone, which keeps the id closed
    assertThat(keptRetry).isEqualTo(ended);
    assertThat(keptScopes).isTrue();
    assertThat(ruleIds(purgedRetry)).containsExactly("session-closed");
    assertThat(ruleIds(restart)).containsExactly("duplicate-session");
    assertThat(StateCodec.decodeSession(h.store.get(StateKeys.session("s1"))).grantedScopes)
        .isEmpty();
    assertThat(h.store.get(StateKeys.agent("s1", "agent:root"))).isNull();
  }

  @Test
  void shouldDropAStoredDecisionOfAnOpenSessionADayAfterItsOccurredAt() {
    // Given: a bundle whose idle timeout outlasts its retention of 100 s, so s1 stays open
    Harness h = new Harness(Policies.withRetention(100));
    h.decide(s.start("agent:root", 0, "read:repo/**"));
    Step call = s.tool("agent:root", 10, "repo.read_file", Map.of("repo", "x"));
    h.decide(call);
    Events other = new Events("other");
    // When: stream time is exactly 100 s past the call, then more than that
    h.decide(other.start("agent:o", 110));
    StepResult atLimit = h.process(call);
    h.decide(other.tool("agent:o", 110.001, "nope", Map.of()));
    StepResult past = h.process(call);
    // Then
    assertThat(atLimit.retry()).isTrue();
    assertThat(past.retry()).isFalse();
    assertThat(past.decision().verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(h.store.get(StateKeys.session("s1"))).isNotNull();
  }

  @Test
  void shouldDropDecisionsGatedByUnknownSessionByTheirOwnOccurredAt() {
    // Given: two steps of a session never started, 50 s apart, and a retention of 100 s
    Harness h = new Harness(Policies.withRetention(100));
    Events ghost = new Events("ghost");
    Step first = ghost.tool("agent:x", 0, "t", Map.of());
    Step second = ghost.tool("agent:x", 50, "t", Map.of());
    h.decide(first);
    h.decide(second);
    // When: stream time passes the first's retention, not the second's
    h.decide(new Events("other").start("agent:o", 100.5));
    // Then
    assertThat(h.store.get(StateKeys.dedupe("ghost", first.eventId()))).isNull();
    assertThat(h.store.get(StateKeys.dedupe("ghost", second.eventId()))).isNotNull();
    assertThat(h.process(second).retry()).isTrue();
    assertThat(h.process(first).retry()).isFalse();
  }

  @Test
  void shouldDeleteABoundedNumberOfDecisionsPerStepYetNeverAnswerARetryPastItsRetention() {
    // Given: 100 decisions of an open session within a second, then stream time jumps past them
    Harness h = new Harness(Policies.withRetention(100));
    h.decide(s.start("agent:root", 0, "read:repo/**"));
    List<Step> calls = new ArrayList<>();
    for (int i = 0; i < 99; i++) {
      Step c = s.tool("agent:root", 0.01 * i, "repo.read_file", Map.of("repo", "r" + i));
      calls.add(c);
      h.decide(c);
    }
    Events other = new Events("other");
    // When: one record moves stream time 200 s on
    h.decide(other.start("agent:o", 200));
    long leftAfterOne = dedupeRecords(h);
    Step last = calls.get(calls.size() - 1);
    // Not deleted yet, yet decided anew; re-stamped, so stored again until 300 s
    Step restamped =
        new Step.ToolCall(
            last.eventId(), "s1", "agent:root", Events.millis(200), "repo.read_file",
            Map.of("repo", "r98"), null);
    StepResult retryOfLast = h.process(restamped);
    for (int i = 1; i <= 4; i++) {
      h.decide(other.tool("agent:o", 200 + i, "nope", Map.of()));
    }
    // Then: at most 32 deleted by a step; the retry was decided anew; once the backlog drained,
    // only the other session's decisions and the re-decided call are stored
    assertThat(leftAfterOne)
        .isBetween(101L - IdleAndRetention.DECISIONS_DROPPED_PER_STEP, 100L);
    assertThat(retryOfLast.retry()).isFalse();
    long handle = StateCodec.decodeSession(h.store.get(StateKeys.session("s1"))).handle;
    assertThat(h.store.get(StateKeys.decision(handle, StateKeys.eventHash(last.eventId())))).isNotNull();
    assertThat(dedupeRecords(h)).isEqualTo(5 + 1);
    assertThat(h.process(restamped).retry()).isTrue();
    // Grouped by session and time bucket: the other session's five, and the re-decided call's
    assertThat(h.store.snapshot().keySet().stream().filter(k -> k[0] == StateKeys.DECISION_GROUP))
        .hasSize(2);
  }

  @Test
  void shouldLeaveATombstoneOfTwentyEightBytesPlusTheRootAgentIdAndNoInitiator() {
    // Given: a session with a long initiator, granted scopes, agents and credentials
    Harness h = new Harness(Policies.withRetention(100));
    Events session = new Events("session-0001");
    h.decide(
        new Step.SessionStarted(
            "e1", "session-0001", "agent:planner", Events.millis(0), "i".repeat(4096),
            List.of("read:repo/**", "write:repo/acme/**"), "intent"));
    h.decide(session.delegate("agent:planner", 1, "agent:coder", "read:repo/**"));
    h.decide(session.issue("agent:planner", 2, "k1", "agent:coder", "read:repo/x"));
    h.decide(session.end("agent:planner", 3));
    // When: its retention and the idle timeout pass (the idle-timer index may hold a stale entry
    // of a session until then: a lower bound of its timer, dropped when found due)
    h.decide(new Events("other").start("agent:o", 2000));
    // Then: one record is left of it, the tombstone: key 2 + |sessionId|, value 28 + |rootAgentId|
    // (its handle, below 128, takes one byte); none under its handle
    List<byte[]> keys = new ArrayList<>();
    h.store.snapshot().forEach((k, v) -> {
      if (new String(k, StandardCharsets.UTF_8).contains("session-0001")) {
        keys.add(k);
        assertThat(v).hasSize(28 + "agent:planner".length());
      }
    });
    assertThat(keys).hasSize(1);
    byte[] handle = StateKeys.handlePrefix(StateKeys.DECISION, 1);
    assertThat(h.store.snapshot().keySet())
        .noneMatch(k -> java.util.Arrays.equals(k, 0, handle.length, handle, 0, handle.length));
    assertThat(keys.get(0)).hasSize(2 + "session-0001".length());
    assertThat(StateCodec.decodeSession(h.store.get(StateKeys.session("session-0001"))).initiator)
        .isEmpty();
  }
}
