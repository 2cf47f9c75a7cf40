package io.agentauditor.policytest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-merge gate's golden cases ({@code policies/check-cases/}): each repository checked with
 * the default bundle reports exactly its expected findings; and what a failing or malformed case
 * says.
 */
class CheckCasesTest {

  private static final Policy DEFAULT = PolicyBundleLoader.load(TestBundles.defaultBundle());

  @TestFactory
  Stream<DynamicTest> defaultBundleCheckCases() {
    List<CheckCases.CheckCase> cases;
    try {
      cases = CheckCases.load(TestBundles.defaultBundle());
    } catch (CaseFileException e) {
      return Stream.of(DynamicTest.dynamicTest("check cases load", () -> fail(e.getMessage())));
    }
    assertThat(cases).extracting(CheckCases.CheckCase::id).contains("check-cases/clean");
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id() + " (" + c.caseFile() + ")",
                    () -> {
                      CheckCases.Result r = CheckCases.run(DEFAULT, c);
                      assertThat(r.passed()).withFailMessage("%s%n%s", c.id(), r.diff()).isTrue();
                    }));
  }

  @Test
  void shouldFailACaseWhoseFindingsDifferAndNameEachDifference(@TempDir Path tmp) {
    // Given a case expecting a finding on the wrong line, with one finding it does not expect
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("b"));
    TestBundles.write(bundle, "check-cases/wrong/repo/.env", "A=1\nAWS_KEY=" + "AKIA" + "IOSFODNN7EXAMPLE\n");
    TestBundles.write(bundle, "check-cases/wrong/repo/main.tf", "resource \"aws_iam_access_key\" \"k\" {\n}\n");
    TestBundles.write(
        bundle,
        "check-cases/wrong/case.yaml",
        "expect:\n  - {rule: insecure-secret-storage, file: .env, line: 1}\n");

    // When run
    CheckCases.CheckCase c =
        CheckCases.load(bundle).stream().filter(x -> x.id().equals("check-cases/wrong")).findFirst().orElseThrow();
    CheckCases.Result r = CheckCases.run(DEFAULT, c);

    // Then it fails, listing what is missing and what is unexpected
    assertThat(r.passed()).isFalse();
    assertThat(r.diff())
        .isEqualTo(
            "  missing:    insecure-secret-storage .env:1\n"
                + "  unexpected: insecure-secret-storage .env:2 (aws-access-key-id)\n"
                + "  unexpected: long-lived-secret-in-code main.tf:1 (terraform-aws-iam-access-key)\n");
  }

  @Test
  void shouldRejectMalformedCasesWithEveryErrorAtItsLine(@TempDir Path tmp) {
    // Given a case with an unknown key, a file not in its repository and a bad line, and one without repo/
    Path bundle = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("b"));
    TestBundles.write(bundle, "check-cases/bad/repo/a.txt", "clean\n");
    TestBundles.write(
        bundle,
        "check-cases/bad/case.yaml",
        "description: bad\n"
            + "expect:\n"
            + "  - {rule: secret-in-arguments, file: missing.txt, line: 1}\n"
            + "  - {rule: secret-in-arguments, file: a.txt, line: zero}\n"
            + "  - {rule: secret-in-arguments, file: a.txt, line: 1, col: 2}\n");
    TestBundles.write(bundle, "check-cases/norepo/case.yaml", "expect: []\n");

    // When loaded
    CaseFileException e = catchThrowableOfType(CaseFileException.class, () -> CheckCases.load(bundle));

    // Then every error is listed with its file and line
    Path cases = bundle.resolve("check-cases");
    assertThat(e.errors())
        .containsExactly(
            cases.resolve("bad/case.yaml") + ":3: file 'missing.txt' is not in repo/",
            cases.resolve("bad/case.yaml") + ":4: line must be a positive integer, got 'zero'",
            cases.resolve("bad/case.yaml")
                + ":5: expected finding: unknown key 'col'; expected one of file, line, pattern, rule",
            cases.resolve("norepo/case.yaml") + ":1: no repo/ directory beside it");
  }
}
