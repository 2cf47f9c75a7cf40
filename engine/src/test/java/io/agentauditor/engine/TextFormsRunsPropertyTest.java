package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The runs {@link TextForms} decodes are exactly the maximal runs of at least {@value
 * TextForms#MIN_RUN} characters of {@code [A-Za-z0-9+/_-]} (contract section 7), in text order:
 * runs of every length around the bound, next to each other, at either end of the text, between
 * words and separators of every length.
 */
class TextFormsRunsPropertyTest {

  private static final Pattern RUN = Pattern.compile("[A-Za-z0-9+/_-]{" + TextForms.MIN_RUN + ",}");

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> run =
        Arbitraries.strings().withChars("aZ09+/_-".toCharArray()).ofMinLength(1).ofMaxLength(60);
    Arbitrary<String> gap =
        Arbitraries.strings().withChars(" .=\n\u00E9\uFF21".toCharArray()).ofMinLength(1).ofMaxLength(30);
    return Arbitraries.oneOf(run, gap).list().ofMaxSize(16).map(parts -> String.join("", parts));
  }

  @Property(tries = 3000)
  void shouldDecodeExactlyTheMaximalRunsLongEnough(@ForAll("texts") String text) {
    List<String> expected = new ArrayList<>();
    Matcher m = RUN.matcher(text);
    while (m.find()) {
      expected.add(m.start() + "-" + m.end());
    }
    List<String> runs = new ArrayList<>();
    new TextForms()
        .forEachDecodedRun(
            text,
            (decoded, start, end) -> {
              String run = start + "-" + end;
              if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(run)) {
                runs.add(run);
              }
              return false;
            });

    assertThat(runs).isEqualTo(expected);
    assertThat(new TextForms().joinedDecoded(text) == null).isEqualTo(expected.isEmpty());
  }
}
