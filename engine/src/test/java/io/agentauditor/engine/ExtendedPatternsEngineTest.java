package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.policy.ExtendedPatternExamples;
import io.agentauditor.policy.ExtendedPatternExamples.Example;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.model.Verdict;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The extended patterns reach decisions: with {@code extras/patterns-extended.yaml} included, a
 * tool call carrying an example is blocked by {@code secret-in-arguments}; with the default bundle,
 * which does not load the file, the same call is allowed.
 */
class ExtendedPatternsEngineTest {

  private static final Policy DEFAULT = PolicyBundleLoader.load(TestBundles.defaultBundle());

  static Stream<Example> examples() {
    return ExtendedPatternExamples.all().stream();
  }

  /** The decision on a write of {@code content} to a repository, in a fresh session. */
  private static Decision writeToRepository(Policy policy, String content) {
    Harness h = new Harness(policy);
    Events s = new Events("s1");
    h.decide(s.start("agent:coder", 0, "write:repo/acme/**"));
    return h.decide(
        s.tool(
            "agent:coder",
            5,
            "repo.write_file",
            Map.of("repo", "acme/api", "path", "deploy/notes.md", "content", "# notes\n" + content + "\n")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldBlockTheExampleOnlyWhenTheExtrasAreIncluded(Example e) {
    // When the same call is decided under the extended and the default bundle
    Decision extended = writeToRepository(ExtendedPatternsScreenTest.POLICY, e.positive());
    Decision defaults = writeToRepository(DEFAULT, e.positive());

    // Then the extended bundle blocks it, naming the pattern but not the secret
    assertThat(extended.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(ruleIds(extended)).containsExactly("secret-in-arguments");
    assertThat(extended.findings().get(0).message())
        .contains("argument 'content' matches", e.id())
        .doesNotContain(e.positive());
    // And the default bundle allows it
    assertThat(defaults.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(defaults.findings()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldNotBlockTheNearMissForItsPattern(Example e) {
    // When a call carrying the near miss is decided under the extended bundle
    Decision d = writeToRepository(ExtendedPatternsScreenTest.POLICY, e.nearMiss());

    // Then no finding names the pattern
    assertThat(d.findings()).noneMatch(f -> f.message().contains(e.id()));
  }
}
