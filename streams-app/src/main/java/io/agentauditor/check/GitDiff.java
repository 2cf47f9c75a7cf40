package io.agentauditor.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines a git change adds: {@code git diff -U0 BASE} of a work tree (its uncommitted changes
 * included, deleted files left out), parsed into the added lines of each file with their line
 * numbers in the work tree. Untracked files are not part of a diff and so not read.
 */
public final class GitDiff {

  /** One added line: its 1-based number in the new file and its text. */
  public record AddedLine(int line, String text) {}

  /** Thrown when git fails (not a work tree, an unknown base); the message is git's. */
  public static final class GitException extends Exception {
    GitException(String message) {
      super(message);
    }
  }

  private static final Pattern HUNK = Pattern.compile("^@@ -\\S+ \\+(\\d+)(?:,(\\d+))? @@");

  private GitDiff() {}

  /**
   * The added lines under {@code dir} since {@code base}, by path relative to {@code dir}
   * (slash-separated), files in diff order.
   *
   * @throws GitException when git exits non-zero
   * @throws IOException when git can't be run
   */
  public static Map<String, List<AddedLine>> addedLines(Path dir, String base)
      throws IOException, GitException {
    Path errors = Files.createTempFile("auditor-git", ".err");
    try {
      Process git =
          new ProcessBuilder(
                  "git", "-C", dir.toString(), "-c", "core.quotePath=false", "diff", "--no-color",
                  "--no-ext-diff", "--no-textconv", "-U0", "--diff-filter=d", "--relative", base,
                  "--", ".")
              .redirectError(errors.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String diff;
      try (InputStream in = git.getInputStream()) {
        diff = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      int rc = waitFor(git);
      if (rc != 0) {
        throw new GitException(Files.readString(errors).strip());
      }
      return parse(diff);
    } finally {
      Files.deleteIfExists(errors);
    }
  }

  private static int waitFor(Process p) throws IOException {
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroy();
      throw new IOException("interrupted waiting for git", e);
    }
  }

  /** The added lines of a unified diff with no context lines ({@code -U0}). */
  static Map<String, List<AddedLine>> parse(String diff) {
    Map<String, List<AddedLine>> added = new LinkedHashMap<>();
    List<AddedLine> current = null;
    int next = 0;
    for (String line : diff.split("\n", -1)) {
      if (line.startsWith("+++ ")) {
        String target = line.substring(4);
        if (target.equals("/dev/null")) {
          current = null;
        } else {
          String path = target.startsWith("b/") ? target.substring(2) : target;
          path = path.endsWith("\t") ? path.substring(0, path.length() - 1) : path;
          current = added.computeIfAbsent(path, k -> new ArrayList<>());
        }
      } else if (line.startsWith("@@")) {
        Matcher m = HUNK.matcher(line);
        next = m.find() ? Integer.parseInt(m.group(1)) : 0;
      } else if (line.startsWith("+") && current != null && next > 0) {
        current.add(new AddedLine(next++, line.substring(1)));
      }
    }
    added.values().removeIf(List::isEmpty);
    return added;
  }
}
