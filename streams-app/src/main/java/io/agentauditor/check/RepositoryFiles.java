package io.agentauditor.check;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a check reads under one path: a file as given, or every regular file of a directory in
 * name order, leaving out {@code .git/} and what the directory's top-level {@code .gitignore}
 * ignores (simple patterns: globs, a leading {@code /} anchoring to the top, a trailing {@code /}
 * for directories only; negations and nested {@code .gitignore} files are not read), and reading
 * no binary file (a NUL byte in its first {@value #SNIFF_BYTES} bytes) and no file over {@link
 * #MAX_BYTES}: those are counted instead.
 */
public final class RepositoryFiles {

  /** The largest file read: a bigger one is counted as skipped. */
  public static final long MAX_BYTES = 8L << 20;

  /** How much of a file is looked at for a NUL byte. */
  static final int SNIFF_BYTES = 8192;

  /** A text file: its path as reachable from the working directory, its path in the tree, its text. */
  public record TextFile(Path path, String relative, String content) {}

  /** Receives each text file. */
  @FunctionalInterface
  public interface Sink {
    void accept(TextFile file);
  }

  /** What was not read, by reason. */
  public static final class Skipped {
    int binary;
    int large;
    int ignored;

    public int binary() {
      return binary;
    }

    public int large() {
      return large;
    }

    public int ignored() {
      return ignored;
    }
  }

  private RepositoryFiles() {}

  /**
   * Hands every text file under {@code path} to {@code sink}, counting what it skips in {@code
   * skipped}.
   *
   * @throws UncheckedIOException when a file or directory can't be read
   * @throws java.nio.file.NoSuchFileException wrapped likewise, when {@code path} does not exist
   */
  public static void walk(Path path, Skipped skipped, Sink sink) {
    try {
      if (!Files.isDirectory(path)) {
        read(path, path.normalize().toString().replace('\\', '/'), skipped, sink);
        return;
      }
      Ignore ignore = Ignore.read(path.resolve(".gitignore"));
      List<Path> files = new ArrayList<>();
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (dir.equals(path)) {
                return FileVisitResult.CONTINUE;
              }
              String rel = relative(path, dir);
              if (dir.getFileName().toString().equals(".git") || ignore.ignores(rel, true)) {
                skipped.ignored++;
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (!attrs.isRegularFile()) {
                return FileVisitResult.CONTINUE;
              }
              if (ignore.ignores(relative(path, file), false)) {
                skipped.ignored++;
              } else {
                files.add(file);
              }
              return FileVisitResult.CONTINUE;
            }
          });
      files.sort(null);
      for (Path file : files) {
        read(file, relative(path, file), skipped, sink);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private static void read(Path file, String relative, Skipped skipped, Sink sink)
      throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      skipped.large++;
      return;
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(SNIFF_BYTES);
    }
    for (byte b : head) {
      if (b == 0) {
        skipped.binary++;
        return;
      }
    }
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length > MAX_BYTES) {
      skipped.large++; // grew since it was measured
      return;
    }
    // Invalid UTF-8 becomes U+FFFD, as in a decoded form: the patterns are ASCII.
    sink.accept(new TextFile(file, relative, new String(bytes, StandardCharsets.UTF_8)));
  }

  /** The simple patterns of a top-level {@code .gitignore}. */
  static final class Ignore {
    private final List<Rule> rules;

    private record Rule(PathMatcher matcher, boolean anchored, boolean directoryOnly) {}

    private Ignore(List<Rule> rules) {
      this.rules = rules;
    }

    static Ignore read(Path gitignore) throws IOException {
      if (!Files.isRegularFile(gitignore)) {
        return new Ignore(List.of());
      }
      return parse(Files.readAllLines(gitignore, StandardCharsets.UTF_8));
    }

    static Ignore parse(List<String> lines) {
      List<Rule> rules = new ArrayList<>();
      for (String raw : lines) {
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
          continue; // negations are not supported: reading more files is the safe side
        }
        boolean directoryOnly = line.endsWith("/");
        if (directoryOnly) {
          line = line.substring(0, line.length() - 1);
        }
        boolean anchored = line.startsWith("/") || line.contains("/");
        if (line.startsWith("/")) {
          line = line.substring(1);
        }
        if (line.isEmpty()) {
          continue;
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + line);
        rules.add(new Rule(m, anchored, directoryOnly));
      }
      return new Ignore(rules);
    }

    /** Whether {@code relative} (slash-separated, from the top) is ignored. */
    boolean ignores(String relative, boolean directory) {
      if (rules.isEmpty()) {
        return false;
      }
      Path rel = Path.of(relative);
      Path name = rel.getFileName();
      for (Rule r : rules) {
        if (r.directoryOnly && !directory) {
          continue;
        }
        if (r.anchored ? r.matcher.matches(rel) : r.matcher.matches(name)) {
          return true;
        }
      }
      return false;
    }
  }
}
