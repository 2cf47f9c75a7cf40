package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import io.agentauditor.policy.DefaultPatternExamples;
import io.agentauditor.policy.DefaultPatternExamples.Example;
import io.agentauditor.policy.NamedPattern;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The keyword-screened pattern set names the same patterns as the plain regexes. */
class PatternSetTest {

  static final Policy POLICY = PolicyBundleLoader.load(TestBundles.defaultBundle());
  static final PatternSet SECRETS = new PatternSet(POLICY.secretPatterns());
  static final PatternSet CODE = new PatternSet(POLICY.codePatterns());

  private static final String PREFIX = "argument 'content' matches ";

  static Stream<Example> examples() {
    return DefaultPatternExamples.all().stream();
  }

  private static PatternSet setOf(String id) {
    return POLICY.secretPatterns().stream().anyMatch(p -> p.id().equals(id)) ? SECRETS : CODE;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldFireOnEachDefaultPositiveExampleThroughTheKeywordScreen(Example e) {
    // Given a tool call whose argument carries the example among other arguments
    Map<String, String> args = new LinkedHashMap<>();
    args.put("repo", "acme/api");
    args.put("content", "# header\n" + e.positive() + "\n# footer");

    // When the screened set matches the arguments
    String hits = setOf(e.id()).hits(args);

    // Then the pattern is named, as the plain regex says
    assertThat(hits).startsWith(PREFIX);
    assertThat(hits.substring(PREFIX.length()).split(", ")).contains(e.id());
    String miss = setOf(e.id()).hits(Map.of("content", e.nearMiss()));
    assertThat(miss == null ? List.of() : List.of(miss.substring(PREFIX.length()).split(", ")))
        .doesNotContain(e.id());
  }

  @Test
  void shouldListArgumentsInNameOrderAndPatternsInBundleOrder() {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("z", "xoxb-1234567890-abcdefghij and AKIAIOSFODNN7EXAMPLE");
    args.put("a", "ghp_" + "a1B2".repeat(9));
    args.put("m", "nothing to see");

    assertThat(SECRETS.hits(args))
        .isEqualTo(
            "argument 'a' matches github-classic-token;"
                + " argument 'z' matches aws-access-key-id, slack-token");
  }

  @Test
  void shouldRunPatternsWithoutKeywordsOnEveryValue() {
    // Given a set mixing a screened pattern and two unscreened ones
    PatternSet set =
        new PatternSet(
            List.of(
                new NamedPattern("screened", "", Pattern.compile("tok_[0-9]{4}"), null, List.of("tok_")),
                new NamedPattern("digits", "", Pattern.compile("[0-9]{6}")),
                new NamedPattern("word", "", Pattern.compile("\\bsecret\\b"))));

    // Then the unscreened ones still fire, alone or together
    assertThat(set.hits(Map.of("v", "pin 123456"))).isEqualTo("argument 'v' matches digits");
    assertThat(set.hits(Map.of("v", "a secret tok_1234 and 999999")))
        .isEqualTo("argument 'v' matches screened, digits, word");
    assertThat(set.hits(Map.of("v", "tok_12"))).isNull();
  }

  @Test
  void shouldScreenACaseInsensitivePatternIgnoringCase() {
    // Given a case-insensitive pattern whose keyword is written in lower case
    PatternSet set =
        new PatternSet(
            List.of(
                new NamedPattern(
                    "password-in-url", "", Pattern.compile("(?i)password=[^&\\s]{4,}"), null, List.of("password="))));

    // Then upper case and case-folding look-alikes (long s, Kelvin sign) pass the screen
    assertThat(set.hits(Map.of("u", "https://h/?PASSWORD=hunter2"))).contains("password-in-url");
    assertThat(set.hits(Map.of("u", "https://h/?pa\u017F\u017Fword=hunter2"))).contains("password-in-url");
    assertThat(set.hits(Map.of("u", "https://h/?user=x"))).isNull();
  }

  @Test
  void shouldMatchNothingWithNoPatternsOrNoArguments() {
    assertThat(new PatternSet(List.of()).hits(Map.of("a", "AKIAIOSFODNN7EXAMPLE"))).isNull();
    assertThat(SECRETS.hits(Map.of())).isNull();
  }
}
