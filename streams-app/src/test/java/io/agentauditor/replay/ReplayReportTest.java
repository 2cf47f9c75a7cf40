package io.agentauditor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import org.junit.jupiter.api.Test;

class ReplayReportTest {

  private static final String START =
      "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";
  private static final String WRITE =
      "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:02Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/api\",\"content\":\"x\"}}}";
  /** A step of another session, two hours later: closes s1 by the idle timeout. */
  private static final String LATER =
      "{\"eventId\":\"e1\",\"sessionId\":\"s2\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T12:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:bob\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";

  @Test
  void shouldCountEventsVerdictsIdleTimeoutsRulesDeadLettersAndSkippedRecords() throws Exception {
    // Given
    AuditEngine engine = new AuditEngine(PolicyBundleLoader.load(TestBundles.defaultBundle()));
    InMemoryStateStore store = new InMemoryStateStore();
    ReplayReport report = new ReplayReport();

    // When
    for (String line : new String[] {START, WRITE, LATER}) {
      report.decided(engine.process(EventJsonCodec.decode(line), store));
    }
    report.deadLetter();
    report.skipped();

    // Then
    assertThat(report.summary("replay"))
        .matches("replay: 5 events in \\d+\\.\\d s \\([\\d,]+/s\\): .*")
        .endsWith(
            ": 4 decisions (3 ALLOW, 0 FLAG, 1 BLOCK; 1 idle timeouts), 1 dead letters, 1 skipped;"
                + " top rules: scope-widening 1");
    assertThat(report.progressLine("replay"))
        .matches("replay: 5 events \\([\\d,]+/s\\), 1 dead letters, 1 skipped");
  }
}
