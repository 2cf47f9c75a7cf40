package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.cli.AuditorCli;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.testing.KafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./auditor replay --topic} on the events topic the live auditor decided, 3 partitions: the
 * replay gives each partition's live decisions, byte for byte in JSON form and in the same order,
 * and the live dead letters with the same positions and reasons (contract section 10).
 */
class TopicReplayParityIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final int PARTITIONS = 3;

  @Test
  void shouldGiveTheLiveDecisionsOfEveryPartitionByteForByte(@TempDir Path tmp) throws IOException {
    // Given generated sessions (retries, sessions left open and closed by the idle timeout) and a
    // few invalid records among them, decided by the live auditor on 3 partitions
    List<String> lines = AuditTestData.generatedSessions("topic-replay", 36, 150, 23L);
    List<AgentEvent> events = AuditTestData.decode(lines);
    RunningAuditor app = new RunningAuditor(KAFKA, "topic-replay", PARTITIONS);
    Path stateDir = tmp.resolve("state");
    app.createTopics(stateDir);
    KafkaStreams streams = app.start(stateDir);
    List<Map.Entry<String, byte[]>> invalid = invalidRecords(app, events.get(0));
    Map<Integer, List<String>> live = new TreeMap<>();
    List<String> liveDeadLetters = new ArrayList<>();
    try (RunningAuditor.Reader decisions = app.reader(app.topics().decisions());
        RunningAuditor.Reader deadLetters = app.reader(app.topics().deadLetters())) {
      app.produce(events.subList(0, events.size() / 2));
      app.produceRaw(invalid);
      app.produce(events.subList(events.size() / 2, events.size()));
      decisions.awaitUntil(
          records ->
              records.stream()
                      .filter(r -> !app.decision(r.value()).getEventId().endsWith(AuditEngine.IDLE_TIMEOUT_SUFFIX))
                      .count()
                  >= events.size());
      deadLetters.awaitAtLeast(invalid.size());
      for (ConsumerRecord<byte[], byte[]> r : decisions.drain()) {
        live.computeIfAbsent(r.partition(), p -> new ArrayList<>())
            .add(AuditTestData.json(app.decision(r.value())));
      }
      for (ConsumerRecord<byte[], byte[]> r : deadLetters.drain()) {
        DeadLetter letter = DeadLetter.fromRecord(r);
        liveDeadLetters.add(
            "partition " + letter.sourcePartition() + " offset " + letter.sourceOffset() + ": " + letter.reason());
      }
    } finally {
      RunningAuditor.closeQuietly(streams);
    }
    assertThat(live).hasSize(PARTITIONS);
    assertThat(live.values().stream().flatMap(List::stream))
        .anyMatch(l -> l.contains(AuditEngine.IDLE_TIMEOUT_SUFFIX));

    // When
    Path output = tmp.resolve("replayed.jsonl");
    StringWriter err = new StringWriter();
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setErr(new PrintWriter(err, true));
    int code =
        cli.execute(
            "replay",
            "--policies", TestBundles.defaultBundle().toString(),
            "--bootstrap-servers", KAFKA.bootstrapServers(),
            "--topic", app.topics().events(),
            "--schema-registry", "mock://" + app.prefix,
            "--output", output.toString());

    // Then the decisions, grouped by partition in offset order, are the live ones
    assertThat(code).as("exit code; stderr: %s", err).isEqualTo(3);
    List<String> replayed = Files.readAllLines(output, StandardCharsets.UTF_8);
    Map<Integer, List<String>> byPartition = new TreeMap<>();
    for (String line : replayed) {
      byPartition.computeIfAbsent(partitionOf(line), p -> new ArrayList<>()).add(line);
    }
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(byPartition.get(p)).as("partition %d", p).containsExactlyElementsOf(live.get(p));
    }
    assertThat(replayed)
        .containsExactlyElementsOf(live.values().stream().flatMap(List::stream).toList());
    // and the dead letters are the live ones, with their positions and reasons
    assertThat(err.toString().lines().toList()).containsExactlyInAnyOrderElementsOf(liveDeadLetters);
  }

  /** Undecodable bytes, a contract violation, a key that is not the sessionId, a future date. */
  private static List<Map.Entry<String, byte[]>> invalidRecords(RunningAuditor app, AgentEvent sample) {
    AgentEvent emptyAgent = AgentEvent.newBuilder(sample).setAgentId("").build();
    AgentEvent future =
        AgentEvent.newBuilder(sample)
            .setEventId("from-the-future")
            .setOccurredAt(java.time.Instant.now().plus(java.time.Duration.ofDays(1)))
            .build();
    return List.of(
        Map.entry(sample.getSessionId(), new byte[] {0, 0, 0, 0, 1, 42}),
        Map.entry(sample.getSessionId(), app.serialize(emptyAgent)),
        Map.entry("not-" + sample.getSessionId(), app.serialize(sample)),
        Map.entry(sample.getSessionId(), app.serialize(future)),
        Map.entry("other-session", "not avro".getBytes(StandardCharsets.UTF_8)));
  }

  /** The partition Kafka's default partitioner gives the decision's key (its sessionId). */
  private static int partitionOf(String decisionJson) {
    byte[] key = DecisionJsonCodec.decode(decisionJson).sessionId().getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
  }
}
