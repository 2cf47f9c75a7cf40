package io.agentauditor.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every input that once failed the fuzzer ({@link InputFuzzer}), kept as a case file in {@code
 * src/test/resources/fuzz-regressions/}: the failing record last, the records of its session before
 * it. Each runs through a fresh production topology: no crash, no dead letter hiding one, and
 * exactly one decision or dead letter per record.
 */
class FuzzRegressionsTest {

  private static final Path CASES = Path.of("src/test/resources/fuzz-regressions");

  @TempDir Path stateDir;

  @TestFactory
  Stream<DynamicTest> shouldDecideOrDeadLetterEachRecordOfEachCase() throws IOException {
    List<Path> files;
    try (Stream<Path> listed = Files.list(CASES)) {
      files = listed.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
    }
    assertThat(files).as("regression cases in %s", CASES.toAbsolutePath()).isNotEmpty();
    return files.stream()
        .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
          // Given the records of one case
          List<InputFuzzer.FuzzRecord> records = InputFuzzer.readCase(file);

          // When they go through the production topology
          InputFuzzer.Summary summary;
          try (InputFuzzer fuzzer =
              new InputFuzzer(Workload.defaultPolicy(), Files.createTempDirectory(stateDir, "case"))) {
            summary = fuzzer.replayCase(records);
          }

          // Then each is one decision or one dead letter, and none crashed
          assertThat(summary.failures()).as(file.toString()).extracting(InputFuzzer.Failure::what).isEmpty();
          assertThat(summary.inputs()).isEqualTo(records.size());
          assertThat(summary.accountingHolds()).isTrue();
        }));
  }
}
