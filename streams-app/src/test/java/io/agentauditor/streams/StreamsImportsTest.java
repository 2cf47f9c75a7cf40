package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of the app (STYLE 11): {@code runtime} and {@code cli} build on {@code streams}, so
 * {@code streams} (topology, processors, serdes wiring, topic admin) names neither of them, not
 * even by a fully qualified name. Its typed inputs are its own: {@link TopicNames}, {@link
 * TopicSettings}.
 */
class StreamsImportsTest {

  private static final Path STREAMS = Path.of("src/main/java/io/agentauditor/streams");

  @Test
  void shouldKeepTheRuntimeAndTheCommandLineOutOfTheStreamsPackage() throws IOException {
    // Given
    List<Path> sources;
    try (Stream<Path> files = Files.walk(STREAMS)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).toList();
    }

    // When
    List<Path> offenders =
        sources.stream()
            .filter(p -> read(p).contains("io.agentauditor.runtime") || read(p).contains("io.agentauditor.cli"))
            .toList();

    // Then
    assertThat(sources).hasSizeGreaterThan(10);
    assertThat(offenders).as("streams sources naming runtime or cli").isEmpty();
  }

  private static String read(Path source) {
    try {
      return Files.readString(source);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
