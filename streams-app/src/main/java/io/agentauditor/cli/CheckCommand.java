package io.agentauditor.cli;

import io.agentauditor.check.CheckReports;
import io.agentauditor.check.GitDiff;
import io.agentauditor.check.PreMergeCheck;
import io.agentauditor.policy.Policy;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./auditor check [--policies DIR] [--diff BASE] [--format text|sarif|json|junit]
 * PATH...} (contract section 13): the pre-merge gate. Scans files and directories with the bundle's secret and
 * long-lived-credential-in-code patterns, through the engine's own scanner, and reports each match
 * under the runtime's rule for where it sits; the report on stdout, a summary on stderr.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    header = "Scan code before merge with the runtime's rules.",
    description =
        "Scan files and directories (skipping .git/, what the top-level .gitignore ignores, binary"
            + " files and files over 8 MiB) with the bundle's secret and"
            + " long-lived-credential-in-code patterns, as the engine scans tool arguments. Each"
            + " finding names the file, line, column, rule and pattern, with a masked excerpt;"
            + " never the secret. A finding the bundle's waivers accept (file, rule, fingerprint,"
            + " until an expiry date) is reported as waived and does not fail the check; an"
            + " expired waiver waives nothing and is reported.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:nothing at BLOCK level was found, or only waived findings",
      "1:something at BLOCK level was found and not waived",
      "2:usage error, an unreadable path or a policy bundle that fails to load"
    })
public final class CheckCommand implements Callable<Integer> {

  static final int CLEAN = 0;
  static final int BLOCKED = 1;
  static final int ERROR = 2;

  /** Report forms. */
  enum Format {
    text,
    json,
    sarif,
    junit
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--policies",
      paramLabel = "DIR",
      defaultValue = BundleDirectory.DEFAULT,
      description = "The policy bundle (default: ${DEFAULT-VALUE}).")
  Path policies;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text, json, sarif or junit (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = "--diff",
      paramLabel = "BASE",
      description =
          "Scan only the lines added since BASE (a git revision) in the git work trees PATH,"
              + " uncommitted changes included; untracked files are not read.")
  String diffBase;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to scan.")
  List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path bundle = BundleDirectory.resolve(policies);
    Policy policy = BundleDirectory.loadOrReport(bundle, err);
    if (policy == null) {
      return ERROR;
    }
    for (Path p : paths) {
      if (!Files.exists(p)) {
        err.println(p + ": no such file or directory");
        err.flush();
        return ERROR;
      }
    }
    PreMergeCheck check = new PreMergeCheck(policy);
    try {
      for (Path p : paths) {
        if (diffBase == null) {
          check.scan(p);
        } else if (!scanDiff(check, p, err)) {
          return ERROR;
        }
      }
    } catch (UncheckedIOException e) {
      err.println("cannot read: " + e.getCause().getMessage());
      err.flush();
      return ERROR;
    }
    switch (format) {
      case text -> CheckReports.text(check, out);
      case json -> CheckReports.json(check, policy, out);
      case sarif -> CheckReports.sarif(check, policy, version(), out);
      case junit -> CheckReports.junit(check, out);
    }
    out.flush();
    CheckReports.expiredWaivers(check, bundle).forEach(err::println);
    err.println(CheckReports.summary(check));
    err.flush();
    return check.blocks() ? BLOCKED : CLEAN;
  }

  /** Scans what the change since {@link #diffBase} adds under {@code dir}; false after an error. */
  private boolean scanDiff(PreMergeCheck check, Path dir, PrintWriter err) {
    if (!Files.isDirectory(dir)) {
      err.println(dir + ": --diff needs a directory in a git work tree");
      err.flush();
      return false;
    }
    try {
      GitDiff.addedLines(dir, diffBase)
          .forEach(
              (relative, added) ->
                  check.scanAdded(
                      dir.resolve(relative).toString().replace('\\', '/'), relative, added));
      return true;
    } catch (GitDiff.GitException e) {
      err.println("git diff " + diffBase + " in " + dir + " failed: " + e.getMessage());
    } catch (java.io.IOException e) {
      err.println("cannot run git: " + e.getMessage());
    }
    err.flush();
    return false;
  }

  private static String version() {
    String v = CheckCommand.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
