package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.SessionLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The session limits of contract section 4 and the gate rule {@code session-limit} (section 5),
 * on small limits: 3 agents, depth 2, 2 credentials, 2 approvals.
 */
class SessionLimitRuleTest {

  private final Harness h = new Harness(Policies.withLimits(new SessionLimits(3, 2, 2, 2)));
  private final Events s = new Events("s1");

  private static void assertGatedBy(Decision d, String limit) {
    assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(ruleIds(d)).containsExactly("session-limit");
    Finding f = d.findings().get(0);
    assertThat(f.message()).contains(limit);
    assertThat(f.mode()).isEqualTo(RuleMode.ENFORCE);
    assertThat(f.severity()).isEqualTo(Severity.HIGH);
  }

  private SessionLimitRuleTest startWithTwoChildren() {
    h.decide(s.start("agent:root", 0, "read:repo/**"));
    h.decide(s.delegate("agent:root", 1, "agent:a", "read:repo/**"));
    h.decide(s.delegate("agent:root", 2, "agent:b", "read:repo/**"));
    return this;
  }

  @Test
  void shouldBlockADelegationThatWouldAddAnAgentPastMaxAgentsAndChangeNothing() {
    // Given: the root and two children, the limit of 3
    startWithTwoChildren();
    byte[] meta = h.store.get(StateKeys.session("s1"));
    // When
    Decision d = h.decide(s.delegate("agent:a", 3, "agent:c", "read:repo/**"));
    // Then: the gate is the only finding, and the chain is unchanged
    assertGatedBy(d, "limits.maxAgents is 3");
    assertThat(d.findings().get(0).message())
        .isEqualTo(
            "delegating to agent:c would add an agent to session s1, which holds 3:"
                + " limits.maxAgents is 3");
    assertThat(d.path()).containsExactly("agent:root", "agent:a");
    assertThat(h.store.get(StateKeys.agent("s1", "agent:c"))).isNull();
    assertThat(h.store.get(StateKeys.session("s1"))).isEqualTo(meta);
  }

