package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom rules: compiled and type-checked at load, evaluated on the documented context, bounded.
 */
class CelCustomRuleTest {

  private static final RuleSettings SETTINGS =
      new RuleSettings("test-rule", true, Verdict.FLAG, RuleMode.ENFORCE, Severity.LOW, List.of());

  private static CelCustomRule rule(String expression) throws Exception {
    return CelCustomRule.compile(SETTINGS, "a test rule", expression);
  }

  /** The context of a TOOL_CALL by agent:coder, one hop below the root, presenting cred-1. */
  private static Map<String, Object> toolCallContext() {
    Map<String, Object> payload = new HashMap<>();
    payload.put("tool", "cloud.deploy");
    payload.put("arguments", Map.of("env", "prod", "service", "api"));
    payload.put("credentialId", "cred-1");
    Map<String, Object> step = new HashMap<>();
    step.put("eventId", "e7");
    step.put("sessionId", "s1");
    step.put("agentId", "agent:coder");
    step.put("type", "TOOL_CALL");
    step.put("occurredAt", 1_795_000_000_000L);
    step.put("payload", payload);
    Map<String, Object> actor =
        Map.of(
            "id",
            "agent:coder",
            "path",
            List.of("agent:planner", "agent:coder"),
            "depth",
            1L,
            "isRoot",
            false,
            "effectiveScopes",
            List.of("write:deploy/prod/api"));
    Map<String, Object> session =
        Map.of(
            "id",
            "s1",
            "rootAgentId",
            "agent:planner",
            "initiator",
            "user:alice@acme.io",
            "grantedScopes",
            List.of("write:deploy/**"),
            "startedAt",
            1_794_999_000_000L,
            "agentCount",
            2L,
            "credentialCount",
            1L);
    Map<String, Object> tool =
        Map.of(
            "name",
            "cloud.deploy",
            "known",
            true,
            "requiredScopes",
            List.of("write:deploy/prod/api"),
            "sink",
            "");
    Map<String, Object> credential =
        Map.of(
            "id", "cred-1",
            "issuerAgentId", "agent:planner",
            "subjectAgentId", "agent:coder",
            "scopes", List.of("write:deploy/prod/api"),
            "kind", "SHORT_LIVED_TOKEN",
            "storage", "MEMORY",
            "issuedAt", 1_794_999_500_000L,
            "expiresAt", 1_795_000_100_000L,
            "revoked", false);
    return Map.of(
        "step", step, "actor", actor, "session", session, "tool", tool, "credential", credential);
  }

  @Test
  void shouldEvaluateTrueWhenTheExpressionHolds() throws Exception {
    CelCustomRule r =
        rule(
            "step.type == 'TOOL_CALL' && tool.name == 'cloud.deploy'"
                + " && step.payload.arguments.env == 'prod' && actor.depth >= 1"
                + " && has(credential.expiresAt) && credential.expiresAt > step.occurredAt"
                + " && session.rootAgentId in actor.path && actor.isRoot == false");

    assertThat(r.matches(toolCallContext())).isTrue();
    assertThat(r.settings()).isEqualTo(SETTINGS);
    assertThat(r.description()).isEqualTo("a test rule");
  }

  @Test
  void shouldEvaluateFalseWhenTheExpressionDoesNotHold() throws Exception {
    CelCustomRule r = rule("step.type == 'TOOL_CALL' && actor.depth >= 2");

    assertThat(r.matches(toolCallContext())).isFalse();
  }

  @Test
  void shouldLetHasGuardAnAbsentKey() throws Exception {
    CelCustomRule r = rule("has(step.payload.ttlSeconds) && step.payload.ttlSeconds > 3600");

    assertThat(r.matches(toolCallContext())).isFalse();
  }

  @Test
  void shouldThrowPolicyEvaluationExceptionOnAnAbsentKey() throws Exception {
    CelCustomRule r = rule("step.payload.ttlSeconds > 3600");

    assertThatThrownBy(() -> r.matches(toolCallContext()))
        .isInstanceOf(PolicyEvaluationException.class)
        .hasMessageContaining("test-rule")
        .hasMessageContaining("ttlSeconds");
  }

