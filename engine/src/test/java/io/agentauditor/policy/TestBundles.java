package io.agentauditor.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
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

  /** The include line of {@code extras/patterns-extended.yaml}, commented out in the default manifest. */
  private static final String EXTENDED_INCLUDE = "- extras/patterns-extended.yaml";

  /**
   * The default bundle with {@code extras/patterns-extended.yaml} included, as a deployment turns it
   * on: a copy of {@code policies/} whose manifest has that include line uncommented, loaded, then
   * deleted. The extras file itself is the repository's, unchanged.
   *
   * @throws IllegalStateException when the default manifest no longer holds the commented line
   */
  public static Policy defaultWithExtendedPatterns() {
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("extended-bundle");
      Path dir = copy(defaultBundle(), tmp.resolve("bundle"));
      String manifest = read(dir, PolicyBundleLoader.MANIFEST);
      String enabled = manifest.replace("# " + EXTENDED_INCLUDE, EXTENDED_INCLUDE);
      if (enabled.equals(manifest)) {
        throw new IllegalStateException("no '# " + EXTENDED_INCLUDE + "' in the default manifest");
      }
      write(dir, PolicyBundleLoader.MANIFEST, enabled);
      return PolicyBundleLoader.load(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (tmp != null) {
        delete(tmp);
      }
    }
  }

  private static void delete(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A bundle fixture under the engine module's {@code src/test/resources/bundles/}, found from the
   * working directory up (tests of every module run from their own directory).
   */
  public static Path fixture(String name) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path p = dir.resolve("engine/src/test/resources/bundles").resolve(name);
      if (Files.isDirectory(p)) {
        return p;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "no fixture engine/src/test/resources/bundles/" + name + " above " + Path.of("").toAbsolutePath());
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

  /**
   * {@code rulesYaml}, laid out as the default bundle's {@code rules.yaml}, with only the rules
   * items whose id is in {@code keep}: an item is its {@code "  - id: "} line and the
   * more-indented lines after it; comments and the rest are kept.
   */
  public static String keepOnlyRules(String rulesYaml, Set<String> keep) {
    StringBuilder out = new StringBuilder();
    boolean kept = true;
    for (String line : rulesYaml.split("\n", -1)) {
      if (line.startsWith("  - id: ")) {
        kept = keep.contains(line.substring("  - id: ".length()).strip());
      } else if (!line.startsWith("    ")) {
        kept = true;
      }
      if (kept) {
        out.append(line).append('\n');
      }
    }
    return out.substring(0, out.length() - 1);
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
