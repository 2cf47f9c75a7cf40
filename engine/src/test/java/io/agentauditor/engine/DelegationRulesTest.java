package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Verdict;
import org.junit.jupiter.api.Test;

class DelegationRulesTest {

  private final Harness h = new Harness();
  private final Events s = new Events("s1");

  private void startPlanner() {
    h.decide(s.start("agent:planner", 0, "read:repo/acme/**", "write:repo/acme/**"));
  }

  @Test
  void shouldAllowDelegationWithinEffectiveScopes() {
    // Given
    startPlanner();
    // When
    Decision d = h.decide(s.delegate("agent:planner", 1, "agent:coder", "write:repo/acme/api", "read:repo/acme/*"));
    // Then
    assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(d.findings()).isEmpty();
    assertThat(d.path()).containsExactly("agent:planner");
    assertThat(d.policy()).isEqualTo(Policies.defaultPolicy().identity());
  }

  @Test
  void shouldBlockDelegationThatWidensScopeNamingEveryUncoveredScope() {
    // Given
    startPlanner();
    // When: write implies read (lattice), but admin and other resources are not granted
    Decision d =
        h.decide(
            s.delegate(
                "agent:planner", 1, "agent:coder", "read:repo/acme/api", "admin:repo/acme/api", "write:repo/other"));
    // Then
    assertThat(ruleIds(d)).containsExactly("scope-widening");
    assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(d.findings().get(0).message()).contains("admin:repo/acme/api", "write:repo/other");
    assertThat(d.findings().get(0).message()).doesNotContain("read:repo/acme/api");
  }