  @Test
  void shouldJudgeADelegationOfAnAgentAlreadyInTheChainByItsOwnRulesAtTheLimit() {
    // Given: a full session
    startWithTwoChildren();
    // When: a re-delegation by the parent, a re-parenting and a cycle, none of which adds an agent
    Decision again = h.decide(s.delegate("agent:root", 3, "agent:a", "read:repo/acme/**"));
    Decision reparented = h.decide(s.delegate("agent:a", 4, "agent:b"));
    Decision cycle = h.decide(s.delegate("agent:a", 5, "agent:root"));
    // Then
    assertThat(again.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(ruleIds(reparented)).containsExactly("agent-reparented");
    assertThat(ruleIds(cycle)).containsExactly("delegation-cycle");
  }

  @Test
  void shouldBlockADelegationThatWouldPutAnAgentDeeperThanMaxDepth() {
    // Given: limits of 10 agents and depth 2; root > a > b (b at depth 2)
    Harness deep = new Harness(Policies.withLimits(new SessionLimits(10, 2, 2, 2)));
    deep.decide(s.start("agent:root", 0, "read:repo/**"));
    deep.decide(s.delegate("agent:root", 1, "agent:a", "read:repo/**"));
    Decision atLimit = deep.decide(s.delegate("agent:a", 2, "agent:b", "read:repo/**"));
    // When
    Decision over = deep.decide(s.delegate("agent:b", 3, "agent:c", "read:repo/**"));
    // Then
    assertThat(atLimit.verdict()).isEqualTo(Verdict.ALLOW);
    assertGatedBy(over, "agent:c would sit at depth 3: limits.maxDepth is 2");
  }

  @Test
  void shouldCountOnlyAppliedIssuancesOfNewCredentialIds() {
    // Given: one credential recorded, one issuance blocked (never expires), one flagged (static)
    h.decide(s.start("agent:root", 0, "read:repo/**"));
    h.decide(s.issue("agent:root", 1, "k1", "agent:root", "read:repo/x"));
    Decision blocked =
        h.decide(
            s.issue("agent:root", 2, "k2", "agent:root", null, CredentialKind.OIDC_TOKEN,
                CredentialStorage.MEMORY, "read:repo/x"));
    Decision flagged =
        h.decide(
            s.issue("agent:root", 3, "k3", "agent:root", 60, CredentialKind.API_KEY,
                CredentialStorage.MEMORY, "read:repo/x"));
    // When: the limit of 2 is reached; an id already recorded, then a new one
    Decision conflict = h.decide(s.issue("agent:root", 4, "k1", "agent:root", "read:repo/x"));
    Decision over = h.decide(s.issue("agent:root", 5, "k4", "agent:root", "read:repo/x"));
    // Then
    assertThat(ruleIds(blocked)).containsExactly("long-lived-credential");
    assertThat(ruleIds(flagged)).containsExactly("static-credential");
    assertThat(ruleIds(conflict)).containsExactly("credential-id-conflict");
    assertGatedBy(over, "limits.maxCredentials is 2");
    assertThat(over.findings().get(0).message()).contains("issuing credential k4");
    assertThat(h.store.get(StateKeys.credential("s1", "k4"))).isNull();
  }

  @Test
  void shouldCountEveryAppliedApprovalExpiredOrNotButNoBlockedOne() {
    // Given: an approval that expired, a blocked self-approval, a valid one
    h.decide(s.start("agent:root", 0, "admin:ci/**"));
    h.decide(s.approve("agent:root", 1, "user:bob", 1, "admin:ci/x"));
    Decision self = h.decide(s.approve("agent:root", 5, "agent:root", 60, "admin:ci/x"));
    Decision second = h.decide(s.approve("agent:root", 6, "user:bob", 60, "admin:ci/x"));
    // When
    Decision third = h.decide(s.approve("agent:root", 7, "user:carol", 60, "admin:ci/x"));
    // Then
    assertThat(ruleIds(self)).containsExactly("self-approval");
    assertThat(second.verdict()).isEqualTo(Verdict.ALLOW);
    assertGatedBy(third, "limits.maxApprovals is 2");
  }

  @Test
  void shouldNeitherRestartTheIdleTimerNorCountForFanOutWhenGated() {
    // Given: a full session whose timer is at 2 s
    startWithTwoChildren();
    byte[] timer = h.store.get(StateKeys.timer("s1"));
    byte[] fanOut = h.store.get(StateKeys.fanOut("s1", "agent:root"));
    // When: the root's delegation is gated at 100 s
    Decision d = h.decide(s.delegate("agent:root", 100, "agent:c"));
    // Then
    assertThat(ruleIds(d)).containsExactly("session-limit");
    assertThat(h.store.get(StateKeys.timer("s1"))).isEqualTo(timer);
    assertThat(h.store.get(StateKeys.fanOut("s1", "agent:root"))).isEqualTo(fanOut);
  }

  @Test
  void shouldHoldTheContractDefaultsOf256AgentsWithTheRoot() {
    // Given: the default bundle; the root delegates to 255 children
    Harness defaults = new Harness();
    Events e = new Events("big");
    defaults.decide(e.start("agent:root", 0));
    Decision last = null;
    for (int i = 1; i <= 255; i++) {
      last = defaults.decide(e.delegate("agent:root", i * 6, "agent:c" + i));
    }
    // When
    Decision over = defaults.decide(e.delegate("agent:c7", 2000, "agent:c256"));
    // Then
    assertThat(last.verdict()).isEqualTo(Verdict.ALLOW);
    assertGatedBy(over, "which holds 256: limits.maxAgents is 256");
    assertThat(ruleIds(defaults.decide(e.tool("agent:c255", 2001, "repo.read_file", Map.of("repo", "x")))))
        .containsExactly("scope-widening");
    assertThat(over.path()).containsExactly("agent:root", "agent:c7");
  }
}
