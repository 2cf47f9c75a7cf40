package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.EventType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The serialized state of the largest generated session stays within 64 KB (the target).
 * Sizes are deterministic for a seed, so this is an assertion, not a timing. A session here grows
 * to the full 50 agents and 200 credentials with fewer concurrent sessions than the benchmark mix,
 * so the test stays quick; per-session records don't depend on the interleaving.
 */
class SessionStateSizeTest {

  private static final int MAX_AGENTS = 50;
  private static final int MAX_CREDENTIALS = 200;
  private static final long BOUND = 64 * 1024;

  private static Policy policy;

  @BeforeAll
  static void loadPolicy() {
    policy = Workload.defaultPolicy();
  }

  @Test
  void shouldKeepTheChainStateOfAFullSessionWithin64KiB() {
    // Given sessions that grow to 50 agents and 200 credentials
    SessionGenerator generator =
        new SessionGenerator(Workload.SEED, 4, MAX_AGENTS, MAX_CREDENTIALS, 20, 60);

    // When they run through the engine until several ended full
    SessionStateSize.Largest largest =
        SessionStateSize.largest(policy, generator, 30_000, MAX_AGENTS, MAX_CREDENTIALS);

    // Then the largest chain state (what a step loads from) is within the bound
    assertThat(largest.fullSessions()).isGreaterThanOrEqualTo(1);
    SessionStateSize.Size s = largest.byChain();
    assertThat(s.agents()).isEqualTo(MAX_AGENTS);
    assertThat(s.credentials()).isEqualTo(MAX_CREDENTIALS);
    assertThat(s.chain()).as(s.toString()).isLessThanOrEqualTo(BOUND);
  }

  @Test
  void shouldCountEveryRecordOfTheSessionAndNoneOfAnother() {
    // Given two started sessions
    AuditEngine engine = new AuditEngine(policy);
    InMemoryStateStore store = new InMemoryStateStore();
    SessionGenerator generator = new SessionGenerator(Workload.SEED, 2, MAX_AGENTS, MAX_CREDENTIALS, 20, 60);
    AgentEvent first = generator.next();
    AgentEvent second = generator.next();
    engine.process(EventMapper.toStep(first), store);
    engine.process(EventMapper.toStep(second), store);

    // When the first session is measured
    SessionStateSize.Size size = SessionStateSize.of(store, first.getSessionId());

    // Then it holds its meta, its root agent and one dedupe record, and the store holds more
    assertThat(first.getType()).isEqualTo(EventType.SESSION_STARTED);
    assertThat(size.records()[SessionStateSize.Kind.SESSION.ordinal()]).isEqualTo(1);
    assertThat(size.agents()).isEqualTo(1);
    assertThat(size.events()).isEqualTo(1);
    assertThat(size.total()).isPositive();
    assertThat(store.size()).isGreaterThan(3);
  }
}