  @Test
  void shouldStopARunawayComprehensionAtTheIterationLimit() throws Exception {
    // Given nested comprehensions over the 2-element path: 2^14 = 16384 iterations > 10000
    StringBuilder e = new StringBuilder("true");
    for (int i = 0; i < 14; i++) {
      e = new StringBuilder("actor.path.all(x" + i + ", " + e + ")");
    }
    CelCustomRule r = rule(e.toString());

    // When evaluated, then it is stopped, not run to the end
    assertThatThrownBy(() -> r.matches(toolCallContext()))
        .isInstanceOf(PolicyEvaluationException.class)
        .hasMessageContaining("test-rule")
        .hasMessageContaining("budget exceeded");
  }

  @Test
  void shouldStopAnEvaluationThatExceedsTheCostLimit() throws Exception {
    // Given 9000 iterations (under the iteration limit) of a body of about 25 nodes
    Map<String, Object> context = new HashMap<>(toolCallContext());
    List<Long> big = new ArrayList<>();
    LongStream.range(0, 9000).forEach(big::add);
    context.put("session", Map.of("numbers", big));
    CelCustomRule r =
        rule("session.numbers.all(x, x + x + x + x + x + x + x + x + x + x + x + x >= 0)");

    // When evaluated, then the cost limit stops it
    assertThatThrownBy(() -> r.matches(context))
        .isInstanceOf(PolicyEvaluationException.class)
        .hasMessageContaining("cost limit exceeded");
  }

  @Test
  void shouldRejectAnExpressionThatIsNotBoolean() {
    CelCustomRule.InvalidExpressionException e =
        catchThrowableOfType(
            CelCustomRule.InvalidExpressionException.class, () -> rule("size(actor.path)"));

    assertThat(e.issues())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.message()).contains("must be of type bool, but it is int");
            });
  }

  @Test
  void shouldRejectADynExpressionWithAHint() {
    CelCustomRule.InvalidExpressionException e =
        catchThrowableOfType(
            CelCustomRule.InvalidExpressionException.class, () -> rule("actor.isRoot"));

    assertThat(e.issues().get(0).message()).contains("dyn").contains("actor.isRoot == true");
  }

  @Test
  void shouldReportCompileErrorsWithTheirFileLine(@TempDir Path tmp) {
    // Given a bundle whose custom rule has a bad second line (file line 7) in a block scalar,
    // and another whose one-line expression is of type string (file line 12)
    Path dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("b"));
    TestBundles.write(
        dir,
        "bundle.yaml",
        TestBundles.read(dir, "bundle.yaml")
            .replace("  - rules.yaml\n", "  - rules.yaml\n  - custom.yaml\n"));
    TestBundles.write(
        dir,
        "custom.yaml",
        String.join(
            "\n",
            "customRules:",
            "  - id: bad-syntax",
            "    description: a parse error on the expression's second line",
            "    action: FLAG",
            "    severity: LOW",
            "    expression: |",
            "      step.type == 'TOOL_CALL' &&",
            "        actor.depth >>= 2",
            "  - id: not-boolean",
            "    description: a string",
            "    action: FLAG",
            "    severity: LOW",
            "    expression: \"step.type + 'x'\"",
            ""));

    // When it is loaded
    PolicyLoadException e =
        catchThrowableOfType(PolicyLoadException.class, () -> PolicyBundleLoader.load(dir));

    // Then both are reported, at the file lines of the faulty expression text
    assertThat(e.errors())
        .extracting(PolicyError::file, PolicyError::line)
        .contains(
            org.assertj.core.groups.Tuple.tuple("custom.yaml", 8),
            org.assertj.core.groups.Tuple.tuple("custom.yaml", 13));
    assertThat(e.errors()).allSatisfy(x -> assertThat(x.message()).contains("CEL"));
  }
}
