package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each default pattern fires on a positive example and not on a near miss. */
class DefaultPatternsTest {

  private static final Policy POLICY = PolicyBundleLoader.load(TestBundles.defaultBundle());
  private static final Map<String, NamedPattern> BY_ID =
      Stream.concat(POLICY.secretPatterns().stream(), POLICY.codePatterns().stream())
          .collect(Collectors.toMap(NamedPattern::id, Function.identity()));

  static Stream<Arguments> examples() {
    return DefaultPatternExamples.all().stream()
        .map(e -> Arguments.of(e.id(), e.positive(), e.nearMiss()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldFireOnTheExampleAndNotOnTheNearMiss(String id, String positive, String nearMiss) {
    NamedPattern p = BY_ID.get(id);
    assertThat(p).as("pattern %s", id).isNotNull();

    assertThat(p.matches(positive)).as("%s on %s", id, positive).isTrue();
    assertThat(p.matches(nearMiss)).as("%s on %s", id, nearMiss).isFalse();
  }

  @Test
  void shouldHaveAnExampleForEveryDefaultPattern() {
    List<String> covered = new ArrayList<>();
    examples().forEach(a -> covered.add((String) a.get()[0]));

    assertThat(covered).containsAll(BY_ID.keySet());
  }
}
