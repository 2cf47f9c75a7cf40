package io.agentauditor.policytest;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle that leaves built-ins to their defaults decides exactly as the same bundle written out
 * in full: every event of every case of the default bundle, replayed through both, gives the same
 * outputs (verdicts, findings with their actions, modes, severities, messages and references),
 * but for the bundle identity, whose digest covers the files.
 */
class DefaultedBundleDecisionsTest {

  @Test
  void shouldDecideEveryDefaultCaseAsTheBundleWrittenOutInFull(@TempDir Path tmp) {
    // Given the default bundle, and a copy that lists only fan-out
    Path full = TestBundles.defaultBundle();
    Path defaulted = TestBundles.copy(full, tmp.resolve("defaulted"));
    TestBundles.write(
        defaulted,
        "rules.yaml",
        TestBundles.keepOnlyRules(TestBundles.read(full, "rules.yaml"), Set.of("fan-out")));
    Policy fullPolicy = PolicyBundleLoader.load(full);
    Policy defaultedPolicy = PolicyBundleLoader.load(defaulted);
    assertThat(defaultedPolicy.warnings()).hasSize(BuiltinRule.values().length - 1);
    assertThat(defaultedPolicy.builtins()).isEqualTo(fullPolicy.builtins());

    // When every case's events are replayed through each
    PolicyCaseRunner fullRunner = new PolicyCaseRunner(fullPolicy);
    PolicyCaseRunner defaultedRunner = new PolicyCaseRunner(defaultedPolicy);
    List<PolicyCase> cases = PolicyCaseLoader.load(full);
    assertThat(cases).isNotEmpty();
    int findings = 0;
    for (PolicyCase c : cases) {
      List<ActualOutput> expected = withoutIdentity(fullRunner.replay(c.events()));
      List<ActualOutput> actual = withoutIdentity(defaultedRunner.replay(c.events()));

      // Then the outputs are the same
      assertThat(actual).as(c.id()).isEqualTo(expected);
      for (ActualOutput o : expected) {
        if (o instanceof ActualOutput.Decided d) {
          findings += d.decision().findings().size();
        }
      }
    }
    assertThat(findings).as("the cases make rules fire").isGreaterThan(cases.size());
  }

  /** The outputs with each decision's bundle identity blanked: only the digests differ. */
  private static List<ActualOutput> withoutIdentity(List<ActualOutput> outputs) {
    List<ActualOutput> out = new ArrayList<>();
    for (ActualOutput o : outputs) {
      if (o instanceof ActualOutput.Decided d) {
        Decision x = d.decision();
        out.add(
            new ActualOutput.Decided(
                new Decision(
                    x.eventId(),
                    x.sessionId(),
                    x.agentId(),
                    x.type(),
                    x.occurredAtMillis(),
                    x.verdict(),
                    x.findings(),
                    "",
                    x.path())));
      } else {
        out.add(o);
      }
    }
    return out;
  }
}
