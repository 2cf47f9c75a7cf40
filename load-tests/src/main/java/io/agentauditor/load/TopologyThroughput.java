package io.agentauditor.load;

import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.runtime.AuditorMetrics;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.streams.DecisionListener;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Events per second through the audit topology, against a pass-through topology (source to sink,
 * the same Avro serdes, the same Streams settings) measured in the same run on the same input.
 *
 * <p>One embedded broker; {@code M} events from {@link SessionGenerator#realistic} produced once
 * (Avro through our serde, in-memory registry); then, {@code R} times, alternating, each topology
 * reads the whole input under a fresh application id. A run's time goes from Kafka Streams
 * reaching {@code RUNNING} to the moment its committed input offsets reach the end of the input:
 * under exactly-once the outputs of a record are committed in the same transaction as its offset,
 * so that is when the last output became readable. The median of the runs is reported.
 *
 * <p>{@code W} warm-up rounds (one audit and one pass-through run each, default 2) come first and
 * are discarded: the first pass runs while the JIT is still compiling on the same cores, and after
 * one round of 200,000 events the JIT was still at it: the first measured audit run was 23 to 31%
 * slower than the next two in each of four runs of 2026-12-08.
 *
 * <p>The audit topology runs with the runtime's meters, as {@code ./auditor run} does ({@link
 * AuditorMetrics}: its decision listener and its producer interceptor); {@code metrics=false}
 * leaves them out. The pass-through topology has none.
 *
 * <p>Usage: {@code TopologyThroughput [events=200000] [runs=3] [warmup=2] [partitions=2]
 * [policies=policies] [metrics=true] [KEY=VALUE...]}: every option whose key contains a dot is an
 * auditor setting applied to both topologies (e.g. {@code commit.interval.ms=500}, {@code
 * streams.statestore.cache.max.bytes=...}).
 */
public final class TopologyThroughput {

