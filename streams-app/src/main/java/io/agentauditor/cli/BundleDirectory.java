package io.agentauditor.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the policy bundle is when a command is given none: {@code ./policies} in the working
 * directory, else the default bundle of the installation ({@code $auditor.home/policies}, set by the
 * {@code ./auditor} launcher), so {@code ./auditor} works from any directory.
 */
final class BundleDirectory {

  static final String DEFAULT = "policies";

  private BundleDirectory() {}

  static Path resolve(Path given) {
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
}
