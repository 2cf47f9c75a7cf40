package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.policy.CustomRule;
import io.agentauditor.policy.PolicyEvaluationException;
import io.agentauditor.policy.PolicySettings;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class CustomRuleTest {

  /** A hand-written stand-in for a compiled CEL rule. */
  private static final class JavaRule implements CustomRule {
    private final RuleSettings settings;
    private final Predicate<Map<String, Object>> predicate;
    final List<Map<String, Object>> seen = new ArrayList<>();

    JavaRule(String id, Verdict action, Predicate<Map<String, Object>> predicate) {
      this.settings = new RuleSettings(id, true, action, RuleMode.ENFORCE, Severity.LOW, List.of("NIST-CSF:DE.CM-09"));
      this.predicate = predicate;
    }

    @Override
    public RuleSettings settings() {
      return settings;
    }

    @Override
    public String description() {
      return settings.ruleId() + " fired";
    }

    @Override
    public boolean matches(Map<String, Object> context) {
      seen.add(context);
      return predicate.test(context);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> m, String key) {
    return (Map<String, Object>) m.get(key);
  }

  @Test
  void shouldFireACustomRuleAfterTheBuiltinsAndFailClosedOnEvaluationErrors() {
    // Given
    JavaRule noPush =
        new JavaRule("no-main-push", Verdict.FLAG, c -> "main".equals(map(map(map(c, "step"), "payload"), "arguments").get("branch")));
    JavaRule broken =
        new JavaRule("broken", Verdict.BLOCK, c -> {
          if (map(c, "tool").isEmpty()) {
            return false;
          }
          throw new PolicyEvaluationException("broken", "no such key: x", null);
        });
    Harness h = new Harness(Policies.with(Map.of(), List.of(noPush, broken)));
    Events s = new Events("s1");
    h.decide(s.start("agent:planner", 0, "read:repo/**"));
    // When: a call that is also unknown to the catalog
    Decision d = h.decide(s.tool("agent:planner", 1, "git.push", Map.of("branch", "main")));
    // Then
    assertThat(ruleIds(d)).containsExactly("unknown-tool", "no-main-push", "broken");
    assertThat(d.findings().get(1).message()).isEqualTo("no-main-push fired");
    assertThat(d.findings().get(1).action()).isEqualTo(Verdict.FLAG);
    assertThat(d.findings().get(2).message()).startsWith("evaluation failed: ").contains("no such key: x");
    assertThat(d.findings().get(2).action()).isEqualTo(Verdict.BLOCK);
    assertThat(d.findings().get(2).references()).containsExactly("NIST-CSF:DE.CM-09");
  }

  @Test
  void shouldNotEvaluateCustomRulesForGatedSteps() {
    // Given
    JavaRule always = new JavaRule("always", Verdict.FLAG, c -> true);
    Harness h = new Harness(Policies.with(Map.of(), List.of(always)));
    // When
    Decision d = h.decide(new Events("s1").end("agent:x", 0));
    // Then
    assertThat(ruleIds(d)).containsExactly("unknown-session");
    assertThat(always.seen).isEmpty();
  }

  @Test
  void shouldGiveTheDocumentedContextWithLongsAndNoNulls() {
    // Given
    JavaRule spy = new JavaRule("spy", Verdict.FLAG, c -> false);
    Harness h = new Harness(Policies.with(Map.of(), List.of(spy)));
    Events s = new Events("s1");
    h.decide(s.start("agent:planner", 0, "read:repo/**", "write:repo/acme/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:lead", "write:repo/acme/**"));
    h.decide(s.delegate("agent:lead", 1, "agent:coder", "write:repo/acme/api", "write:repo/acme/web"));
    h.decide(s.delegate("agent:planner", 1, "agent:lead", "write:repo/acme/api")); // narrows coder
    h.decide(
        s.issue("agent:planner", 2, "c1", "agent:coder", 600, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY,
            "write:repo/acme/api"));
    // When
    h.decide(s.tool("agent:coder", 3, "repo.write_file", Map.of("repo", "acme/api", "content", "x"), "c1"));
    // Then
    Map<String, Object> c = spy.seen.get(spy.seen.size() - 1);
    assertThat(c).containsOnlyKeys("step", "actor", "session", "tool", "credential");
    assertThat(map(c, "step"))
        .containsEntry("eventId", "e6")
        .containsEntry("type", "TOOL_CALL")
        .containsEntry("occurredAt", Events.millis(3));
    assertThat(map(map(c, "step"), "payload"))
        .containsEntry("tool", "repo.write_file")
        .containsEntry("credentialId", "c1")
        .containsEntry("arguments", Map.of("repo", "acme/api", "content", "x"));
    assertThat(map(c, "actor"))
        .containsEntry("id", "agent:coder")
        .containsEntry("path", List.of("agent:planner", "agent:lead", "agent:coder"))
        .containsEntry("depth", 2L)
        .containsEntry("isRoot", false)
        .containsEntry("effectiveScopes", List.of("write:repo/acme/api"));
    assertThat(map(c, "session"))
        .containsEntry("rootAgentId", "agent:planner")
        .containsEntry("initiator", "user:alice@acme.io")
        .containsEntry("startedAt", Events.millis(0))
        .containsEntry("agentCount", 3L)
        .containsEntry("credentialCount", 1L);
    assertThat(map(c, "tool"))
        .containsEntry("name", "repo.write_file")
        .containsEntry("known", true)
        .containsEntry("requiredScopes", List.of("write:repo/acme/api"))
        .containsEntry("sink", "REPOSITORY");
    assertThat(map(c, "credential"))
        .containsEntry("id", "c1")
        .containsEntry("issuerAgentId", "agent:planner")
        .containsEntry("subjectAgentId", "agent:coder")
        .containsEntry("kind", "OIDC_TOKEN")
        .containsEntry("storage", "MEMORY")
        .containsEntry("issuedAt", Events.millis(2))
        .containsEntry("expiresAt", Events.millis(602))
        .containsEntry("revoked", false);
    Map<String, Object> end = spy.seen.get(0);
    assertThat(map(end, "actor")).containsEntry("isRoot", true).containsEntry("depth", 0L);
    assertThat(map(end, "tool")).isEmpty();
    assertThat(map(end, "credential")).isEmpty();
    assertThat(map(map(end, "step"), "payload")).doesNotContainKey("intent");
    Map<String, Object> issuance = spy.seen.get(4);
    assertThat(map(map(issuance, "step"), "payload")).containsEntry("ttlSeconds", 600L);
  }
}
