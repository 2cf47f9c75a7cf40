package io.agentauditor.runtime;

import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.PolicyError;
import io.agentauditor.policy.PolicyLoadException;
import io.agentauditor.policytest.CaseFileException;
import io.agentauditor.policytest.CaseResult;
import io.agentauditor.policytest.PolicyCase;
import io.agentauditor.policytest.PolicyCaseLoader;
import io.agentauditor.policytest.PolicyCaseRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a bundle must pass to be enforced by {@code run}: at start, a digest on the allow-list
 * ({@code policy.expected.digests}, when set); at reload, that too, and it must load, pass every case
 * of its own {@code cases/} directory (the {@code policy test} runner) and keep the settings the
 * running topology fixed when it was built ({@code maxClockSkewSeconds}: the timestamp extractor
 * reads it once). Immutable and thread-safe.
 */
final class PolicyGate {

  /** A bundle that passed ({@code policy} set, no reasons) or was refused (reasons, no policy). */
  record Verdict(Policy policy, List<String> reasons) {
    Verdict {
      reasons = List.copyOf(reasons);
    }

    boolean accepted() {
      return policy != null;
    }
  }

  private final Set<String> expectedDigests;

  /** @param expectedDigests lower-case hex digests a bundle must have; empty: any */
  PolicyGate(Set<String> expectedDigests) {
    this.expectedDigests = Set.copyOf(expectedDigests);
  }

  /** Why {@code policy} may not run, by its digest alone; empty when it may. */
  List<String> refuseDigest(Policy policy) {
    if (expectedDigests.isEmpty() || expectedDigests.contains(policy.digest())) {
      return List.of();
    }
    return List.of(
        "digest "
            + policy.digest()
            + " is not in "
            + AuditorConfig.POLICY_EXPECTED_DIGESTS
            + " "
            + String.join(",", expectedDigests.stream().sorted().toList()));
  }

  /**
   * Loads the bundle in {@code dir} and checks it as a replacement of {@code running}.
   *
   * @return the loaded policy, or every reason it is refused
   */
  Verdict candidate(Path dir, Policy running) {
    Objects.requireNonNull(running, "running");
    Policy policy;
    try {
      policy = PolicyBundleLoader.load(dir);
    } catch (PolicyLoadException e) {
      List<String> reasons = new ArrayList<>();
      for (PolicyError error : e.errors()) {
        reasons.add(dir.resolve(error.file()) + ":" + error.line() + ": " + error.message());
      }
      return new Verdict(null, reasons);
    } catch (RuntimeException e) {
      return new Verdict(null, List.of("cannot read the bundle: " + e));
    }
    List<String> reasons = new ArrayList<>(refuseDigest(policy));
    long skew = running.settings().maxClockSkewSeconds();
    if (policy.settings().maxClockSkewSeconds() != skew) {
      reasons.add(
          "maxClockSkewSeconds changes from "
              + skew
              + " to "
              + policy.settings().maxClockSkewSeconds()
              + ": it takes effect only at a restart");
    }
    try {
      List<PolicyCase> cases = PolicyCaseLoader.load(dir);
      PolicyCaseRunner runner = new PolicyCaseRunner(policy);
      for (PolicyCase c : cases) {
        CaseResult result = runner.run(c);
        if (!result.passed()) {
          reasons.add("case " + c.id() + " (" + c.file() + ":" + c.line() + ") fails");
        }
      }
    } catch (CaseFileException e) {
      reasons.addAll(e.errors());
    } catch (RuntimeException e) {
      reasons.add("cannot run the bundle's cases: " + e);
    }
    return reasons.isEmpty() ? new Verdict(policy, List.of()) : new Verdict(null, reasons);
  }
}
