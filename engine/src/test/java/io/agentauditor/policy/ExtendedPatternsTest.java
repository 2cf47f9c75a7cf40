package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.agentauditor.policy.ExtendedPatternExamples.Example;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code extras/patterns-extended.yaml}, loaded as a deployment loads it (the default bundle with
 * the file included): every pattern has keywords, every match of every example contains one, each
 * pattern fires on its examples and not on their near misses, and the regexes rewritten for their
 * keywords mean what they meant.
 */
class ExtendedPatternsTest {

  private static final Policy DEFAULT = PolicyBundleLoader.load(TestBundles.defaultBundle());
  private static final Policy EXTENDED = TestBundles.defaultWithExtendedPatterns();
  private static final Map<String, NamedPattern> BY_ID =
      EXTENDED.secretPatterns().stream()
          .filter(p -> ExtendedPatternExamples.IDS.contains(p.id()))
          .collect(Collectors.toMap(NamedPattern::id, Function.identity()));

  static Stream<Example> examples() {
    return ExtendedPatternExamples.all().stream();
  }

  @Test
  void shouldAddTheExtendedPatternsAfterTheDefaultOnes() {
    // Given the default bundle, and the same with the extras file included
    List<String> defaults = DEFAULT.secretPatterns().stream().map(NamedPattern::id).toList();

    // When the secret pattern ids of the extended bundle are listed
    List<String> ids = EXTENDED.secretPatterns().stream().map(NamedPattern::id).toList();

    // Then they are the defaults followed by the file's, in file order, and nothing else changed
    List<String> expected = new ArrayList<>(defaults);
    expected.addAll(ExtendedPatternExamples.IDS);
    assertThat(ids).containsExactlyElementsOf(expected);
    assertThat(EXTENDED.codePatterns()).isEqualTo(DEFAULT.codePatterns());
    assertThat(EXTENDED.digest()).isNotEqualTo(DEFAULT.digest());
  }

  @Test
  void shouldGiveEveryExtendedPatternKeywordsFoundVerbatimInItsRegex() {
    for (String id : ExtendedPatternExamples.IDS) {
      NamedPattern p = BY_ID.get(id);

      assertThat(p.keywords()).as(id).isNotEmpty();
      assertThat(p.ignoresCase()).as(id).isFalse();
      assertThat(p.keywords()).as(id).allMatch(k -> p.pattern().pattern().contains(k));
    }
  }

  @Test
  void shouldHaveTwoPositiveExamplesAndANearMissForEveryExtendedPattern() {
    Map<String, Long> perPattern =
        examples().collect(Collectors.groupingBy(Example::id, LinkedHashMap::new, Collectors.counting()));

    assertThat(perPattern.keySet()).containsExactlyInAnyOrderElementsOf(ExtendedPatternExamples.IDS);
    assertThat(perPattern.values()).allMatch(n -> n >= 2);
    assertThat(examples().map(Example::positive).distinct().count()).isEqualTo(examples().count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldFireOnTheExampleAndNotOnTheNearMiss(Example e) {
    NamedPattern p = BY_ID.get(e.id());

    assertThat(p.matches(e.positive())).as("%s on %s", e.id(), e.positive()).isTrue();
    assertThat(p.matches(e.nearMiss())).as("%s on %s", e.id(), e.nearMiss()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldFindAKeywordInEveryMatchOfTheExample(Example e) {
    // Given the example in the middle of other text
    NamedPattern p = BY_ID.get(e.id());
    String text = "before " + e.positive() + " after";

    // When every match of the regex is listed
    List<String> matches = new ArrayList<>();
    Matcher m = p.pattern().matcher(text);
    while (m.find()) {
      matches.add(m.group());
    }

    // Then each holds a keyword: the screen would let it through
    assertThat(matches).isNotEmpty();
    assertThat(matches).allMatch(s -> p.keywords().stream().anyMatch(s::contains));
  }

  @Test
  void shouldMatchLikeTheRegexesBeforeTheirRewrite() {
    // Given each rewritten pattern and the regex it was written from
    for (Map.Entry<String, String> before : ExtendedPatternExamples.REGEX_BEFORE_REWRITE.entrySet()) {
      Pattern original = Pattern.compile(before.getValue());
      Pattern rewritten = BY_ID.get(before.getKey()).pattern();
      assertThat(rewritten.pattern()).isNotEqualTo(original.pattern());

      // When both search every example text, Then they find the same matches at the same places
      examples()
          .flatMap(e -> Stream.of(e.positive(), e.nearMiss()))
          .forEach(text -> assertThat(spans(rewritten, text)).as(text).isEqualTo(spans(original, text)));
    }
  }

  /** Every match of {@code p} in {@code text}, as start and end offsets. */
  static List<List<Integer>> spans(Pattern p, String text) {
    List<List<Integer>> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(List.of(m.start(), m.end()));
    }
    return out;
  }
}
