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
}
