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
    int code = replayTopic(app, output, err);

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
    List<String> stderr = err.toString().lines().toList();
    assertThat(stderr.subList(0, stderr.size() - 1)).containsExactlyInAnyOrderElementsOf(liveDeadLetters);
    assertThat(stderr.get(stderr.size() - 1))
        .startsWith("replay: " + (events.size() + invalid.size()) + " events in ")
        .contains(", " + invalid.size() + " dead letters, 0 skipped;");
  }

  @Test
  void shouldDiffATopicAsTwoReplaysOfItDiffer(@TempDir Path tmp) throws IOException {
    // Given generated sessions on 3 partitions and a candidate whose credential lifetime bound is
    // ten minutes instead of an hour (the sessions' tokens live 15 and 60 minutes)
    RunningAuditor app = new RunningAuditor(KAFKA, "topic-diff", PARTITIONS);
    app.createTopics(tmp.resolve("state"));
    app.produce(AuditTestData.decode(AuditTestData.generatedSessions("topic-diff", 24, 150, 5L)));
    Path candidate = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("candidate"));
    TestBundles.write(
        candidate,
        "settings.yaml",
        TestBundles.read(candidate, "settings.yaml")
            .replace("maxCredentialTtlSeconds: 3600", "maxCredentialTtlSeconds: 600"));
    List<String> topic =
        List.of(
            "--bootstrap-servers", KAFKA.bootstrapServers(),
            "--topic", app.topics().events(),
            "--schema-registry", "mock://" + app.prefix);
    Path base = tmp.resolve("base.jsonl");
    Path changed = tmp.resolve("candidate.jsonl");
    Path report = tmp.resolve("diff.jsonl");
    assertThat(run(topic, "replay", "--policies", TestBundles.defaultBundle().toString(), "--output", base.toString()))
        .isZero();
    assertThat(run(topic, "replay", "--policies", candidate.toString(), "--output", changed.toString()))
        .isZero();

    // When
    int code =
        run(
            topic,
            "diff",
            "--base", TestBundles.defaultBundle().toString(),
            "--candidate", candidate.toString(),
            "--output", report.toString());

    // Then the events listed are exactly those whose verdict or rule ids the two replays differ on
    assertThat(code).isEqualTo(1);
    Map<String, String> before = outcomes(base);
    Map<String, String> after = outcomes(changed);
    java.util.Set<String> differing = new java.util.TreeSet<>();
    java.util.Set<String> keys = new java.util.TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String key : keys) {
      if (!java.util.Objects.equals(before.get(key), after.get(key))) {
        differing.add(key);
      }
    }
    List<String> reportLines = Files.readAllLines(report, StandardCharsets.UTF_8);
    java.util.Set<String> listed = new java.util.TreeSet<>();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    for (String line : reportLines.subList(0, reportLines.size() - 1)) {
      com.fasterxml.jackson.databind.JsonNode node = json.readTree(line);
      listed.add(node.get("sessionId").asText() + "/" + node.get("eventId").asText());
    }
    assertThat(differing).isNotEmpty();
    assertThat(listed).isEqualTo(differing);
  }

  @Test
  void shouldSkipAndCountTheEventsOfSessionsStartedBeforeFrom(@TempDir Path tmp) throws IOException {
    // Given sessions half a minute apart (each lasts minutes), each record stamped with its occurredAt
    RunningAuditor app = new RunningAuditor(KAFKA, "topic-from", PARTITIONS);
    app.createTopics(tmp.resolve("state"));
    List<AgentEvent> events = AuditTestData.decode(AuditTestData.generatedSessions("topic-from", 12, 30, 3L));
    try (org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "acks", "all"),
            new org.apache.kafka.common.serialization.StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      for (AgentEvent e : events) {
        producer.send(
            new org.apache.kafka.clients.producer.ProducerRecord<>(
                app.topics().events(), null, e.getOccurredAt().toEpochMilli(), e.getSessionId(), app.serialize(e)));
      }
      producer.flush();
    }
    java.time.Instant from =
        events.stream()
            .filter(e -> e.getSessionId().equals("topic-from-s6") && e.getType() == io.agentauditor.schema.EventType.SESSION_STARTED)
            .findFirst()
            .orElseThrow()
            .getOccurredAt();
    java.util.Set<String> startedBefore = new java.util.HashSet<>();
    events.stream()
        .filter(e -> e.getType() == io.agentauditor.schema.EventType.SESSION_STARTED && e.getOccurredAt().isBefore(from))
        .forEach(e -> startedBefore.add(e.getSessionId()));
    List<AgentEvent> inRange = events.stream().filter(e -> !e.getOccurredAt().isBefore(from)).toList();
    long skipped = inRange.stream().filter(e -> startedBefore.contains(e.getSessionId())).count();
    java.util.Set<String> decided = new java.util.TreeSet<>();
    inRange.stream()
        .filter(e -> !startedBefore.contains(e.getSessionId()))
        .forEach(e -> decided.add(e.getSessionId() + "/" + e.getEventId()));
    Path output = tmp.resolve("from.jsonl");
    StringWriter err = new StringWriter();

    // When
    int code = replayTopic(app, output, err, "--from", from.toString());

    // Then the events of sessions started before --from are counted as skipped, the rest decided
    assertThat(code).as("stderr: %s", err).isZero();
    assertThat(skipped).isPositive();
    java.util.Set<String> replayed = new java.util.TreeSet<>();
    for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
      io.agentauditor.model.Decision d = DecisionJsonCodec.decode(line);
      if (!d.eventId().endsWith(AuditEngine.IDLE_TIMEOUT_SUFFIX)) {
        replayed.add(d.sessionId() + "/" + d.eventId());
      }
    }
    assertThat(replayed).isEqualTo(decided);
    assertThat(err.toString().lines().toList())
        .singleElement()
        .satisfies(
            summary ->
                assertThat(summary)
                    .startsWith("replay: " + inRange.size() + " events in ")
                    .contains(", 0 dead letters, " + skipped + " skipped;"));
  }

  /** {@code replay --topic} of {@code app}'s events with the default bundle; its exit code. */
  private static int replayTopic(RunningAuditor app, Path output, StringWriter err, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "replay",
                "--policies", TestBundles.defaultBundle().toString(),
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--topic", app.topics().events(),
                "--schema-registry", "mock://" + app.prefix,
                "--output", output.toString()));
    args.addAll(List.of(more));
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args.toArray(String[]::new));
  }

  /** Runs the command line with {@code topic}'s options last; returns the exit code. */
  private static int run(List<String> topic, String... command) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(topic);
    CommandLine cli = AuditorCli.newCommandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args.toArray(String[]::new));
    assertThat(err.toString()).as("stderr of %s", args).doesNotContain("partition ");
    return code;
  }

  /** Verdict and sorted rule ids per sessionId/eventId of a decisions file. */
  private static Map<String, String> outcomes(Path decisions) throws IOException {
    Map<String, String> outcomes = new TreeMap<>();
    for (String line : Files.readAllLines(decisions, StandardCharsets.UTF_8)) {
      io.agentauditor.model.Decision d = DecisionJsonCodec.decode(line);
      outcomes.put(
          d.sessionId() + "/" + d.eventId(),
          d.verdict() + " " + new java.util.TreeSet<>(d.findings().stream().map(x -> x.ruleId()).toList()));
    }
    return outcomes;
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
