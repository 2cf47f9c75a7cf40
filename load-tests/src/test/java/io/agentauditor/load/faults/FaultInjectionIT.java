package io.agentauditor.load.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The short fault-injection run of the build (the full one and its figures: docs/RELIABILITY.md):
 * 3 broker processes, 3 {@code ./auditor run} processes, 20,000 events at 250/s, 3 {@code kill -9}
 * of auditor instances and one broker bounce (SIGTERM), seed 16. Fails on any lost, duplicated or
 * mismatched decision, and on any violation or final credential ledger entry that is not replay's,
 * as the {@link Verifier} counts them from the topics.
 */
class FaultInjectionIT {

  @Test
  void shouldLoseDuplicateOrChangeNoDecisionWhenInstancesAreKilledAndABrokerBounces() throws Exception {
    // Given a cluster, three auditors and a producer; When the seeded faults hit them
    boolean ok =
        FaultInjection.run(
            Map.of(
                "events", "20000",
                "rate", "250",
                "seed", "16",
                "auditorKills", "3",
                "brokerBounces", "1",
                "policies", "../policies"));

    // Then the verifier found every input decided or dead-lettered exactly once, as replay decides,
    // and the violations and the final credential ledger as replay writes them
    assertThat(ok).as("lost, duplicated or mismatched outputs: see the run's output above").isTrue();
  }
}
