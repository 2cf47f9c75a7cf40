package io.agentauditor.load.faults;

import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.load.InputFuzzer;
import io.agentauditor.schema.AgentEvent;
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
 *       mapping.
 * </ul>
 *
 * <p>A dead letter whose error is not a verdict on the input ({@link InputFuzzer#EXPECTED_ERRORS})
 * counts as a lost decision: a valid record failed somewhere.
 */
final class Verifier {

  /** The outcome of a verification. */
  record Result(long inputs, long decisions, long deadLetters, long idleTimeouts, long lost, long duplicated,
      long mismatched, List<String> examples) {

    boolean ok() {
      return lost == 0 && duplicated == 0 && mismatched == 0;
    }
  }

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
        List<String> expected = replay(partition, dump.toString());
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
    return new Result(inputCount, decisionCount, deadLetters, idle, lost, duplicated, mismatched, examples);
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

  private List<String> replay(int partition, String lines) throws IOException, InterruptedException {
    Path in = workDir.resolve("verify-partition-" + partition + ".jsonl");
    Path out = workDir.resolve("verify-partition-" + partition + ".decisions.jsonl");
    Files.writeString(in, lines);
    Process process =
        new ProcessBuilder(
                FaultInjection.javaCommand("-Xmx768m", "io.agentauditor.cli.AuditorCli", "replay",
                    "--policies", policies.toString(), "--input", in.toString(), "--output", out.toString()))
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("verify-partition-" + partition + ".log").toFile())
            .start();
    if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("./auditor replay of partition " + partition + " failed, see "
          + workDir.resolve("verify-partition-" + partition + ".log"));
    }
    return Files.readAllLines(out, StandardCharsets.UTF_8);
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
        "inputs %d: decisions %d (+ %d idle timeouts), dead letters %d%nlost %d, duplicated %d, mismatched %d",
        r.inputs(), r.decisions(), r.idleTimeouts(), r.deadLetters(), r.lost(), r.duplicated(), r.mismatched());
  }
}
