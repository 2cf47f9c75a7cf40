package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.policy.CelCustomRule;
import io.agentauditor.policy.CustomRule;
import io.agentauditor.policy.PolicySettings;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code actor.effectiveScopes} against contract section 1: a scope is within an agent's effective
 * scopes when the session's granted scopes and the delegated scopes of every hop of its path each
 * cover it. A hop that narrows a delegated scope only in part must narrow it, not drop it.
 */
class CustomRuleEffectiveScopesTest {

  private static Harness harnessWith(String id, String expression) throws Exception {
    CustomRule rule =
        CelCustomRule.compile(
            new RuleSettings(id, true, Verdict.FLAG, RuleMode.ENFORCE, Severity.LOW, List.of("DE.AE")),
            id,
            expression);
    return new Harness(Policies.with(Map.of(), List.of(rule)));
  }

  @Test
  void shouldNarrowAGrandchildsEffectiveScopesWhenItsParentIsLaterNarrowedToPartOfThem() throws Exception {
    // Given: coder was delegated read:repo/**, then lead was narrowed to read:repo/acme/**
    Harness h = harnessWith("effective-is-acme", "actor.effectiveScopes == [\"read:repo/acme/**\"]");
    Events s = new Events("s1");
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:lead", "read:repo/**"));
    h.decide(s.delegate("agent:lead", 2, "agent:coder", "read:repo/**"));
    h.decide(s.delegate("agent:planner", 3, "agent:lead", "read:repo/acme/**"));
    // When: coder reads inside what every hop still covers
    Decision d = h.decide(s.tool("agent:coder", 4, "repo.read_file", Map.of("repo", "acme/api")));
    // Then: the engine lets the call through, so coder's effective scopes are read:repo/acme/**,
    // and the rule sees them (not [], as when a partly covered scope was dropped)
    assertThat(ruleIds(d)).doesNotContain("scope-widening").contains("effective-is-acme");
  }

  @Test
  void shouldNarrowAnEffectiveScopesActionThroughTheLatticeWhenAHopHoldsOnlyAnImpliedAction() throws Exception {
    // Given: coder holds write:repo/acme/**, then lead is narrowed to read:repo/**
    Harness h = harnessWith("effective-is-read-acme", "actor.effectiveScopes == [\"read:repo/acme/**\"]");
    Events s = new Events("s1");
    h.decide(s.start("agent:planner", 0, "write:repo/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:lead", "write:repo/**"));
    h.decide(s.delegate("agent:lead", 2, "agent:coder", "write:repo/acme/**"));
    h.decide(s.delegate("agent:planner", 3, "agent:lead", "read:repo/**"));
    // When
    Decision d = h.decide(s.tool("agent:coder", 4, "repo.read_file", Map.of("repo", "acme/api")));
    // Then: write implies read, so every hop covers read:repo/acme/** (the engine allows the read)
    assertThat(d.verdict()).isNotEqualTo(Verdict.BLOCK);
    assertThat(ruleIds(d)).contains("effective-is-read-acme");
  }

  @Test
  void shouldOmitTheEffectiveScopesWhenAHopWouldMeetTooManyPairsOfScopes() throws Exception {
    // Given: 40 granted scopes, and a child delegated 30 (1,200 pairs, above the bound)
    Harness h = harnessWith("listed", "has(actor.effectiveScopes)");
    // When
    Decision d = wideChainCall(h, 40, 30);
    // Then: the key is omitted, so the rule (guarded with has()) does not fire
    assertThat(ruleIds(d)).doesNotContain("listed");
  }

  @Test
  void shouldListTheEffectiveScopesWithinTheBound() throws Exception {
    // Given: 20 granted scopes and a child delegated 30 (600 pairs)
    Harness h = harnessWith("thirty", "actor.effectiveScopes.size() == 30");
    // When
    Decision d = wideChainCall(h, 20, 30);
    // Then
    assertThat(ruleIds(d)).contains("thirty");
  }

  /**
   * A root granted {@code read:repo/gI/**} for I below {@code granted}, a child delegated {@code
   * read:repo/g(J mod granted)/xJ} for J below {@code delegated}, and the child's read of g1/x1.
   */
  private static Decision wideChainCall(Harness h, int granted, int delegated) {
    Events s = new Events("s1");
    String[] g = new String[granted];
    for (int i = 0; i < granted; i++) {
      g[i] = "read:repo/g" + i + "/**";
    }
    String[] d = new String[delegated];
    for (int j = 0; j < delegated; j++) {
      d[j] = "read:repo/g" + (j % granted) + "/x" + j;
    }
    h.decide(s.start("agent:planner", 0, g));
    h.decide(s.delegate("agent:planner", 1, "agent:coder", d));
    return h.decide(s.tool("agent:coder", 2, "repo.read_file", Map.of("repo", "g1/x1")));
  }
}
