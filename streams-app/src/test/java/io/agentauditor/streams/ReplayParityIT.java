package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.engine.AuditEngine;
import io.agentauditor.testing.KafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./auditor replay} and the streaming auditor on one partition decide the same input
 * identically, idle timeouts included: same decisions, same order, same JSON.
 */
class ReplayParityIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @Test
  void shouldDecideExactlyAsReplayOnOnePartition(@TempDir Path stateDir) {
    // Given sessions spread over more than the idle timeout, so some are closed by it, plus the
    // demo
    List<String> lines = new ArrayList<>(AuditTestData.generatedSessions("parity", 20, 120, 11L));
    lines.addAll(AuditTestData.demoScenario());
    List<String> replayed = AuditTestData.replay(lines);
    assertThat(replayed).anyMatch(l -> l.contains(AuditEngine.IDLE_TIMEOUT_SUFFIX));
    RunningAuditor app = new RunningAuditor(KAFKA, "parity", 1);
    app.createTopics(stateDir);
    KafkaStreams streams = app.start(stateDir);
    try (RunningAuditor.Reader decisions = app.reader(app.topics().decisions())) {

      // When
      app.produce(AuditTestData.decode(lines));

      // Then
      decisions.awaitAtLeast(replayed.size());
      List<String> streamed = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : decisions.drain()) {
        streamed.add(AuditTestData.json(app.decision(r.value())));
      }
      assertThat(streamed).containsExactlyElementsOf(replayed);
    } finally {
      RunningAuditor.closeQuietly(streams);
    }
  }
}
