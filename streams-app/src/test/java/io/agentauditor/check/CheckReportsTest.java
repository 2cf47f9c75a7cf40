package io.agentauditor.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SARIF's artifact URIs for files given as relative paths. */
class CheckReportsTest {

  @Test
  void shouldWriteARelativePathAsARelativeUriWithoutDotSlashAndWithEachSegmentEncoded() {
    assertThat(CheckReports.relativeUri("./.github/workflows/ci.yml")).isEqualTo(".github/workflows/ci.yml");
    assertThat(CheckReports.relativeUri("infra/my module/main.tf")).isEqualTo("infra/my%20module/main.tf");
    assertThat(CheckReports.relativeUri("docs/100%.md")).isEqualTo("docs/100%25.md");
  }

  @Test
  void shouldKeepAFirstSegmentWithAColonFromReadingAsAScheme() {
    assertThat(CheckReports.relativeUri("c:notes/a.txt")).isEqualTo("./c:notes/a.txt");
    assertThat(CheckReports.relativeUri("notes/c:a.txt")).isEqualTo("notes/c:a.txt");
  }
}
