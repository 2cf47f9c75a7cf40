package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FanOutRuleTest {

  private final Harness h = new Harness();
  private final Events s = new Events("s1");

  @BeforeEach
  void start() {
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
  }

  private Decision delegate(double at, int n) {
    return h.decide(s.delegate("agent:planner", at, "agent:c" + n, "read:repo/a"));
  }

  @Test
  void shouldFlagTheEleventhStepInTheWindowButNotTheTenth() {
    // Given: 9 delegations and one issuance
    for (int i = 0; i < 9; i++) {
      assertThat(delegate(1 + i, i).findings()).isEmpty();
    }
    Decision tenth = h.decide(s.issue("agent:planner", 10, "c1", "agent:planner", "read:repo/a"));
    // When
    Decision eleventh = delegate(11, 99);
    // Then
    assertThat(tenth.findings()).isEmpty();
    assertThat(ruleIds(eleventh)).containsExactly("fan-out");
    assertThat(eleventh.verdict()).isEqualTo(Verdict.FLAG);
    assertThat(eleventh.findings().get(0).message()).contains("11", "60s", "fanOut.max 10");
  }

  @Test
  void shouldNotCountAStepExactlyOneWindowOld() {
    // Given: ten steps at t=1..10 in two sessions
    Events other = new Events("s2");
    h.decide(other.start("agent:planner", 0, "read:repo/**"));
    for (int i = 0; i < 10; i++) {
      delegate(1 + i, i);
      h.decide(other.delegate("agent:planner", 1 + i, "agent:c" + i, "read:repo/a"));
    }
    // When: t - 60 < occurredAt is strict, so at t=61 the step at t=1 is out, at t=60.999 it is in
    Decision at61 = delegate(61, 100);
    Decision at60999 = h.decide(other.delegate("agent:planner", 60.999, "agent:late", "read:repo/a"));
    // Then
    assertThat(at61.findings()).isEmpty();
    assertThat(ruleIds(at60999)).containsExactly("fan-out");
  }

  @Test
  void shouldCountBlockedStepsButNotGatedOnesOrRetries() {
    // Given: five blocked (widening) delegations, one retried five times, gated steps of a stranger
    for (int i = 0; i < 5; i++) {
      assertThat(h.decide(s.delegate("agent:planner", 1, "agent:b" + i, "admin:**")).verdict())
          .isEqualTo(Verdict.BLOCK);
    }
    Step once = s.delegate("agent:planner", 2, "agent:r", "read:repo/a");
    for (int i = 0; i < 5; i++) {
      h.decide(once);
    }
    for (int i = 0; i < 5; i++) {
      h.decide(s.delegate("agent:stranger", 3, "agent:x" + i, "read:repo/a"));
    }
    // When: steps 7 to 11 of the planner
    Decision tenth = null;
    for (int i = 0; i < 4; i++) {
      tenth = delegate(4, i);
    }
    Decision eleventh = delegate(5, 50);
    // Then
    assertThat(tenth.findings()).isEmpty();
    assertThat(ruleIds(eleventh)).containsExactly("fan-out");
  }

  @Test
  void shouldFlagABurstThatAFarFutureDecoyPrecedes() {
    // Given: one delegation stamped 1,500 s ahead
    assertThat(delegate(1500, 1000).findings()).isEmpty();
    // When: eleven delegations within 2 s of the present
    Decision tenth = null;
    for (int i = 0; i < 10; i++) {
      tenth = delegate(1 + i * 0.1, i);
    }
    Decision eleventh = delegate(2, 10);
    // Then: the decoy is outside their window and hides none of them
    assertThat(tenth.findings()).isEmpty();
    assertThat(ruleIds(eleventh)).containsExactly("fan-out");
  }

  @Test
  void shouldCountALateStepAgainstEveryStepOfItsWindow() {
    // Given: ten issuances at 50..58 s and one at 60.001 s
    for (int i = 0; i < 10; i++) {
      h.decide(s.issue("agent:planner", 50 + i * 0.8, "c" + i, "agent:planner", "read:repo/a"));
    }
    h.decide(s.issue("agent:planner", 60.001, "c10", "agent:planner", "read:repo/a"));
    // When: one stamped 59 s arrives; its window (-1 s, 59 s] holds the ten and itself
    Decision late = h.decide(s.issue("agent:planner", 59, "c11", "agent:planner", "read:repo/a"));
    // Then
    assertThat(ruleIds(late)).containsExactly("fan-out");
    assertThat(late.findings().get(0).message()).contains("made 11 ");
  }

  @Test
  void shouldCountALateStepAgainstAnEarlierBurstAfterManyLaterSteps() {
    // Given: a burst of 20 at 10.00..10.19 s, then 64 delegations at 60.50..61.13 s
    for (int i = 0; i < 20; i++) {
      delegate(10 + i * 0.01, i);
    }
    for (int i = 0; i < 64; i++) {
      delegate(60.5 + i * 0.01, 100 + i);
    }
    // When: a step stamped 11 s arrives; its window (-49 s, 11 s] holds the burst
    Decision late = delegate(11, 999);
    // Then: the later steps did not push the burst out of the actor's record
    assertThat(ruleIds(late)).containsExactly("fan-out");
  }

  @Test
  void shouldKeepTheFanOutRecordBoundedWhateverTheStamps() {
    // When: 2,000 delegations, bursts and far-apart steps mixed, some stamped far ahead
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 2_000; i++) {
      double at = random.nextInt(4) == 0 ? random.nextInt(1_000_000) : 100 + random.nextInt(5_000) / 100.0;
      delegate(at, i);
    }
    // Then
    long[] kept = StateCodec.decodeTimes(h.store.get(StateKeys.fanOut("s1", "agent:planner")));
    assertThat(kept.length).isLessThanOrEqualTo(CompiledPolicy.FAN_OUT_KEPT);
  }
}
