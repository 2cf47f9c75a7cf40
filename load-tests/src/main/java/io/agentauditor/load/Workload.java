package io.agentauditor.load;

import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the load programs find the default policy bundle, and the sizes every run shares. */
public final class Workload {

  /** Seed of every published figure. */
  public static final long SEED = 42L;

  private Workload() {}

  /**
   * The default bundle: {@code policies/} under the system property {@code auditor.home}, else the
   * first directory from the working directory upwards that holds {@code policies/bundle.yaml}.
   *
   * @throws IllegalStateException when no such directory exists
   */
  public static Policy defaultPolicy() {
    return PolicyBundleLoader.load(policyDir());
  }

  static Path policyDir() {
    String home = System.getProperty("auditor.home");
    if (home != null) {
      return Path.of(home, "policies");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("policies");
      if (Files.isRegularFile(candidate.resolve(PolicyBundleLoader.MANIFEST))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no policies/bundle.yaml above " + Path.of("").toAbsolutePath() + "; set -Dauditor.home");
  }
}
