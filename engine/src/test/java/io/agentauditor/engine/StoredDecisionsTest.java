package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decisions kept for retries under a session's handle (contract section 4, Retries). */
class StoredDecisionsTest {

  private final Harness h = new Harness();
  private final Events s = new Events("s1");

  private long handle() {
    return StateCodec.decodeSession(h.store.get(StateKeys.session("s1"))).handle;
  }

  private byte[] stored(Step step) {
    return h.store.get(StateKeys.decision(handle(), StateKeys.eventHash(step.eventId())));
  }

  @Test
  void shouldKeepAnAllowedStepOfAnAgentInTheChainInThirtyThreeBytesOfKeyAndValue() {
    // Given: an agent deep in the chain, with ids far longer than its number
    h.decide(s.start("agent:" + "p".repeat(40), 0, "read:repo/**"));
    h.decide(s.delegate("agent:" + "p".repeat(40), 1, "agent:" + "c".repeat(40), "read:repo/**"));
    Step read = s.tool("agent:" + "c".repeat(40), 600, "repo.read_file", Map.of("repo", "acme/api"));
    // When
    Decision d = h.decide(read);
    // Then: key 1 + 1 (handle) + 8 (eventId hash); value 1 + 16 (fingerprint) + 1 (verdict, type,
    // flags) + 3 (offset from the session's start) + 1 (policy number) + 1 (the actor's number)
    assertThat(d.path()).hasSize(2);
    byte[] key = StateKeys.decision(handle(), StateKeys.eventHash(read.eventId()));
    assertThat(key).hasSize(10);
    assertThat(stored(read)).hasSize(23);
    assertThat(h.process(read).decision()).isEqualTo(d);
  }

  @Test
  void shouldReturnEveryKindOfStoredDecisionUnchanged() {
    // Given: decisions with findings, a path, an empty path, and a time before the session's start
    h.decide(s.start("agent:planner", 10, "read:repo/**"));
    Step flagged = s.delegate("agent:planner", 11, "agent:coder", "read:repo/**", "admin:**");
    Step stranger = s.tool("agent:stranger", 12, "repo.read_file", Map.of("repo", "a"));
    Step early = s.tool("agent:planner", 3, "repo.read_file", Map.of("repo", "b"));
    Step secret = s.tool("agent:planner", 13, "shell.exec", Map.of("k", "AKIAABCDEFGHIJKLMNOP"));
    Decision[] first = {h.decide(flagged), h.decide(stranger), h.decide(early), h.decide(secret)};
    // When: each is repeated
    Step[] repeats = {flagged, stranger, early, secret};
    for (int i = 0; i < repeats.length; i++) {
      StepResult again = h.process(repeats[i]);
      // Then: the stored decision, equal in every field
      assertThat(again.retry()).isTrue();
      assertThat(again.decision()).isEqualTo(first[i]);
    }
    assertThat(first[0].findings()).isNotEmpty();
    assertThat(first[1].path()).isEmpty();
    assertThat(first[3].verdict()).isEqualTo(Verdict.BLOCK);
  }

  @Test
  void shouldNameTheFirstActorFoundByItsNumberWhenAnEventIdIsReused() {
    // Given: a call by an agent of the chain
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "read:repo/**"));
    Step read = s.tool("agent:coder", 2, "repo.read_file", Map.of("repo", "a"));
    h.decide(read);
    // When: another agent sends other content under its eventId
    Decision reuse =
        h.decide(
            new Step.ToolCall(
                read.eventId(), "s1", "agent:planner", Events.millis(3), "repo.read_file",
                Map.of("repo", "b"), null));
    // Then
    assertThat(ruleIds(reuse)).containsExactly("event-id-reuse");
    assertThat(reuse.findings().get(0).message()).contains("(TOOL_CALL by agent:coder at ");
  }

  @Test
  void shouldReadAnEventIdHashCollisionAsOtherContentNeverAsARetry() {
    // Given: an allowed call, and its record found under the hash of another eventId (as if the
    // two ids had the same 64-bit hash)
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    Step allowed = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a"));
    h.decide(allowed);
    Step other = s.tool("agent:planner", 2, "shell.exec", Map.of());
    h.store.put(StateKeys.decision(handle(), StateKeys.eventHash(other.eventId())), stored(allowed));
    // When
    StepResult r = h.process(other);
    // Then: the fingerprint covers the eventId, so the content differs: blocked, not a retry
    assertThat(r.retry()).isFalse();
    assertThat(ruleIds(r.decision())).containsExactly("event-id-reuse");
    assertThat(r.decision().verdict()).isEqualTo(Verdict.BLOCK);
  }

  @Test
  void shouldStillAnswerARetryOfADecisionStoredBeforeItsSessionStarted() {
    // Given: a call gated by unknown-session, stored under the session's id, then the start
    Step early = s.tool("agent:planner", 0, "repo.read_file", Map.of("repo", "a"));
    Decision gated = h.decide(early);
    h.decide(s.start("agent:planner", 1, "read:repo/**"));
    // When
    StepResult retry = h.process(early);
    // Then
    assertThat(ruleIds(gated)).containsExactly("unknown-session");
    assertThat(retry.retry()).isTrue();
    assertThat(retry.decision()).isEqualTo(gated);
    assertThat(h.store.get(StateKeys.dedupe("s1", early.eventId()))).isNotNull();
  }

  @Test
  void shouldDropAStoredDecisionAtMostABucketAfterItsRetention() {
    // Given: a retention of 160 s, so buckets of 10 s, and a call at 1 s
    Harness r = new Harness(Policies.withRetention(160));
    r.decide(s.start("agent:planner", 0, "read:repo/**"));
    Step read = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a"));
    r.decide(read);
    long handle = StateCodec.decodeSession(r.store.get(StateKeys.session("s1"))).handle;
    byte[] key = StateKeys.decision(handle, StateKeys.eventHash(read.eventId()));
    // When: stream time passes its retention, then the end of its bucket's
    Events other = new Events("other");
    r.decide(other.start("agent:o", 165));
    byte[] pastItsOwn = r.store.get(key);
    StepResult retry = r.process(read);
    r.decide(other.tool("agent:o", 171, "nope", Map.of()));
    // Then: kept until its bucket is due, yet never answering a retry past its retention
    assertThat(pastItsOwn).isNotNull();
    assertThat(retry.retry()).isFalse();
    assertThat(r.store.get(key)).isNull();
  }
}
