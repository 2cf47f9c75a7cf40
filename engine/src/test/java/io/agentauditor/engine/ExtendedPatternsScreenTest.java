package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.ExtendedPatternExamples;
import io.agentauditor.policy.ExtendedPatternExamples.Example;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.TestBundles;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's keyword-screened pattern sets, built from the default bundle with {@code
 * extras/patterns-extended.yaml} included as the engine builds them (one screen shared by the secret
 * and the code patterns), flag every extended example and none of its near misses.
 */
class ExtendedPatternsScreenTest {

  static final Policy POLICY = TestBundles.defaultWithExtendedPatterns();
  private static final String PREFIX = "argument 'content' matches ";

  private final List<PatternSet> sets =
      PatternSet.sharingOneScreen(POLICY.secretPatterns(), POLICY.codePatterns());

  static Stream<Example> examples() {
    return ExtendedPatternExamples.all().stream();
  }

  private static List<String> ids(String hits) {
    return hits == null ? List.of() : Arrays.asList(hits.substring(PREFIX.length()).split(", "));
  }

  private static String first(String id) {
    return examples().filter(e -> e.id().equals(id)).findFirst().orElseThrow().positive();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldFlagTheExampleThroughTheKeywordScreen(Example e) {
    // Given a tool call whose argument carries the example among other arguments
    Map<String, String> args = new LinkedHashMap<>();
    args.put("repo", "acme/api");
    args.put("content", "# deploy notes\n" + e.positive() + "\n# end");

    // When the code set then the secret set scan the arguments, as the engine does for a repository
    String code = sets.get(1).hits(args);
    String secrets = sets.get(0).hits(args);

    // Then the secret set names the pattern, as the plain regex does
    assertThat(code).isNull();
    assertThat(secrets).startsWith(PREFIX);
    assertThat(ids(secrets)).contains(e.id());
    assertThat(secrets).isEqualTo(PatternSetPropertyTest.plainHits(POLICY.secretPatterns(), args));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldNotFlagTheNearMiss(Example e) {
    // Given the near miss, alone and then beside text holding every keyword but no match
    String keywordsOnly = "glpat- gho_ ghu_ ghs_ ghr_ AIza sk_live_ rk_live_ https://hooks npm_"
        + " T3BlbkFJ sk-ant- AccountKey= ://";

    // When the secret set scans each
    String alone = sets.get(0).hits(Map.of("content", e.nearMiss()));
    String beside = sets.get(0).hits(Map.of("content", e.nearMiss() + "\n" + keywordsOnly));

    // Then the pattern is not named
    assertThat(ids(alone)).doesNotContain(e.id());
    assertThat(ids(beside)).doesNotContain(e.id());
  }

  @Test
  void shouldNameSeveralExtendedPatternsInOneValueInBundleOrder() {
    // Given one value carrying a Stripe key, a GitLab token and a password in a URL, in that order
    String value =
        String.join(
            " ", first("stripe-secret-key"), first("gitlab-personal-access-token"), first("basic-auth-in-url"));

    // When the secret set scans it
    String hits = sets.get(0).hits(Map.of("content", value));

    // Then the three are named in the bundle's order
    assertThat(hits)
        .isEqualTo(PREFIX + "gitlab-personal-access-token, stripe-secret-key, basic-auth-in-url");
  }
}
