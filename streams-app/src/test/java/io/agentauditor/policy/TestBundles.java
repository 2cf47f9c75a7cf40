package io.agentauditor.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Where the test bundles are, and ways to make variants of them in a temporary directory. */
public final class TestBundles {
  private TestBundles() {}

  /** The repository's default bundle, {@code policies/}, found from the working directory up. */
  public static Path defaultBundle() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("policies");
      if (Files.isRegularFile(candidate.resolve(PolicyBundleLoader.MANIFEST))) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "no policies/bundle.yaml above " + Path.of("").toAbsolutePath());
  }

  /** A bundle fixture under {@code src/test/resources/bundles/}. */
  public static Path fixture(String name) {
    Path p = Path.of("src/test/resources/bundles").resolve(name);
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("no fixture " + p.toAbsolutePath());
    }
    return p;
  }

  /** Copies {@code from} (recursively) into {@code to}, which is created. */
  public static Path copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code text} as UTF-8 to {@code dir/rel}, creating parent directories. */
  public static void write(Path dir, String rel, String text) {
    try {
      Path p = dir.resolve(rel);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@code dir/rel} as UTF-8. */
  public static String read(Path dir, String rel) {
    try {
      return Files.readString(dir.resolve(rel), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
