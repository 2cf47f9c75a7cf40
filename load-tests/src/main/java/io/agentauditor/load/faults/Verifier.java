package io.agentauditor.load.faults;

import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.codec.EventJsonCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.load.InputFuzzer;
import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.replay.ReplayOutputs;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.CredentialKey;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.DeadLetter;
import io.agentauditor.streams.TopicNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Checks a run of the auditor from its topics alone, read {@code read_committed}:
 *
 * <ul>
 *   <li>every input record ends as exactly one dead letter (by its source offset) or, if none,
 *       one decision (by {@code eventId}; a retried event has one decision per record);
 *   <li>no decision and no dead letter is duplicated;
 *   <li>the decisions of each partition, idle timeouts included, are byte for byte in JSON form
 *       those of {@code ./auditor replay} (run as a process) over that partition's records that
 *       are not dead letters, in offset order, dumped to JSON Lines with the product's Avro to JSON
 *       mapping;
 *   <li>the violations of each session are, in order and byte for byte, the OCSF findings that
 *       replay writes for it ({@code --violations}), and each dead letter has exactly one {@code
 *       invalid-event} finding, with its source position and error (contract 9.4; replay, which
 *       is not given the dead letters, writes none);
 *   <li>the final credential ledger, the last record of each (sessionId, credentialId) key, is
 *       byte for byte, as a ledger line, replay's last change of that key ({@code
 *       --credentials}), and the topic's records of each key are replay's changes of it in order,
 *       some left out: the topic is compacted, so the broker may have dropped all but the last.
 * </ul>
 *
 * <p>A dead letter whose error is not a verdict on the input ({@link InputFuzzer#EXPECTED_ERRORS})
 * counts as a lost decision: a valid record failed somewhere.
 */
final class Verifier {

  /** The outcome of a verification. */
  record Result(long inputs, long decisions, long deadLetters, long idleTimeouts, long lost, long duplicated,
      long mismatched, long violations, long violationsMismatched, long ledgerKeys, long ledgerMismatched,
      List<String> examples) {

    boolean ok() {
      return lost == 0 && duplicated == 0 && mismatched == 0 && violationsMismatched == 0 && ledgerMismatched == 0;
    }
  }

  /** What {@code ./auditor replay} wrote for one partition: decisions, violations, ledger lines. */
  private record Replayed(List<String> decisions, List<String> violations, List<String> ledger) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String bootstrap;
  private final Map<String, Object> serdeConfig;
  private final TopicNames topics;
  private final Path workDir;
  private final Path policies;

  Verifier(String bootstrap, Map<String, Object> serdeConfig, TopicNames topics, Path workDir, Path policies) {
    this.bootstrap = bootstrap;
    this.serdeConfig = serdeConfig;
    this.topics = topics;
    this.workDir = workDir;
    this.policies = policies;
  }

  Result verify() throws IOException, InterruptedException {
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> inputs = readAll(topics.events());
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> decisionRecords = readAll(topics.decisions());
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> letters = readAll(topics.deadLetters());
    List<String> examples = new ArrayList<>();
    List<String> replayedViolations = new ArrayList<>();
    List<String> replayedLedger = new ArrayList<>();
    long lost = 0;
    long duplicated = 0;
    long mismatched = 0;
    long deadLetters = 0;
    long inputCount = 0;
    long decisionCount = 0;
    long idle = 0;

    // Dead letters by source position.
    Map<TopicPartition, Map<Long, DeadLetter>> bySource = new HashMap<>();
    for (List<ConsumerRecord<byte[], byte[]>> part : letters.values()) {
      for (ConsumerRecord<byte[], byte[]> record : part) {
        DeadLetter letter = DeadLetter.fromRecord(record);
        deadLetters++;
        TopicPartition source = new TopicPartition(letter.sourceTopic(), letter.sourcePartition());
        DeadLetter previous = bySource.computeIfAbsent(source, k -> new HashMap<>()).put(letter.sourceOffset(), letter);
        if (previous != null) {
          duplicated++;
          example(examples, "dead letter twice for " + source + "@" + letter.sourceOffset());
        }
        if (!InputFuzzer.EXPECTED_ERRORS.contains(letter.errorType())) {
          lost++;
          example(examples, "dead letter of a failure, not of bad input: " + source + "@" + letter.sourceOffset()
              + " " + letter.errorType() + ": " + letter.reason());
        }
      }
    }

    try (AvroSerde<AgentEvent> events = AvroSerde.of(AgentEvent.class, serdeConfig, false);
        AvroSerde<Decision> decisions = AvroSerde.of(Decision.class, serdeConfig, false)) {
      for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> entry : inputs.entrySet()) {
        int partition = entry.getKey();
        Map<Long, DeadLetter> dead = bySource.getOrDefault(new TopicPartition(topics.events(), partition), Map.of());
        StringBuilder dump = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> record : entry.getValue()) {
          inputCount++;
          if (dead.containsKey(record.offset())) {
            continue;
          }
          try {
            dump.append(EventJsonCodec.encode(EventMapper.toStep(events.deserialize(topics.events(), record.value()))))
                .append('\n');
          } catch (RuntimeException e) {
            lost++;
            example(examples, "an invalid record with no dead letter: " + partition + "@" + record.offset() + ": " + e);
          }
        }
        Replayed replayed = replay(partition, dump.toString());
        List<String> expected = replayed.decisions();
        replayedViolations.addAll(replayed.violations());
        replayedLedger.addAll(replayed.ledger());
        List<String> actual = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : decisionRecords.getOrDefault(partition, List.of())) {
          Decision decision = decisions.deserialize(topics.decisions(), record.value());
          actual.add(DecisionJsonCodec.encode(DecisionMapper.fromAvro(decision)));
          if (decision.getEventId().endsWith("#idle-timeout")) {
            idle++;
          } else {
            decisionCount++;
          }
        }
        Map<String, Integer> want = countByEventId(expected);
        Map<String, Integer> got = countByEventId(actual);
        for (Map.Entry<String, Integer> w : want.entrySet()) {
          int g = got.getOrDefault(w.getKey(), 0);
          if (g < w.getValue()) {
            lost += w.getValue() - g;
            example(examples, "partition " + partition + ": no decision for " + w.getKey());
          }
        }
        for (Map.Entry<String, Integer> g : got.entrySet()) {
          int w = want.getOrDefault(g.getKey(), 0);
          if (g.getValue() > w) {
            duplicated += g.getValue() - w;
            example(examples, "partition " + partition + ": " + g.getValue() + " decisions for " + g.getKey()
                + ", replay gives " + w);
          }
        }
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
          if (!expected.get(i).equals(actual.get(i))) {
            mismatched++;
            example(examples, "partition " + partition + " decision " + i + " differs:\n  topic:  "
                + actual.get(i) + "\n  replay: " + expected.get(i));
          }
        }
      }
    }
    long[] violations = compareViolations(replayedViolations, bySource, examples);
    long[] ledger = compareLedger(replayedLedger, examples);
    return new Result(inputCount, decisionCount, deadLetters, idle, lost, duplicated, mismatched, violations[0],
        violations[1], ledger[0], ledger[1], examples);
  }

  /**
   * The violations topic against replay's violations, session by session, and its {@code
   * invalid-event} findings against the dead letters; returns {violations read, mismatched}.
   */
  private long[] compareViolations(List<String> replayed, Map<TopicPartition, Map<Long, DeadLetter>> deadLetters,
      List<String> examples) throws IOException {
    Map<String, List<String>> want = new LinkedHashMap<>();
    for (String line : replayed) {
      want.computeIfAbsent(JSON.readTree(line).at("/actor/session/uid").asText(), k -> new ArrayList<>()).add(line);
    }
    Map<String, List<String>> got = new LinkedHashMap<>();
    Map<TopicPartition, Map<Long, Integer>> findingsBySource = new HashMap<>();
    long read = 0;
    long mismatched = 0;
    for (List<ConsumerRecord<byte[], byte[]>> part : readAll(topics.violations()).values()) {
      for (ConsumerRecord<byte[], byte[]> record : part) {
        read++;
        String json = new String(record.value(), StandardCharsets.UTF_8);
        JsonNode finding = JSON.readTree(json);
        if (!OcsfDetectionFindings.INVALID_EVENT.equals(finding.at("/finding_info/analytic/uid").asText())) {
          String session = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
          got.computeIfAbsent(session, k -> new ArrayList<>()).add(json);
          continue;
        }
        JsonNode source = finding.at("/unmapped/agent_auditor/dead_letter/source");
        TopicPartition position = new TopicPartition(source.path("topic").asText(), source.path("partition").asInt());
        long offset = source.path("offset").asLong();
        findingsBySource.computeIfAbsent(position, k -> new HashMap<>()).merge(offset, 1, Integer::sum);
        DeadLetter letter = deadLetters.getOrDefault(position, Map.of()).get(offset);
        String error = finding.at("/unmapped/agent_auditor/dead_letter/error").asText();
        if (letter == null || !letter.errorType().equals(error)) {
          mismatched++;
          example(examples, "an invalid-event finding for " + position + "@" + offset + " (" + error
              + ") that no dead letter matches");
        }
      }
    }
    for (Map.Entry<TopicPartition, Map<Long, DeadLetter>> source : deadLetters.entrySet()) {
      for (Long offset : source.getValue().keySet()) {
        int findings = findingsBySource.getOrDefault(source.getKey(), Map.of()).getOrDefault(offset, 0);
        if (findings != 1) {
          mismatched++;
          example(examples, "dead letter " + source.getKey() + "@" + offset + " has " + findings
              + " invalid-event findings, not 1");
        }
      }
    }
    Map<String, List<String>> sessions = new LinkedHashMap<>(want);
    got.forEach(sessions::putIfAbsent);
    for (String session : sessions.keySet()) {
      List<String> w = want.getOrDefault(session, List.of());
      List<String> g = got.getOrDefault(session, List.of());
      long differing = Math.abs(w.size() - g.size());
      for (int i = 0; i < Math.min(w.size(), g.size()); i++) {
        if (!w.get(i).equals(g.get(i))) {
          differing++;
        }
      }
      if (differing > 0) {
        mismatched += differing;
        example(examples, "session " + session + ": " + g.size() + " violations, replay writes " + w.size()
            + ", " + differing + " differ; first of the topic's: " + (g.isEmpty() ? "none" : g.get(0)));
      }
    }
    return new long[] {read, mismatched};
  }

  /**
   * The credentials topic against replay's ledger: the last record of each key byte for byte, and
   * every record of a key one of replay's changes of it, in order; returns {keys, mismatched}.
   */
  private long[] compareLedger(List<String> replayed, List<String> examples) throws IOException {
    Map<String, List<String>> want = new LinkedHashMap<>();
    for (String line : replayed) {
      JsonNode key = JSON.readTree(line).get("key");
      want.computeIfAbsent(ledgerKey(key.path("sessionId").asText(), key.path("credentialId").asText()),
          k -> new ArrayList<>()).add(line);
    }
    Map<String, List<String>> got = new LinkedHashMap<>();
    try (AvroSerde<CredentialKey> keys = AvroSerde.of(CredentialKey.class, serdeConfig, true);
        AvroSerde<CredentialState> values = AvroSerde.of(CredentialState.class, serdeConfig, false)) {
      for (List<ConsumerRecord<byte[], byte[]>> part : readAll(topics.credentials()).values()) {
        for (ConsumerRecord<byte[], byte[]> record : part) {
          CredentialKey key = keys.deserialize(topics.credentials(), record.key());
          // The auditor writes no tombstones; one here is a ledger entry replay never writes.
          String line = record.value() == null ? "a tombstone"
              : new String(ReplayOutputs.ledgerLine(key.getSessionId(), key.getCredentialId(),
                  values.deserialize(topics.credentials(), record.value())), StandardCharsets.UTF_8);
          got.computeIfAbsent(ledgerKey(key.getSessionId(), key.getCredentialId()), k -> new ArrayList<>())
              .add(line);
        }
      }
    }
    Map<String, List<String>> all = new LinkedHashMap<>(want);
    got.forEach(all::putIfAbsent);
    long mismatched = 0;
    for (String key : all.keySet()) {
      List<String> w = want.getOrDefault(key, List.of());
      List<String> g = got.getOrDefault(key, List.of());
      String wantLast = w.isEmpty() ? "none" : w.get(w.size() - 1);
      String gotLast = g.isEmpty() ? "none" : g.get(g.size() - 1);
      if (!wantLast.equals(gotLast)) {
        mismatched++;
        example(examples, "ledger entry differs:\n  topic:  " + gotLast + "\n  replay: " + wantLast);
      } else if (!inOrderWithin(g, w)) {
        mismatched++;
        example(examples, "ledger records of " + key.replace('\u0000', ' ') + ": " + g.size()
            + " that are not replay's " + w.size() + " changes in order (duplicated or extra)");
      }
    }
    return new long[] {all.size(), mismatched};
  }

  private static String ledgerKey(String sessionId, String credentialId) {
    return sessionId + '\u0000' + credentialId;
  }

  /** Whether {@code part} is {@code whole} with some elements left out, the others in order. */
  private static boolean inOrderWithin(List<String> part, List<String> whole) {
    int j = 0;
    for (String line : part) {
      while (j < whole.size() && !whole.get(j).equals(line)) {
        j++;
      }
      if (j == whole.size()) {
        return false;
      }
      j++;
    }
    return true;
  }

  private static Map<String, Integer> countByEventId(List<String> decisionLines) {
    Map<String, Integer> counts = new HashMap<>();
    for (String line : decisionLines) {
      counts.merge(eventKey(line), 1, Integer::sum);
    }
    return counts;
  }

  /** "sessionId eventId" of a decision line (both are the first fields of contract 9.1's JSON). */
  private static String eventKey(String line) {
    var decision = DecisionJsonCodec.decode(line);
    return decision.sessionId() + " " + decision.eventId();
  }

  private Replayed replay(int partition, String lines) throws IOException, InterruptedException {
    Path in = workDir.resolve("verify-partition-" + partition + ".jsonl");
    Path out = workDir.resolve("verify-partition-" + partition + ".decisions.jsonl");
    Path violations = workDir.resolve("verify-partition-" + partition + ".violations.jsonl");
    Path credentials = workDir.resolve("verify-partition-" + partition + ".credentials.jsonl");
    Files.writeString(in, lines);
    Process process =
        new ProcessBuilder(
                FaultInjection.javaCommand("-Xmx768m", "io.agentauditor.cli.AuditorCli", "replay",
                    "--policies", policies.toString(), "--input", in.toString(), "--output", out.toString(),
                    "--violations", violations.toString(), "--credentials", credentials.toString()))
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("verify-partition-" + partition + ".log").toFile())
            .start();
    if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("./auditor replay of partition " + partition + " failed, see "
          + workDir.resolve("verify-partition-" + partition + ".log"));
    }
    return new Replayed(Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readAllLines(violations, StandardCharsets.UTF_8), Files.readAllLines(credentials, StandardCharsets.UTF_8));
  }

  private Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> result = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
        partitions.add(new TopicPartition(topic, info.partition()));
        result.put(info.partition(), new ArrayList<>());
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(60));
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(60)) < ends.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
          result.get(record.partition()).add(record);
        }
      }
    }
    return result;
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < 20) {
      examples.add(text);
    }
  }

  static String describe(Result r) {
    return String.format(Locale.ROOT,
        "inputs %d: decisions %d (+ %d idle timeouts), dead letters %d%nlost %d, duplicated %d, mismatched %d%n"
            + "violations %d, mismatched %d; credential ledger keys %d, mismatched %d",
        r.inputs(), r.decisions(), r.idleTimeouts(), r.deadLetters(), r.lost(), r.duplicated(), r.mismatched(),
        r.violations(), r.violationsMismatched(), r.ledgerKeys(), r.ledgerMismatched());
  }
}
