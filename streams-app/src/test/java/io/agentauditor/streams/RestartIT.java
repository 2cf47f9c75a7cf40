package io.agentauditor.streams;

import io.agentauditor.avro.EventMapper;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.Verdict;
import io.agentauditor.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once across a restart that loses the local state: the auditor is closed mid-stream and a
 * new instance starts on an empty state directory, so the chain-state store is rebuilt from its
 * changelog. No decision is lost or duplicated, and the decisions after the restart see the chain
 * built before it.
 */
class RestartIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final Logger LOGGER = LoggerFactory.getLogger(RestartIT.class);
  private static final String PROBE = "restart-probe";
  private static final Instant T0 = Instant.parse("2026-11-26T08:00:00Z");

  @Test
  void shouldDecideEveryEventExactlyOnceAcrossARestartRestoredFromTheChangelog(
      @TempDir Path firstStateDir, @TempDir Path secondStateDir) {
    // Given a probe session whose credential is issued before the restart and used after it
    RunningAuditor app = new RunningAuditor(KAFKA, "restart", 2);
    app.createTopics(firstStateDir);
    AgentEvent issue =
        probe(
            "p3",
            3,
            "CREDENTIAL_ISSUED",
            "\"credential\":{\"credentialId\":\"cred-probe\",\"subjectAgentId\":\"agent:coder\","
                + "\"scopes\":[\"write:repo/acme/api\"],\"kind\":\"SHORT_LIVED_TOKEN\",\"ttlSeconds\":3600,"
                + "\"storage\":\"MEMORY\"}");
    List<AgentEvent> before =
        new ArrayList<>(
            List.of(
                probe(
                    "p1",
                    1,
                    "SESSION_STARTED",
                    "\"session\":{\"initiator\":\"user:carol\",\"grantedScopes\":[\"write:repo/acme/api\"]}"),
                probe(
                    "p2",
                    2,
                    "AGENT_DELEGATED",
                    "\"delegation\":{\"childAgentId\":\"agent:coder\",\"scopes\":[\"write:repo/acme/api\"]}"),
                issue));
    before.addAll(AuditTestData.decode(AuditTestData.generatedSessions("r1", 12, 20, 3L)));
    AgentEvent use =
        AgentEvent.newBuilder(
                probe(
                    "p4",
                    600,
                    "TOOL_CALL",
                    "\"toolCall\":{\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/api\",\"path\":\"a.py\","
                        + "\"content\":\"print(1)\"},\"credentialId\":\"cred-probe\"}"))
            .setAgentId("agent:coder")
            .build();
    List<AgentEvent> after =
        new ArrayList<>(AuditTestData.decode(AuditTestData.generatedSessions("r2", 4, 20, 5L)));
    after.add(use);
    after.add(issue); // a gateway retry of a step decided before the restart
    List<AgentEvent> all = new ArrayList<>(before);
    all.addAll(after);

    try (RunningAuditor.Reader decisions = app.reader(app.topics().decisions())) {
      // When the first instance has decided part of the stream (the probe's first steps included)
      // ...
      app.produce(before);
      KafkaStreams first = app.start(firstStateDir);
      try {
        // closed as soon as the probe's steps are visible: usually with input still unread
        awaitProbeDecided(app, decisions, List.of("p1", "p2", "p3"));
      } finally {
        RunningAuditor.closeQuietly(first);
      }
      LOGGER.info(
          "First instance closed after {} of {} decisions were visible",
          decisions.awaitAtLeast(0).size(),
          before.size());
      // ... and a second one takes over with no local state
      app.produce(after);
      KafkaStreams second = app.start(secondStateDir);
      List<Decision> decided;
      try {
        decisions.awaitUntil(
            records ->
                records.stream()
                        .filter(
                            r ->
                                !app.decision(r.value())
                                    .getEventId()
                                    .endsWith(AuditEngine.IDLE_TIMEOUT_SUFFIX))
                        .count()
                    >= all.size());
        decided = decisions.drain().stream().map(r -> app.decision(r.value())).toList();
      } finally {
        RunningAuditor.closeQuietly(second);
      }

      // Then one decision per input record, none lost, none duplicated
      Map<String, Long> expected =
          all.stream()
              .collect(
                  Collectors.groupingBy(
                      e -> e.getSessionId() + "/" + e.getEventId(), Collectors.counting()));
      List<Decision> steps =
          decided.stream()
              .filter(d -> !d.getEventId().endsWith(AuditEngine.IDLE_TIMEOUT_SUFFIX))
              .toList();
      assertThat(
              steps.stream()
                  .collect(
                      Collectors.groupingBy(
                          d -> d.getSessionId() + "/" + d.getEventId(), Collectors.counting())))
          .isEqualTo(expected);
      List<String> timeouts =
          decided.stream()
              .map(Decision::getEventId)
              .filter(id -> id.endsWith(AuditEngine.IDLE_TIMEOUT_SUFFIX))
              .toList();
      assertThat(timeouts).doesNotHaveDuplicates();

      // And the restored chain is in force: the credential issued before is known after
      Map<String, List<Decision>> probe =
          steps.stream()
              .filter(d -> d.getSessionId().equals(PROBE))
              .collect(Collectors.groupingBy(Decision::getEventId));
      Decision toolCall = probe.get("p4").get(0);
      assertThat(toolCall.getVerdict()).as("%s", toolCall).isEqualTo(Verdict.ALLOW);
      assertThat(toolCall.getPath()).containsExactly("agent:planner", "agent:coder");
      assertThat(probe.get("p3")).hasSize(2);
      assertThat(probe.get("p3").get(1)).isEqualTo(probe.get("p3").get(0));
    }
  }

  /** Waits until the probe session's decisions include every one of {@code eventIds}. */
  private static void awaitProbeDecided(
      RunningAuditor app, RunningAuditor.Reader decisions, Collection<String> eventIds) {
    decisions.awaitUntil(
        records ->
            records.stream()
                .filter(r -> PROBE.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .map(r -> app.decision(r.value()).getEventId())
                .collect(Collectors.toSet())
                .containsAll(eventIds));
  }

  private static AgentEvent probe(String eventId, int seconds, String type, String payload) {
    return EventMapper.toAvro(EventJsonCodec.decode(
        AuditTestData.line(
            PROBE, eventId, "agent:planner", T0.plusSeconds(seconds), type, payload)));
  }
}
