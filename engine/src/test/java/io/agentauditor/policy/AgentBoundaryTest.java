package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentBoundaryTest {

  @ParameterizedTest
  @CsvSource({
    "agent:ci-*, agent:ci-build, true",
    "agent:ci-*, agent:ci-, true",
    "agent:ci-*, agent:ci, false",
    "agent:ci-*, Agent:ci-build, false",
    "spiffe://acme.io/*/coder, spiffe://acme.io/a/b/coder, true",
    "spiffe://acme.io/*/coder, spiffe://acme.io/a/coder2, false",
    "*, anything at all, true",
    "*a*b*, xxaxxbxx, true",
    "*a*b*, xxbxxaxx, false",
    "agent:x, agent:x, true",
    "agent:x, agent:xy, false",
    "a.c, abc, false",
  })
  void shouldMatchAStarAsAnyRunOfCharactersAndEverythingElseLiterally(
      String pattern, String agentId, boolean matches) {
    // When / Then
    assertThat(new AgentBoundary(pattern, List.of()).matches(agentId)).isEqualTo(matches);
  }

  @Property(tries = 3000)
  void shouldMatchAsTheEquivalentRegexDoes(
      @ForAll("patterns") String pattern, @ForAll("ids") String agentId) {
    // Given the pattern as a regex: the runs between stars quoted, joined by .*
    String regex =
        java.util.Arrays.stream(pattern.split("\\*", -1))
            .map(Pattern::quote)
            .collect(java.util.stream.Collectors.joining("(?s).*"));
    // When / Then
    assertThat(new AgentBoundary(pattern, List.of()).matches(agentId))
        .isEqualTo(Pattern.matches(regex, agentId));
  }

  @Provide
  Arbitrary<String> patterns() {
    return Arbitraries.strings().withChars("ab*").ofMinLength(1).ofMaxLength(8);
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.strings().withChars("abc").ofMaxLength(10);
  }
}