  private static final String REGISTRY = "mock://throughput";
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);
  private static final Map<String, String> KEEP_FOREVER = Map.of("retention.ms", "-1");

  private TopologyThroughput() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    int events = Integer.parseInt(options.getOrDefault("events", "200000"));
    int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
    int partitions = Integer.parseInt(options.getOrDefault("partitions", "2"));
    int warmups = Integer.parseInt(options.getOrDefault("warmup", "2"));
    boolean metrics = Boolean.parseBoolean(options.getOrDefault("metrics", "true"));
    Policy policy = PolicyBundleLoader.load(Path.of(options.getOrDefault("policies", "policies")));
    Map<String, String> settings = new LinkedHashMap<>();
    options.forEach((key, value) -> {
      if (key.contains(".")) {
        settings.put(key, value);
      }
    });
    if (!settings.isEmpty()) {
      System.out.printf(Locale.ROOT, "settings: %s%n", settings);
    }
    System.out.printf(Locale.ROOT, "load before: %s%n", loadAverage());
    System.out.printf(Locale.ROOT, "audit topology with the runtime's meters: %s%n", metrics);

    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      String input = "throughput-events";
      // Generated events are dated weeks back: kept for good, or the broker's retention check
      // (every 5 minutes) deletes them under a slow run and the group never reaches the end.
      kafka.createTopic(input, partitions, KEEP_FOREVER);
      double produceRate = produce(kafka.bootstrapServers(), input, events);
      System.out.printf(
          Locale.ROOT, "produced %d events to %d partition(s) at %.0f events/s%n", events, partitions, produceRate);

      // The first pass through the audit topology runs mostly interpreted while the JIT compiles
      // the engine, the serdes and Streams on the same cores; discarded so runs measure the steady
      // state both topologies would have in a long-running instance.
      for (int warmup = 1; warmup <= warmups; warmup++) {
        double a = measure(kafka, input, partitions, events, "audit", -warmup, policy, settings, metrics);
        double p = measure(kafka, input, partitions, events, "pass-through", -warmup, policy, settings, false);
        System.out.printf(
            Locale.ROOT, "warm-up %d (discarded): audit %.0f events/s, pass-through %.0f events/s%n", warmup, a, p);
      }
      List<Double> audit = new ArrayList<>();
      List<Double> passThrough = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        audit.add(measure(kafka, input, partitions, events, "audit", run, policy, settings, metrics));
        passThrough.add(measure(kafka, input, partitions, events, "pass-through", run, policy, settings, false));
        System.out.printf(
            Locale.ROOT,
            "run %d: audit %.0f events/s, pass-through %.0f events/s%n",
            run, audit.get(run - 1), passThrough.get(run - 1));
      }
      double auditMedian = median(audit);
      double passMedian = median(passThrough);
      System.out.printf(
          Locale.ROOT,
          "%nmedian of %d runs, %d events, %d partition(s), exactly_once_v2, 1 stream thread:%n"
              + "  audit topology        %8.0f events/s%n"
              + "  pass-through baseline %8.0f events/s%n"
              + "  audit / baseline      %8.2f%n",
          runs, events, partitions, auditMedian, passMedian, auditMedian / passMedian);
    }
    System.out.printf(Locale.ROOT, "load after: %s%n", loadAverage());
  }

  private static double produce(String bootstrap, String topic, int count) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    SessionGenerator generator = SessionGenerator.realistic(42);
    long start = System.nanoTime();
    try (AvroSerde<AgentEvent> serde =
            AvroSerde.of(AgentEvent.class, Map.of(AuditorConfig.SCHEMA_REGISTRY_URL, REGISTRY), false);
        KafkaProducer<String, AgentEvent> producer =
            new KafkaProducer<>(props, new StringSerializer(), serde)) {
      for (int i = 0; i < count; i++) {
        AgentEvent event = generator.next();
        // Stamped like the event, as a gateway would: generated event time runs ahead of the wall
        // clock, and the auditor refuses events stamped far after their record (clock skew bound).
        producer.send(
            new ProducerRecord<>(
                topic, null, event.getOccurredAt().toEpochMilli(), event.getSessionId(), event));
      }
      producer.flush();
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private static double measure(
      EmbeddedKafkaCluster kafka,
      String input,
      int partitions,
      int events,
      String kind,
      int run,
      Policy policy,
      Map<String, String> settings,
      boolean withMetrics)
      throws IOException, InterruptedException {
    String id = "throughput-" + kind + (run < 0 ? "-warmup" + (-run) : "-" + run);
    Path stateDir = Files.createTempDirectory("agent-auditor-throughput-");
    AuditorConfig config = config(kafka.bootstrapServers(), id, input, partitions, stateDir, settings);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        AuditorMetrics metrics =
            new AuditorMetrics(
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), config.topics())) {
      for (String topic : config.topics().all()) {
        if (!topic.equals(input)) {
          kafka.createTopic(topic, partitions, KEEP_FOREVER);
        }
      }
      Topology topology =
          kind.equals("audit")
              ? AuditorTopology.build(
                  config.topics(),
                  config.serdeConfig(),
                  policy,
                  config.engineCachedRecords(),
                  withMetrics ? metrics.listener() : DecisionListener.NONE)
              : passThrough(config);
      Properties properties =
          withMetrics ? metrics.instrument(config.streamsProperties()) : config.streamsProperties();
      CountDownLatch running = new CountDownLatch(1);
      long[] runningAt = new long[1];
      KafkaStreams streams = new KafkaStreams(topology, properties);
      streams.setStateListener((now, before) -> {
        if (now == KafkaStreams.State.RUNNING && running.getCount() > 0) {
          runningAt[0] = System.nanoTime();
          running.countDown();
        }
      });
      try {
        streams.start();
        if (!running.await(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          throw new IllegalStateException(id + " never reached RUNNING");
        }
        awaitCommitted(admin, id, input, partitions);
        double rate = events / ((System.nanoTime() - runningAt[0]) / 1e9);
        // CPU of the stream thread per event: less at the mercy of a shared machine's load than
        // wall time (it leaves out the broker, the producer's I/O thread and waiting for a core).
        System.out.printf(
            Locale.ROOT,
            "  %s: %.0f events/s, stream thread %.1f CPU-us/event, chain-state changelog %.2f offsets/event%n",
            id, rate, streamThreadCpuNanos(id) / 1e3 / events,
            (double) changelogOffsets(admin, id + "-chain-state-changelog", partitions) / events);
        return rate;
      } finally {
        streams.close(Duration.ofSeconds(30));
        streams.cleanUp();
        deleteQuietly(stateDir);
      }
    }
  }

  /** CPU time so far of the stream threads of application {@code id}. */
  private static long streamThreadCpuNanos(String id) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(id + "-") && info.getThreadName().contains("-StreamThread-")
          && !info.getThreadName().contains("producer")) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  /** Polls the application's committed offsets until they reach the input's end. */
  /**
   * The end offsets of a changelog summed over its partitions: the records the store wrote to it,
   * plus one transaction marker per partition and commit (0 for a topology without the store).
   */
  private static long changelogOffsets(Admin admin, String topic, int partitions)
      throws InterruptedException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    try {
      long sum = 0;
      for (var info : admin.listOffsets(latest).all().get().values()) {
        sum += info.offset();
      }
      return sum;
    } catch (ExecutionException e) {
      return 0; // the pass-through topology has no changelog
    }
  }

  private static void awaitCommitted(Admin admin, String groupId, String input, int partitions)
      throws InterruptedException {
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(input, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    try {
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
      while (System.nanoTime() < deadline) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
        boolean done =
            ends.entrySet().stream()
                .allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue());
        if (done) {
          return;
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read offsets of " + groupId, e.getCause());
    }
    throw new IllegalStateException(groupId + " did not consume its input within " + RUN_TIMEOUT);
  }

  /** The baseline: the same source and serdes, straight to a sink. */
  static Topology passThrough(AuditorConfig config) {
    Map<String, Object> serdeConfig = config.serdeConfig();
    AvroSerde<AgentEvent> in = AvroSerde.of(AgentEvent.class, serdeConfig, false);
    AvroSerde<AgentEvent> out = AvroSerde.of(AgentEvent.class, serdeConfig, false);
    StreamsBuilder builder = new StreamsBuilder();
    builder
        .stream(config.topics().events(), Consumed.with(Serdes.String(), in))
        .to(config.topics().decisions(), Produced.with(Serdes.String(), out));
    return builder.build();
  }

  private static AuditorConfig config(
      String bootstrap, String id, String input, int partitions, Path stateDir, Map<String, String> settings) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put(AuditorConfig.BOOTSTRAP_SERVERS, bootstrap);
    values.put(AuditorConfig.SCHEMA_REGISTRY_URL, REGISTRY);
    values.put(AuditorConfig.APPLICATION_ID, id);
    values.put(AuditorConfig.TOPIC_EVENTS, input);
    values.put(AuditorConfig.TOPIC_DECISIONS, id + "-decisions");
    values.put(AuditorConfig.TOPIC_VIOLATIONS, id + "-violations");
    values.put(AuditorConfig.TOPIC_CREDENTIALS, id + "-credentials");
    values.put(AuditorConfig.TOPIC_DEAD_LETTERS, id + "-dead-letters");
    values.put(AuditorConfig.TOPIC_PARTITIONS, partitions);
    values.put(AuditorConfig.TOPIC_REPLICATION_FACTOR, 1);
    values.put(AuditorConfig.STATE_DIR, stateDir.toString());
    values.put(AuditorConfig.ROCKSDB_MEMORY_BYTES, 64L * 1024 * 1024);
    values.putAll(settings);
    return AuditorConfig.fromMap(values, Map.of());
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim() + " (1/5/15 min, /proc/loadavg)";
    } catch (IOException e) {
      return String.format(
          Locale.ROOT, "%.2f (1 min)", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  /** {@code key=value} arguments as a map. */
  public static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected key=value, got " + arg);
      }
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return options;
  }

  private static void deleteQuietly(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
