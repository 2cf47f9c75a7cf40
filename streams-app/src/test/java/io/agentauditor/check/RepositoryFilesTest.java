package io.agentauditor.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files a check reads: text only, bounded in size, outside .git/ and the .gitignore. */
class RepositoryFilesTest {

  @TempDir Path tree;

  @Test
  void shouldSkipAndCountAFileOverTheSizeBound() throws IOException {
    // Given a text file one byte over the bound and a small one
    try (OutputStream out = Files.newOutputStream(tree.resolve("huge.txt"))) {
      byte[] line = "x".repeat(1023).concat("\n").getBytes(StandardCharsets.US_ASCII);
      for (long written = 0; written <= RepositoryFiles.MAX_BYTES; written += line.length) {
        out.write(line);
      }
    }
    Files.writeString(tree.resolve("small.txt"), "ok\n");
    RepositoryFiles.Skipped skipped = new RepositoryFiles.Skipped();
    List<String> read = new ArrayList<>();

    // When walked
    RepositoryFiles.walk(tree, skipped, f -> read.add(f.relative()));

    // Then only the small one is read, and the big one is counted
    assertThat(read).containsExactly("small.txt");
    assertThat(skipped.large()).isEqualTo(1);
  }

  @Test
  void shouldSkipAFileWithANulByteInItsFirstBytesAsBinary() throws IOException {
    // Given
    Files.write(tree.resolve("a.bin"), new byte[] {'a', 0, 'b'});
    RepositoryFiles.Skipped skipped = new RepositoryFiles.Skipped();
    List<String> read = new ArrayList<>();

    // When
    RepositoryFiles.walk(tree, skipped, f -> read.add(f.relative()));

    // Then
    assertThat(read).isEmpty();
    assertThat(skipped.binary()).isEqualTo(1);
  }

  @Test
  void shouldMatchSimpleGitignorePatternsAtAnyDepthOrAnchoredAtTheTop() {
    // Given
    RepositoryFiles.Ignore ignore =
        RepositoryFiles.Ignore.parse(List.of("*.log", "/dist", "target/", "docs/*.tmp", "!keep.log"));

    // When / Then
    assertThat(ignore.ignores("a/b/app.log", false)).isTrue();
    assertThat(ignore.ignores("dist", true)).isTrue();
    assertThat(ignore.ignores("src/dist", true)).isFalse();
    assertThat(ignore.ignores("module/target", true)).isTrue();
    assertThat(ignore.ignores("target", false)).isFalse();
    assertThat(ignore.ignores("docs/x.tmp", false)).isTrue();
    assertThat(ignore.ignores("src/App.java", false)).isFalse();
  }
}
