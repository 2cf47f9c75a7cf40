package io.agentauditor.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The added lines of a {@code git diff -U0}, with their numbers in the new file. */
class GitDiffTest {

  @Test
  void shouldGiveEachAddedLineItsNumberInTheNewFileAndNoRemovedLine() {
    // Given a diff changing one file in two hunks and deleting another
    String diff =
        String.join(
            "\n",
            "diff --git a/src/App.java b/src/App.java",
            "index 1..2 100644",
            "--- a/src/App.java",
            "+++ b/src/App.java",
            "@@ -2 +2,2 @@ class App {",
            "-  int a;",
            "+  int b;",
            "+  int c;",
            "@@ -9,0 +11 @@",
            "+  // end",
            "diff --git a/gone.txt b/gone.txt",
            "--- a/gone.txt",
            "+++ /dev/null",
            "@@ -1 +0,0 @@",
            "-bye",
            "");

    // When parsed
    Map<String, List<GitDiff.AddedLine>> added = GitDiff.parse(diff);

    // Then
    assertThat(added)
        .containsOnlyKeys("src/App.java")
        .containsEntry(
            "src/App.java",
            List.of(
                new GitDiff.AddedLine(2, "  int b;"),
                new GitDiff.AddedLine(3, "  int c;"),
                new GitDiff.AddedLine(11, "  // end")));
  }
}