  private void chainWithLeadNarrowedAfterCoder() {
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:lead", "read:repo/**"));
    h.decide(s.delegate("agent:lead", 2, "agent:coder", "read:repo/acme/**"));
    h.decide(s.delegate("agent:planner", 3, "agent:lead", "read:repo/other/**"));
  }

  @Test
  void shouldBlockWideningBelowAnAncestorWhoseScopesWereNarrowedAfterItsChildWasChecked() {
    // Given: a chain planner > lead > coder, each list checked against the lists above it (the
    // coder's list remembers that lead's and the granted ones cover it); then lead is re-delegated
    // a narrower list
    chainWithLeadNarrowedAfterCoder();
    // When: the coder delegates what its own list covers, and lead's old list did
    Decision d = h.decide(s.delegate("agent:coder", 4, "agent:tester", "read:repo/acme/api"));
    // Then: lead's list now is asked again, and doesn't cover it
    assertThat(ruleIds(d)).containsExactly("scope-widening");
    assertThat(d.findings().get(0).message()).contains("read:repo/acme/api");
  }

  @Test
  void shouldAllowWithinTheSameListsAgainAfterAnAncestorIsReDelegatedItsFormerScopes() {
    // Given: as above, then lead is given back its former list
    chainWithLeadNarrowedAfterCoder();
    h.decide(s.delegate("agent:planner", 4, "agent:lead", "read:repo/**"));
    // When
    Decision d = h.decide(s.delegate("agent:coder", 5, "agent:tester", "read:repo/acme/api"));
    // Then
    assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void shouldNotAddTheChildOfABlockedDelegation() {
    // Given
    startPlanner();
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "admin:**"));
    // When
    Decision d = h.decide(s.tool("agent:coder", 2, "repo.read_file", java.util.Map.of("repo", "acme/api")));
    // Then
    assertThat(ruleIds(d)).containsExactly("unknown-agent");
    assertThat(d.path()).isEmpty();
  }

  @Test
  void shouldNarrowTheWholeSubtreeWhenAParentIsRedelegatedNarrower() {
    // Given: planner > coder (write acme/**) > tester (write acme/api)
    startPlanner();
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "write:repo/acme/**"));
    h.decide(s.delegate("agent:coder", 2, "agent:tester", "write:repo/acme/api"));
    assertThat(h.decide(s.tool("agent:tester", 3, "repo.write_file", java.util.Map.of("repo", "acme/api", "path", "a")))
            .verdict())
        .isEqualTo(Verdict.ALLOW);
    // When: the planner re-delegates the coder read-only
    Decision redelegation = h.decide(s.delegate("agent:planner", 4, "agent:coder", "read:repo/acme/**"));
    Decision write =
        h.decide(s.tool("agent:tester", 5, "repo.write_file", java.util.Map.of("repo", "acme/api", "path", "a")));
    // Then
    assertThat(redelegation.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(ruleIds(write)).containsExactly("scope-widening");
    assertThat(write.path()).containsExactly("agent:planner", "agent:coder", "agent:tester");
  }

  @Test
  void shouldBlockDelegationToTheActorItselfOrAnAncestorAsACycle() {
    // Given
    startPlanner();
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "read:repo/acme/**"));
    // When
    Decision self = h.decide(s.delegate("agent:coder", 2, "agent:coder", "read:repo/acme/**"));
    Decision root = h.decide(s.delegate("agent:coder", 3, "agent:planner", "read:repo/acme/**"));
    // Then
    assertThat(ruleIds(self)).containsExactly("delegation-cycle");
    assertThat(ruleIds(root)).containsExactly("delegation-cycle");
    assertThat(root.verdict()).isEqualTo(Verdict.BLOCK);
  }

  @Test
  void shouldBlockReparentingAnAgentThatSitsUnderAnotherParent() {
    // Given: planner > coder, planner > reviewer
    startPlanner();
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "read:repo/acme/**"));
    h.decide(s.delegate("agent:planner", 2, "agent:reviewer", "read:repo/acme/**"));
    // When
    Decision d = h.decide(s.delegate("agent:reviewer", 3, "agent:coder", "read:repo/acme/**"));
    Decision sameParent = h.decide(s.delegate("agent:planner", 4, "agent:coder", "read:repo/acme/api"));
    // Then
    assertThat(ruleIds(d)).containsExactly("agent-reparented");
    assertThat(d.findings().get(0).message()).contains("agent:planner");
    assertThat(sameParent.findings()).isEmpty();
  }

  @Test
  void shouldFlagDelegationBeyondMaxDepthButNotAtIt() {
    // Given: a chain of depth 2 (planner=0, a1=1, a2=2)
    startPlanner();
    h.decide(s.delegate("agent:planner", 1, "agent:a1", "read:repo/acme/**"));
    h.decide(s.delegate("agent:a1", 2, "agent:a2", "read:repo/acme/**"));
    // When
    Decision depth3 = h.decide(s.delegate("agent:a2", 3, "agent:a3", "read:repo/acme/**"));
    Decision depth4 = h.decide(s.delegate("agent:a3", 4, "agent:a4", "read:repo/acme/**"));
    // Then
    assertThat(depth3.findings()).isEmpty();
    assertThat(ruleIds(depth4)).containsExactly("delegation-depth");
    assertThat(depth4.verdict()).isEqualTo(Verdict.FLAG);
    assertThat(depth4.findings().get(0).message()).contains("depth 4", "maxDelegationDepth 3");
    // A FLAG step applies its effect: a4 is in the chain.
    assertThat(h.decide(s.tool("agent:a4", 5, "repo.read_file", java.util.Map.of("repo", "acme/x"))).path())
        .containsExactly("agent:planner", "agent:a1", "agent:a2", "agent:a3", "agent:a4");
  }

  @Test
  void shouldListSeveralFindingsOfOneDelegationInTableOrder() {
    // Given
    startPlanner();
    h.decide(s.delegate("agent:planner", 1, "agent:a1", "read:repo/acme/**"));
    h.decide(s.delegate("agent:a1", 2, "agent:a2", "read:repo/acme/**"));
    h.decide(s.delegate("agent:a2", 3, "agent:a3", "read:repo/acme/**"));
    // When: a3 widens and delegates back to a1 at depth 4
    Decision d = h.decide(s.delegate("agent:a3", 4, "agent:a1", "write:repo/acme/**"));
    // Then
    assertThat(ruleIds(d)).containsExactly("scope-widening", "delegation-cycle", "delegation-depth");
  }
}
