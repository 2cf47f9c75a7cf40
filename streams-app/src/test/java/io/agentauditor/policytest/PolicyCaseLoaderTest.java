package io.agentauditor.policytest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentauditor.policy.TestBundles;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Verdict;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading case files: the format, and every error with its path and line. */
class PolicyCaseLoaderTest {

  @TempDir Path tmp;

  @Test
  void shouldReadDecisionsAndDeadLettersWithEveryOptionalField() {
    // Given
    TestBundles.write(
        tmp,
        "cases/one.yaml",
        """
rule: credential-not-revoked
cases:
  - name: all-fields
    description: every field once
    events: |
      {"a":1}
      not json
    expect:
      - {eventId: "s1#idle-timeout", sessionId: s1, type: SESSION_ENDED, agentId: "agent:root", occurredAt: "2026-01-01T11:00:00+01:00", verdict: FLAG, rules: [credential-not-revoked], credentialIds: [k1], path: [agent:root], messageContains: k1}
      - {deadLetter: 2, reasonContains: JSON}
""");

    // When
    List<PolicyCase> cases = PolicyCaseLoader.load(tmp);

    // Then
    assertThat(cases).hasSize(1);
    PolicyCase c = cases.get(0);
    assertThat(c.id()).isEqualTo("one/all-fields");
    assertThat(c.file()).isEqualTo("cases/one.yaml");
    assertThat(c.line()).isEqualTo(3);
    assertThat(c.events()).isEqualTo("{\"a\":1}\nnot json\n");
    assertThat(c.expect())
        .containsExactly(
            new ExpectedOutput.Decision(
                9,
                "s1#idle-timeout",
                "s1",
                EventType.SESSION_ENDED,
                "agent:root",
                1767261600000L,
                Verdict.FLAG,
                List.of("credential-not-revoked"),
                List.of("k1"),
                List.of("agent:root"),
                List.of("k1")),
            new ExpectedOutput.DeadLetter(10, 2, "JSON"));
  }

  @Test
  void shouldListEveryErrorOfEveryCaseFileWithItsPathAndLine() {
    // Given
    TestBundles.copy(Path.of("src/test/resources/cases/broken"), tmp.resolve("b"));
    Path cases = tmp.resolve("b/cases");

    // When
    CaseFileException e =
        catchThrowableOfType(
            CaseFileException.class, () -> PolicyCaseLoader.load(tmp.resolve("b")));

    // Then
    String bad = cases.resolve("b-bad-fields.yaml").toString();
    assertThat(e.errors()).hasSize(8);
    assertThat(e.errors().get(0)).startsWith(cases.resolve("a-bad-yaml.yaml") + ":4: bad YAML: ");
    assertThat(e.errors())
        .contains(
            bad
                + ":7: expected decision: unknown key 'verdct'; expected one of agentId,"
                + " credentialIds, eventId, messageContains, occurredAt, path, rules, sessionId,"
                + " type, verdict",
            bad + ":12: verdict 'PERMIT' is not one of ALLOW, FLAG, BLOCK",
            bad + ":12: expected decision: missing key 'rules' (write rules: [] for none)",
            bad + ":17: credentialIds lists 2 ids but rules has 1 credential-not-revoked findings",
            bad + ":18: deadLetter must be a line number (an integer >= 1), got 'zero'",
            bad + ":19: occurredAt 'yesterday': not an RFC 3339 date-time with seconds and offset",
            bad + ":20: duplicate case name 'typo-in-a-key' (first at line 3)");
    assertThat(e.getMessage()).contains(bad);
  }

  @Test
  void shouldRejectABundleWithoutCases() {
    // Given an empty cases directory
    TestBundles.write(tmp, "cases/README.md", "no yaml here");

    // When
    CaseFileException e =
        catchThrowableOfType(CaseFileException.class, () -> PolicyCaseLoader.load(tmp));

    // Then
    assertThat(e.errors()).containsExactly(tmp.resolve("cases") + ":1: no case files (*.yaml)");
  }
}
