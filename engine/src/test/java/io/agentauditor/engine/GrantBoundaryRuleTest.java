package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code grant-exceeds-boundary} (contract section 5) on the fixture bundle with boundaries. */
class GrantBoundaryRuleTest {

  private static final Policy WITH_BOUNDARIES =
      PolicyBundleLoader.load(TestBundles.fixture("boundaries"));

  private final Harness h = new Harness(WITH_BOUNDARIES);

  @Test
  void shouldBlockAnAgentNarrowedInOneSessionFromGrantingItselfMoreInItsOwn() {
    // Given: agent:ci-build narrowed to read:repo/acme/** in s1
    Events s1 = new Events("s1");
    h.decide(s1.start("agent:planner", 0, "read:repo/**"));
    h.decide(s1.delegate("agent:planner", 1, "agent:ci-build", "read:repo/acme/**"));
    // When: it starts s2 as root with wide grants
    Events s2 = new Events("s2");
    Decision start = h.decide(s2.start("agent:ci-build", 2, "read:repo/**", "admin:**", "write:ci/acme"));
    Decision call = h.decide(s2.tool("agent:ci-build", 3, "repo.read_file", Map.of("repo", "x")));
    // Then: blocked, listing what the boundary does not cover, and no session was created
    assertThat(ruleIds(start)).containsExactly("grant-exceeds-boundary");
    assertThat(start.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(start.findings().get(0).message())
        .isEqualTo("granted scopes not covered by the boundary of agent:ci-build (agents 'agent:ci-*'): admin:**");
    assertThat(ruleIds(call)).containsExactly("unknown-session");
  }

  @Test
  void shouldApplyTheFirstMatchingBoundaryAndCheckNothingWithoutOne() {
    // When
    Decision release = h.decide(new Events("a").start("agent:ci-release", 0, "admin:ci/acme"));
    Decision build = h.decide(new Events("b").start("agent:ci-build", 0, "admin:ci/acme"));
    Decision unmatched = h.decide(new Events("c").start("agent:planner", 0, "admin:**"));
    Decision withDefaults = new Harness().decide(new Events("d").start("agent:ci-build", 0, "admin:**"));
    // Then
    assertThat(release.findings()).isEmpty();
    assertThat(ruleIds(build)).containsExactly("grant-exceeds-boundary");
    assertThat(unmatched.findings()).isEmpty();
    assertThat(withDefaults.findings()).as("the default bundle has no boundaries").isEmpty();
  }

  @Test
  void shouldCoverGrantsThroughTheLattice() {
    // When: write:ci/** covers read:ci/acme (write implies read)
    Decision d = h.decide(new Events("a").start("agent:ci-build", 0, "read:ci/acme", "write:ci/x", "read:repo/a"));
    // Then
    assertThat(d.findings()).isEmpty();
  }
}
