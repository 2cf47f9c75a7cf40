package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Scope;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ToolCatalogArgumentTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "acme/api|",
        "a.b/c-d/e_f@g|",
        "''|is empty",
        "/a|has an empty segment",
        "a/|has an empty segment",
        "a//b|has an empty segment",
        "a/./b|has a '.' segment",
        "..|has a '..' segment",
        "a/.../b|has segment '...' ending with '.'",
        "prod./db|has segment 'prod.' ending with '.'",
        "a/b.|has segment 'b.' ending with '.'",
        ".github/v1.2|",
        "a/b c|has segment 'b c' that is not a literal",
        "*|has segment '*' that is not a literal",
        "a:b|has segment 'a:b' that is not a literal",
      })
  void shouldNameTheFirstProblemOfAnArgumentValue(String value, String problem) {
    assertThat(ToolCatalog.checkArgument(value)).isEqualTo(problem);
  }

  @Property
  void shouldJudgeEveryValueAsTheSegmentRuleOfTheContractDoes(@ForAll("values") String value) {
    assertThat(ToolCatalog.checkArgument(value)).isEqualTo(bySplitting(value));
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.strings().withChars("a.b/ *:-_@Z9é").ofMinLength(1).ofMaxLength(12);
  }

  /** The rule written plainly: split on '/', then judge each segment in order. */
  private static String bySplitting(String value) {
    for (String seg : value.split("/", -1)) {
      if (seg.isEmpty()) {
        return "has an empty segment";
      }
      if (seg.equals(".") || seg.equals("..")) {
        return "has a '" + seg + "' segment";
      }
      if (!Scope.isLiteral(seg)) {
        return "has segment '" + ToolCatalog.shorten(seg) + "' that is not a literal";
      }
      if (seg.endsWith(".")) {
        return "has segment '" + ToolCatalog.shorten(seg) + "' ending with '.'";
      }
    }
    return null;
  }
}
