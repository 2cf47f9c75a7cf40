package io.agentauditor.cli;

import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policytest.CaseFileException;
import io.agentauditor.policytest.CaseResult;
import io.agentauditor.policytest.CheckCases;
import io.agentauditor.policytest.ExpectedOutput;
import io.agentauditor.policytest.PolicyCase;
import io.agentauditor.policytest.PolicyCaseLoader;
import io.agentauditor.policytest.PolicyCaseRunner;
import io.agentauditor.policytest.PolicyTestReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./auditor policy test [DIR]}: loads the bundle, runs every case of {@code DIR/cases/}
 * through the replay path and every repository of {@code DIR/check-cases/} through the pre-merge
 * gate ({@link CheckCases}), prints {@code PASS id} or {@code FAIL id} with a diff per case and a
 * summary {@code N passed, M failed} on stdout ({@code --format json} or {@code junit}: the
 * event cases' results as JSON or JUnit XML; the check cases count in the exit code and are
 * printed in text only). Exit 0 when all pass, 1 when any fails, 2 when the
 * bundle fails to load or a case file can't be read (every error as {@code file:line: message} on
 * stderr).
 */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    header = "Run a policy bundle's own cases.",
    description =
        "Run a policy bundle's own cases (DIR/cases/*.yaml): replay each case's events and "
            + "compare every decision and dead letter with the expected ones, in order; and its "
            + "check cases (DIR/check-cases/NAME/): check each repository and compare the "
            + "findings with the expected ones (rule, file, line).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every case passed",
      "1:at least one case failed",
      "2:the bundle or a case file failed to load, no case matched, or a usage error"
    })
public final class PolicyTestCommand implements Callable<Integer> {

  static final int PASSED = 0;
  static final int FAILED = 1;
  static final int ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      defaultValue = BundleDirectory.DEFAULT,
      description = "The bundle directory (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--run",
      paramLabel = "TEXT",
      description = "Run only the cases whose id (file/name) contains TEXT.")
  String run;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text (default), json, or junit (JUnit XML for CI test reports); the exit code is the"
              + " same in each.")
  Format format;

  /** Output formats of the results. */
  enum Format {
    text,
    json,
    junit
  }

  @Option(
      names = {"-v", "--verbose"},
      description = "Print each case's description and outputs, passing ones included.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path bundle = BundleDirectory.resolve(dir);
    Policy policy = BundleDirectory.loadOrReport(bundle, err);
    if (policy == null) {
      return ERROR;
    }
    List<PolicyCase> cases;
    List<CheckCases.CheckCase> checkCases;
    try {
      cases = PolicyCaseLoader.load(bundle);
      checkCases = CheckCases.load(bundle);
    } catch (CaseFileException e) {
      e.errors().forEach(err::println);
      err.println("policy cases of " + bundle + " rejected: " + count(e.errors().size(), "error"));
      err.flush();
      return ERROR;
    }
    if (run != null) {
      cases = cases.stream().filter(c -> c.id().contains(run)).toList();
      checkCases = checkCases.stream().filter(c -> c.id().contains(run)).toList();
      if (cases.isEmpty() && checkCases.isEmpty()) {
        err.println("no case id contains '" + run + "'");
        err.flush();
        return ERROR;
      }
    }
    PolicyCaseRunner runner = new PolicyCaseRunner(policy);
    List<PolicyTestReport.Run> runs = new ArrayList<>();
    for (PolicyCase c : cases) {
      long start = System.nanoTime();
      CaseResult result = runner.run(c);
      runs.add(new PolicyTestReport.Run(result, Duration.ofNanos(System.nanoTime() - start)));
    }
    // The pre-merge gate's cases: repositories checked with the same bundle (contract section 13).
    List<PolicyTestReport.CheckRun> checks = new ArrayList<>();
    for (CheckCases.CheckCase c : checkCases) {
      long start = System.nanoTime();
      CheckCases.Result result = CheckCases.run(policy, c);
      checks.add(new PolicyTestReport.CheckRun(result, Duration.ofNanos(System.nanoTime() - start)));
    }
    PolicyTestReport report =
        new PolicyTestReport(
            policy, runs, checks, run == null ? uncoveredBuiltins(cases, policy) : List.of());
    switch (format) {
      case json -> report.json(out);
      case junit -> report.junit(out);
      case text -> text(report, out);
    }
    out.flush();
    return report.failed() == 0 ? PASSED : FAILED;
  }

  private void text(PolicyTestReport report, PrintWriter out) {
    out.println("policy " + report.policy().identity());
    int passed = 0;
    int failed = 0;
    for (PolicyTestReport.Run r : report.runs()) {
      CaseResult result = r.result();
      PolicyCase c = result.policyCase();
      if (result.passed()) {
        passed++;
        out.println("PASS " + c.id());
        if (verbose) {
          out.print(passingDetail(result));
        }
      } else {
        failed++;
        out.println("FAIL " + c.id());
        out.print(result.diff());
      }
    }
    for (PolicyTestReport.CheckRun r : report.checks()) {
      CheckCases.Result result = r.result();
      CheckCases.CheckCase c = result.checkCase();
      if (result.passed()) {
        passed++;
        out.println("PASS " + c.id());
        if (verbose) {
          out.println("  " + c.caseFile() + (c.description().isEmpty() ? "" : ": " + c.description()));
          c.expect().forEach(e -> out.println("    " + e));
        }
      } else {
        failed++;
        out.println("FAIL " + c.id());
        out.print(result.diff());
      }
    }
    out.println(passed + " passed, " + failed + " failed");
    if (!report.uncovered().isEmpty()) {
      out.println("built-in rules no case expects to fire: " + String.join(", ", report.uncovered()));
    }
  }

  private static String passingDetail(CaseResult result) {
    StringBuilder sb = new StringBuilder();
    PolicyCase c = result.policyCase();
    sb.append("  ").append(c.file()).append(':').append(c.line());
    if (!c.description().isEmpty()) {
      sb.append(": ").append(c.description());
    }
    sb.append('\n');
    for (ExpectedOutput e : c.expect()) {
      sb.append("    ").append(CaseResult.describeExpected(e)).append('\n');
    }
    return sb.toString();
  }

  /**
   * The built-ins no case expects to fire, but those the bundle can't fire: {@code
   * grant-exceeds-boundary} without boundaries (the default bundle has none).
   */
  private static List<String> uncoveredBuiltins(List<PolicyCase> cases, Policy policy) {
    Set<String> fired = new HashSet<>();
    for (PolicyCase c : cases) {
      for (ExpectedOutput e : c.expect()) {
        if (e instanceof ExpectedOutput.Decision d) {
          fired.addAll(d.rules());
        }
      }
    }
    return java.util.Arrays.stream(BuiltinRule.values())
        .filter(r -> r != BuiltinRule.GRANT_EXCEEDS_BOUNDARY || !policy.boundaries().isEmpty())
        .map(BuiltinRule::id)
        .filter(id -> !fired.contains(id))
        .toList();
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }
}
