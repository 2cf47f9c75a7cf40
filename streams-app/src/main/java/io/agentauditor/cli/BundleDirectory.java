package io.agentauditor.cli;

import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.PolicyError;
import io.agentauditor.policy.PolicyLoadException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the policy bundle is when a command is given none: {@code ./policies} in the working
 * directory, else the default bundle of the installation ({@code $auditor.home/policies}, set by the
 * {@code ./auditor} launcher), so {@code ./auditor} works from any directory; and how every command
 * loads it and reports a bundle that does not load. Public for the subcommands that other modules
 * add ({@link AuditorSubcommand}).
 */
public final class BundleDirectory {

  /** The {@code --policies} default: {@code policies}, resolved by {@link #resolve}. */
  public static final String DEFAULT = "policies";

  private BundleDirectory() {}

  /** {@code given}, or for the default (or null) the local or installed bundle directory. */
  public static Path resolve(Path given) {
    if (given != null && !given.toString().equals(DEFAULT)) {
      return given;
    }
    Path local = Path.of(DEFAULT);
    String home = System.getProperty("auditor.home");
    if (Files.isDirectory(local) || home == null) {
      return local;
    }
    return Path.of(home, DEFAULT);
  }

  /**
   * Loads the bundle in {@code dir}, or reports every error on {@code err} (one {@code
   * file:line: message} per line, paths as reachable from the working directory, then a count) and
   * returns null: no command runs on a half-loaded bundle.
   */
  public static Policy loadOrReport(Path dir, PrintWriter err) {
    try {
      return PolicyBundleLoader.load(dir);
    } catch (PolicyLoadException e) {
      for (PolicyError error : e.errors()) {
        err.println(dir.resolve(error.file()) + ":" + error.line() + ": " + error.message());
      }
      int n = e.errors().size();
      err.println("policy bundle " + dir + " rejected: " + n + (n == 1 ? " error" : " errors"));
      err.flush();
      return null;
    }
  }
}
