package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cost limit of custom rules bounds the work of one evaluation, also where a single node does
 * work in proportion to its input (a {@code matches} over a long argument inside a macro): each
 * value counts one step per {@link CelCustomRule#UNITS_PER_STEP} characters or elements.
 */
@Timeout(60) // a guard against a hang, not a speed assertion
class CelCostLimitTest {

  @Test
  void shouldStopAnEvaluationThatReadsALongArgumentInEveryIterationOfAMacro() throws Exception {
    // Given 9000 iterations (under the iteration limit) each running a regex over a 30 KB argument:
    // 9000 nodes, but 270 million characters of regex input
    Map<String, Object> context = context("ab".repeat(15_000), 9000);
    CelCustomRule rule =
        rule("session.numbers.exists(x, step.payload.arguments.content.matches('(a|b)*c[0-9]+z'))");

    // When / Then the cost limit stops it
    assertThatThrownBy(() -> rule.matches(context))
        .isInstanceOf(PolicyEvaluationException.class)
        .hasMessageContaining("cost limit exceeded");
  }

  @Test
  void shouldLetTheSameRuleReadAShortArgumentInEveryIteration() throws Exception {
    // Given the same kind of rule over a 1 KB argument, 1000 times: within the limit
    Map<String, Object> context = context("ab".repeat(500) + "c1z", 1000);
    CelCustomRule rule =
        rule("session.numbers.all(x, step.payload.arguments.content.matches('(a|b)*c[0-9]+z'))");

    // When / Then
    assertThat(rule.matches(context)).isTrue();
  }

  /** A context whose tool call has argument {@code content}, and a session list of {@code n} numbers. */
  private static Map<String, Object> context(String content, int n) {
    List<Long> numbers = new ArrayList<>();
    LongStream.range(0, n).forEach(numbers::add);
    return Map.of(
        "step", Map.of("payload", Map.of("arguments", Map.of("content", content))),
        "actor", Map.of(),
        "session", Map.of("numbers", numbers),
        "tool", Map.of(),
        "credential", Map.of());
  }

  private static CelCustomRule rule(String expression) throws Exception {
    return CelCustomRule.compile(
        new RuleSettings("r", true, Verdict.FLAG, RuleMode.ENFORCE, Severity.LOW, List.of()),
        "r",
        expression);
  }
}
