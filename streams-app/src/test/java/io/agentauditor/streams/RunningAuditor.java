package io.agentauditor.streams;

import static org.awaitility.Awaitility.await;

import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.runtime.StreamThreadFailurePolicy;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.testing.KafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The auditor as production runs it, for the {@code *IT} tests: typed config, topics created by
 * {@link TopicsAdmin}, {@link AuditorTopology#build} with the default bundle, {@link
 * AuditorConfig#streamsProperties()} (exactly-once, dead-letter handlers) and the thread-failure
 * policy. Plus a producer of events and a read_committed reader of the outputs. Unique topics,
 * application id and registry scope per instance.
 */
final class RunningAuditor {

  static final Duration TIMEOUT = Duration.ofSeconds(45);

  final KafkaBroker kafka;
  final String prefix;
  final int partitions;

  RunningAuditor(KafkaBroker kafka, String name, int partitions) {
    this.kafka = kafka;
    this.prefix = KafkaBroker.uniqueName(name);
    this.partitions = partitions;
  }

  AuditorConfig config(Path stateDir) {
    return config(stateDir, Map.of());
  }

  /** The configuration, with {@code overrides} (e.g. {@code processing.guarantee}) on top. */
  AuditorConfig config(Path stateDir, Map<String, String> overrides) {
    TopicNames topics = AuditTestData.topicNames(prefix);
    Map<String, String> settings = new java.util.HashMap<>(baseSettings(topics, stateDir));
    settings.putAll(overrides);
    return AuditorConfig.fromMap(settings, Map.of());
  }

  private Map<String, String> baseSettings(TopicNames topics, Path stateDir) {
    return Map.ofEntries(
            Map.entry("bootstrap.servers", kafka.bootstrapServers()),
            Map.entry("schema.registry.url", "mock://" + prefix),
            Map.entry("application.id", prefix),
            Map.entry("topics.events", topics.events()),
            Map.entry("topics.decisions", topics.decisions()),
            Map.entry("topics.violations", topics.violations()),
            Map.entry("topics.credentials", topics.credentials()),
            Map.entry("topics.dead.letters", topics.deadLetters()),
            Map.entry("topics.partitions", Integer.toString(partitions)),
            Map.entry("topics.replication.factor", "1"),
            // The test events are stamped on fixed past dates, and so are the decisions (event
            // time): with the default 7-day retention the broker may delete them before they are
            // read, once the wall clock is 7 days past the data.
            Map.entry("topics.retention.ms", "-1"),
            Map.entry("state.dir", stateDir.toString()),
            Map.entry("rocksdb.memory.bytes", Long.toString(32L * 1024 * 1024)));
  }

  TopicNames topics() {
    return AuditTestData.topicNames(prefix);
  }

  void createTopics(Path anyStateDir) {
    try (Admin admin = kafka.admin()) {
      new TopicsAdmin(admin, config(anyStateDir).topicSettings()).ensureTopics();
    }
  }

  /** Starts the auditor on {@code stateDir} and waits until it is RUNNING. */
  KafkaStreams start(Path stateDir) {
    return start(stateDir, Map.of(), OutputLimits.MAX_VALUE_BYTES);
  }

  /**
   * Starts the auditor with configuration {@code overrides} and a bound on output values, and waits
   * until it is RUNNING.
   */
  KafkaStreams start(Path stateDir, Map<String, String> overrides, int maxOutputValueBytes) {
    AuditorConfig config = config(stateDir, overrides);
    KafkaStreams streams =
        new KafkaStreams(
            AuditorTopology.build(
                config.topics(),
                config.serdeConfig(),
                AuditTestData.defaultPolicy(),
                io.agentauditor.engine.CachingStateStore.DEFAULT_MAX_ENTRIES,
                DecisionListener.NONE,
                maxOutputValueBytes),
            config.streamsProperties());
    streams.setUncaughtExceptionHandler(
        StreamThreadFailurePolicy.from(config, new SimpleMeterRegistry()));
    streams.start();
    await().atMost(TIMEOUT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
    return streams;
  }

  void produce(List<AgentEvent> events) {
    try (KafkaProducer<String, AgentEvent> producer =
        new KafkaProducer<>(
            producerConfig(),
            new StringSerializer(),
            AvroSerde.of(
                AgentEvent.class, Map.of("schema.registry.url", "mock://" + prefix), false))) {
      for (AgentEvent e : events) {
        producer.send(new ProducerRecord<>(topics().events(), e.getSessionId(), e));
      }
      producer.flush();
    }
  }

  /** Produces raw values in order, each with its key; for poison records. */
  void produceRaw(List<Map.Entry<String, byte[]>> records) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
      for (Map.Entry<String, byte[]> r : records) {
        producer.send(new ProducerRecord<>(topics().events(), r.getKey(), r.getValue()));
      }
      producer.flush();
    }
  }

  byte[] serialize(AgentEvent event) {
    try (AvroSerde<AgentEvent> serde =
        AvroSerde.of(AgentEvent.class, Map.of("schema.registry.url", "mock://" + prefix), false)) {
      return serde.serialize(topics().events(), event);
    }
  }

  Decision decision(byte[] value) {
    try (AvroSerde<Decision> serde =
        AvroSerde.of(Decision.class, Map.of("schema.registry.url", "mock://" + prefix), false)) {
      return serde.deserialize(topics().decisions(), value);
    }
  }

  private Map<String, Object> producerConfig() {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG,
        "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        true);
  }

  /** A read_committed reader of every partition of {@code topic}, from the beginning. */
  Reader reader(String topic) {
    return new Reader(topic);
  }

  /** Accumulates the committed records of one topic; the caller closes it. */
  final class Reader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    private final List<TopicPartition> assigned;

    private Reader(String topic) {
      consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  kafka.bootstrapServers(),
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                  "read_committed",
                  ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                  false),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      assigned =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
    }

    /**
     * Polls until {@code count} records were read (failing after the timeout); returns them all.
     */
    List<ConsumerRecord<byte[], byte[]>> awaitAtLeast(int count) {
      try {
        await()
            .atMost(TIMEOUT)
            .until(
                () -> {
                  poll();
                  return records.size() >= count;
                });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            "expected at least " + count + " records of " + assigned + ", read " + records.size(), e);
      }
      return List.copyOf(records);
    }

    /**
     * Polls until {@code condition} holds for everything read so far (failing after the timeout).
     */
    List<ConsumerRecord<byte[], byte[]>> awaitUntil(
        java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> condition) {
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                poll();
                return condition.test(records);
              });
      return List.copyOf(records);
    }

    /** Reads up to the current last stable offset of every partition; returns everything read. */
    List<ConsumerRecord<byte[], byte[]>> drain() {
      Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                poll();
                return end.entrySet().stream()
                    .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
              });
      return List.copyOf(records);
    }

    private void poll() {
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /**
   * Closes {@code streams}, leaving the consumer group: by default Streams stays in the group on
   * close, and a successor would wait for the session timeout (45 s) before it gets the partitions.
   */
  static void closeQuietly(KafkaStreams streams) {
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
  }
}
