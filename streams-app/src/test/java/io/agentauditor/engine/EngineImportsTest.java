package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EngineImportsTest {

  private static final Path MAIN = Path.of("src/main/java/io/agentauditor");

  @Test
  void shouldKeepKafkaOutOfTheEngineAndPolicyPackages() throws IOException {
    // Given
    List<Path> sources;
    try (Stream<Path> files =
        Stream.concat(Files.walk(MAIN.resolve("engine")), Files.walk(MAIN.resolve("policy")))) {
      sources = files.filter(p -> p.toString().endsWith(".java")).toList();
    }
    // When
    List<Path> offenders =
        sources.stream()
            .filter(
                p -> {
                  try {
                    return Files.readString(p).contains("org.apache.kafka");
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                })
            .toList();
    // Then
    assertThat(sources).hasSizeGreaterThan(10);
    assertThat(offenders).isEmpty();
  }
}
