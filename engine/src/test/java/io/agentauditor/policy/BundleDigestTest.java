package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The digest covers every loaded file byte for byte, and nothing else. */
class BundleDigestTest {

  private static final List<String> LOADED =
      List.of(
          "bundle.yaml",
          "lattice.yaml",
          "patterns/code.yaml",
          "patterns/secrets.yaml",
          "rules.yaml",
          "settings.yaml",
          "tools.yaml");

  @Test
  void shouldBeStableAcrossLoadsAndCopies(@TempDir Path tmp) {
    Path copy = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("copy"));

    String first = PolicyBundleLoader.load(TestBundles.defaultBundle()).digest();
    String again = PolicyBundleLoader.load(TestBundles.defaultBundle()).digest();
    String copied = PolicyBundleLoader.load(copy).digest();

    assertThat(again).isEqualTo(first);
    assertThat(copied).isEqualTo(first);
  }

  @Test
  void shouldBeTheSha256OfTheLoadedFilesInPathOrder() throws Exception {
    // Given the canonical form: sorted relative paths, each as path NUL length NUL bytes
    Path dir = TestBundles.defaultBundle();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (String rel : LOADED) {
      byte[] bytes = Files.readAllBytes(dir.resolve(rel));
      sha.update(rel.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(String.valueOf(bytes.length).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) 0);
      sha.update(bytes);
    }

    // When the bundle is loaded, then its digest is that hash in lower-case hex
    assertThat(PolicyBundleLoader.load(dir).digest())
        .isEqualTo(HexFormat.of().formatHex(sha.digest()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bundle.yaml",
        "lattice.yaml",
        "patterns/code.yaml",
        "patterns/secrets.yaml",
        "rules.yaml",
        "settings.yaml",
        "tools.yaml"
      })
  void shouldChangeWhenAnyByteOfALoadedFileChanges(String rel, @TempDir Path tmp)
      throws IOException {
    // Given a copy of the default bundle
    Path dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("b"));
    String before = PolicyBundleLoader.load(dir).digest();

    // When one byte of a loaded file changes (a comment's letter: the policy means the same)
    byte[] bytes = Files.readAllBytes(dir.resolve(rel));
    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("# ") + 2;
    bytes[at] = (byte) (bytes[at] == 'x' ? 'y' : 'x');
    Files.write(dir.resolve(rel), bytes);

    // Then the digest changes
    assertThat(PolicyBundleLoader.load(dir).digest()).isNotEqualTo(before);
  }

  @Test
  void shouldIgnoreFilesTheManifestDoesNotLoad(@TempDir Path tmp) {
    // Given a copy of the default bundle
    Path dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("b"));
    String before = PolicyBundleLoader.load(dir).digest();

    // When its README, an extras file that is not included and a new test case change
    TestBundles.write(dir, "README.md", "changed\n");
    TestBundles.write(dir, "extras/patterns-extended.yaml", "secretPatterns: []\n");
    TestBundles.write(dir, "cases/new.yaml", "anything: at all\n");

    // Then the digest is the same
    assertThat(PolicyBundleLoader.load(dir).digest()).isEqualTo(before);
  }
}
