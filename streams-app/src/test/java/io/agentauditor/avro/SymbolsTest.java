package io.agentauditor.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Symbols maps by name through tables made once: it must give what {@link Enum#valueOf} gives,
 * including its exception for a reader's default symbol the other enum lacks.
 */
class SymbolsTest {

  static Stream<Arguments> enumPairs() {
    List<Class<? extends Enum<?>>[]> pairs = List.of(
        pair(io.agentauditor.model.Verdict.class, io.agentauditor.schema.Verdict.class),
        pair(io.agentauditor.model.RuleMode.class, io.agentauditor.schema.RuleMode.class),
        pair(io.agentauditor.model.Severity.class, io.agentauditor.schema.Severity.class),
        pair(io.agentauditor.model.EventType.class, io.agentauditor.schema.EventType.class),
        pair(io.agentauditor.model.CredentialKind.class, io.agentauditor.schema.CredentialKind.class),
        pair(io.agentauditor.model.CredentialStorage.class, io.agentauditor.schema.CredentialStorage.class),
        pair(io.agentauditor.model.CredentialStatus.class, io.agentauditor.schema.CredentialStatus.class));
    return pairs.stream().flatMap(p -> Stream.of(Arguments.of(p[0], p[1]), Arguments.of(p[1], p[0])));
  }

  @SafeVarargs
  private static Class<? extends Enum<?>>[] pair(Class<? extends Enum<?>>... classes) {
    return classes;
  }

  @ParameterizedTest
  @MethodSource("enumPairs")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void shouldMapEveryConstantAsEnumValueOfDoesAndThrowWhatItThrows(Class from, Class to) {
    for (Object constant : from.getEnumConstants()) {
      // Given
      Enum value = (Enum) constant;
      Object expected;
      try {
        expected = Enum.valueOf(to, value.name());
      } catch (IllegalArgumentException e) {
        expected = e.getMessage();
      }

      // When
      Object actual;
      try {
        actual = Symbols.map(value, to);
      } catch (IllegalArgumentException e) {
        actual = e.getMessage();
      }

      // Then
      assertThat(actual).isEqualTo(expected);
    }
    assertThat(Symbols.map(null, to)).isNull();
  }
}
