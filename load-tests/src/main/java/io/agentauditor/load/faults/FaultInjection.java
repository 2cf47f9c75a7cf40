package io.agentauditor.load.faults;

import io.agentauditor.load.SessionGenerator;
import io.agentauditor.load.TopologyThroughput;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.TopicNames;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The fault-injection run: a 3-node KRaft cluster of separate broker processes ({@link
 * BrokerProcess}: replication factor 3, {@code min.insync.replicas} 2), {@code A} instances of
 * {@code ./auditor run} as separate processes (one standby replica per task, state kept on disk
 * across restarts), a producer of generated sessions at a steady rate (retries of earlier events,
 * clock skew, a share of invalid records), and a seeded schedule of faults: {@code kill -9} of a
 * random auditor instance, restarted after a random pause, and broker bounces (the first a
 * SIGTERM, the others {@code kill -9}), one broker down at a time. When the producer is done and
 * every instance is back, it waits for the application to commit the whole input, then runs the
 * {@link Verifier} and exits 1 on any lost, duplicated or mismatched decision, or any violation or
 * final credential ledger entry that is not replay's.
 *
 * <p>Usage: {@code FaultInjection [events=200000] [rate=1000] [seed=16] [auditors=3]
 * [auditorKills=20] [brokerBounces=3] [partitions=3] [policies=policies] [keep=false]}. Every
 * process's output is in the work directory it prints.
 */
public final class FaultInjection {

  private static final String APP = "faults";

  private final Map<String, String> options;
  private final Path work;
  private final Random random;
  private final List<Process> brokers = new ArrayList<>();
  private final List<List<String>> brokerCommands = new ArrayList<>();
  private final List<Process> auditors = new ArrayList<>();
  private final List<List<String>> auditorCommands = new ArrayList<>();
  private final Map<String, Integer> faults = new LinkedHashMap<>();
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong sendFailures = new AtomicLong();
  private String bootstrap;

  private FaultInjection(Map<String, String> options, Path work) {
    this.options = options;
    this.work = work;
    this.random = new Random(Long.parseLong(options.getOrDefault("seed", "16")));
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(TopologyThroughput.parse(args)) ? 0 : 1);
  }

  /**
   * One run with {@code options} (the keys of the usage above).
   *
   * @return true when no decision was lost, duplicated or mismatched
   */
  public static boolean run(Map<String, String> options) throws Exception {
    Path work = Files.createTempDirectory("agent-auditor-faults-");
    System.out.println("work directory: " + work);
    FaultInjection run = new FaultInjection(options, work);
    try {
      return run.run();
    } finally {
      run.stopAll();
      if (!Boolean.parseBoolean(options.getOrDefault("keep", "false"))) {
        deleteQuietly(work);
      }
    }
  }

  private boolean run() throws Exception {
    int events = Integer.parseInt(options.getOrDefault("events", "200000"));
    int rate = Integer.parseInt(options.getOrDefault("rate", "1000"));
    int auditorCount = Integer.parseInt(options.getOrDefault("auditors", "3"));
    int auditorKills = Integer.parseInt(options.getOrDefault("auditorKills", "20"));
    int brokerBounces = Integer.parseInt(options.getOrDefault("brokerBounces", "3"));
    int partitions = Integer.parseInt(options.getOrDefault("partitions", "3"));
    Path policies = Path.of(options.getOrDefault("policies", "policies")).toAbsolutePath();
    long started = System.nanoTime();
    System.out.printf(Locale.ROOT, "load before: %s%n", loadAverage());

    try (RegistryServer registry = new RegistryServer()) {
      startBrokers();
      TopicNames topics = new TopicNames(APP + "-events", APP + "-decisions", APP + "-violations",
          APP + "-credentials", APP + "-dead-letters");
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin.createTopics(List.of(new NewTopic(topics.events(), partitions, (short) 3)
            .configs(Map.of("retention.ms", "-1", "min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
        for (int i = 0; i < auditorCount; i++) {
          auditorCommands.add(auditorCommand(i, registry.url(), topics, partitions, policies));
          auditors.add(start(auditorCommands.get(i), "auditor-" + i));
        }
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url());
        Thread producer = new Thread(() -> produce(topics.events(), serdeConfig, events, rate), "producer");
        producer.start();
        schedule(events / (double) rate, auditorKills, brokerBounces);
        producer.join();
        System.out.printf(Locale.ROOT, "produced %d records (%d sends failed after retries), faults: %s%n",
            produced.get(), sendFailures.get(), faults);
        awaitCommitted(admin, topics.events(), partitions);
      }
      System.out.printf(Locale.ROOT, "every record committed by the auditors after %.0f s; verifying%n",
          (System.nanoTime() - started) / 1e9);
      stopAuditors();
      Verifier.Result result =
          new Verifier(bootstrap, Map.of("schema.registry.url", registry.url()), topics, work, policies).verify();
      System.out.println(Verifier.describe(result));
      System.out.printf(Locale.ROOT, "faults: %s%n", faults);
      result.examples().forEach(e -> System.out.println("  " + e));
      System.out.printf(Locale.ROOT, "seed %s, %.0f s in all; load after: %s%n",
          options.getOrDefault("seed", "16"), (System.nanoTime() - started) / 1e9, loadAverage());
      return result.ok();
    }
  }

  // ---- processes ----

  static List<String> javaCommand(String heap, String mainClass, String... args) {
    return javaCommand(List.of(heap), mainClass, args);
  }

  /** A JVM on this harness's class path with {@code jvmOptions} (heap, diagnostics) before the main class. */
  static List<String> javaCommand(List<String> jvmOptions, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  private Process start(List<String> command, String name) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve(name + ".log").toFile()))
        .start();
  }

  private void startBrokers() throws Exception {
    List<Integer> ports = EmbeddedKafkaCluster.freeLoopbackPorts(6);
    String clusterId = Uuid.randomUuid().toString();
    String voters = "0@127.0.0.1:" + ports.get(3) + ",1@127.0.0.1:" + ports.get(4) + ",2@127.0.0.1:" + ports.get(5);
    for (int node = 0; node < 3; node++) {
      brokerCommands.add(javaCommand("-Xmx512m", BrokerProcess.class.getName(), Integer.toString(node), clusterId,
          Integer.toString(ports.get(node)), Integer.toString(ports.get(3 + node)), voters,
          work.resolve("broker-" + node).toString()));
      brokers.add(start(brokerCommands.get(node), "broker-" + node));
    }
    bootstrap = IntStreamPorts.bootstrap(ports.subList(0, 3));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        try {
          if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 3) {
            System.out.println("3 brokers up at " + bootstrap);
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // not up yet
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    throw new IllegalStateException("the 3 brokers did not come up; see " + work);
  }

  private List<String> auditorCommand(int i, String registryUrl, TopicNames topics, int partitions, Path policies)
      throws IOException {
    Path config = work.resolve("auditor-" + i + ".properties");
    Map<String, String> c = new LinkedHashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put("application.id", APP);
    c.put("schema.registry.url", registryUrl);
    c.put("policies.dir", policies.toString());
    c.put("topics.events", topics.events());
    c.put("topics.decisions", topics.decisions());
    c.put("topics.violations", topics.violations());
    c.put("topics.credentials", topics.credentials());
    c.put("topics.dead.letters", topics.deadLetters());
    c.put("topics.partitions", Integer.toString(partitions));
    c.put("topics.replication.factor", "3");
    c.put("topics.retention.ms", "-1");
    c.put("state.dir", work.resolve("auditor-" + i + "-state").toString());
    c.put("http.port", "0");
    c.put("streams.num.standby.replicas", "1");
    // A killed member is noticed within 10 s rather than the default 45 s.
    c.put("streams.session.timeout.ms", "10000");
    c.put("streams.heartbeat.interval.ms", "2000");
    Files.writeString(config, c.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n")) + "\n");
    return javaCommand("-Xmx384m", "io.agentauditor.cli.AuditorCli", "run", "--config", config.toString());
  }

  // ---- the faults ----

  /** Runs the seeded fault schedule over the first 85% of the production time, then returns. */
  private void schedule(double productionSeconds, int auditorKills, int brokerBounces) throws Exception {
    List<double[]> plan = new ArrayList<>(); // {at (s), kind: 0 auditor kill, 1 broker SIGTERM, 2 broker kill -9}
    for (int i = 0; i < auditorKills; i++) {
      plan.add(new double[] {productionSeconds * (0.05 + 0.8 * random.nextDouble()), 0});
    }
    for (int i = 0; i < brokerBounces; i++) {
      plan.add(new double[] {productionSeconds * (0.1 + 0.75 * random.nextDouble()), i == 0 ? 1 : 2});
    }
    plan.sort((a, b) -> Double.compare(a[0], b[0]));
    long start = System.nanoTime();
    for (double[] fault : plan) {
      long waitMs = (long) (fault[0] * 1000) - (System.nanoTime() - start) / 1_000_000;
      if (waitMs > 0) {
        TimeUnit.MILLISECONDS.sleep(waitMs);
      }
      if (fault[1] == 0) {
        int i = random.nextInt(auditors.size());
        auditors.get(i).destroyForcibly().waitFor();
        count("auditor kill -9");
        long pause = 1000 + random.nextInt(9000);
        log("kill -9 auditor-" + i + ", restart in " + pause + " ms");
        TimeUnit.MILLISECONDS.sleep(pause);
        auditors.set(i, start(auditorCommands.get(i), "auditor-" + i));
      } else {
        int b = random.nextInt(brokers.size());
        Process broker = brokers.get(b);
        if (fault[1] == 1) {
          broker.destroy();
          if (!broker.waitFor(2, TimeUnit.MINUTES)) {
            broker.destroyForcibly().waitFor();
          }
          count("broker SIGTERM");
        } else {
          broker.destroyForcibly().waitFor();
          count("broker kill -9");
        }
        long pause = 3000 + random.nextInt(12000);
        log((fault[1] == 1 ? "SIGTERM" : "kill -9") + " broker-" + b + ", restart in " + pause + " ms");
        TimeUnit.MILLISECONDS.sleep(pause);
        brokers.set(b, start(brokerCommands.get(b), "broker-" + b));
        // One broker down at a time: wait until it is back in the ISR of every partition.
        awaitFullIsr();
      }
    }
  }

  private void awaitFullIsr() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (System.nanoTime() < deadline) {
        try {
          var names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
          boolean full = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
              .flatMap(d -> d.partitions().stream())
              .allMatch(p -> p.isr().size() == p.replicas().size());
          if (full) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // a broker is still starting
        }
        TimeUnit.MILLISECONDS.sleep(500);
      }
      log("a partition is still under-replicated after 5 minutes");
    }
  }

  private void count(String fault) {
    faults.merge(fault, 1, Integer::sum);
  }

  private static void log(String text) {
    System.out.printf(Locale.ROOT, "%tT %s%n", System.currentTimeMillis(), text);
  }

  // ---- the producer ----

  /**
   * Generated sessions at a steady rate, stamped with their event time give or take a few seconds
   * of clock skew; 1% are retries (an earlier event of the run sent again, as a gateway retries),
   * 1% invalid (random bytes, a truncated record, or a future-dated stamp beyond the skew bound).
   */
  private void produce(String topic, Map<String, Object> serdeConfig, int count, int rate) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    Random r = new Random(random.nextLong());
    SessionGenerator generator = SessionGenerator.smallArguments(r.nextLong());
    List<ProducerRecord<byte[], byte[]>> recent = new ArrayList<>();
    long start = System.nanoTime();
    try (AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, serdeConfig, false);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        ProducerRecord<byte[], byte[]> record;
        int dice = r.nextInt(100);
        if (dice == 0 && !recent.isEmpty()) {
          record = recent.get(r.nextInt(recent.size()));
        } else {
          AgentEvent event = generator.next();
          byte[] key = event.getSessionId().getBytes(StandardCharsets.UTF_8);
          byte[] value = serde.serialize(topic, event);
          long stamp = event.getOccurredAt().toEpochMilli() + r.nextInt(4000) - 3000;
          if (dice == 1) {
            value = switch (r.nextInt(3)) {
              case 0 -> randomBytes(r);
              case 1 -> java.util.Arrays.copyOf(value, value.length / 2);
              default -> value;
            };
            if (value.length > 0 && value[0] == 0 && r.nextBoolean()) {
              stamp = event.getOccurredAt().toEpochMilli() - 3_600_000L; // an hour of skew: future-dated
            }
          }
          record = new ProducerRecord<>(topic, null, stamp, key, value);
          if (recent.size() < 1000) {
            recent.add(record);
          } else {
            recent.set(r.nextInt(recent.size()), record);
          }
        }
        producer.send(record, (metadata, e) -> {
          if (e != null) {
            sendFailures.incrementAndGet();
          } else {
            produced.incrementAndGet();
          }
        });
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] randomBytes(Random r) {
    byte[] bytes = new byte[1 + r.nextInt(200)];
    r.nextBytes(bytes);
    return bytes;
  }

  // ---- waiting and stopping ----

  private void awaitCommitted(Admin admin, String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (System.nanoTime() < deadline) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(APP).partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
      if (ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
          && committed.get(e.getKey()).offset() >= e.getValue())) {
        return;
      }
      TimeUnit.SECONDS.sleep(1);
    }
    throw new IllegalStateException("the auditors did not commit the whole input within 30 minutes; see " + work);
  }

  private void stopAuditors() throws InterruptedException {
    for (Process auditor : auditors) {
      auditor.destroy();
    }
    for (Process auditor : auditors) {
      if (!auditor.waitFor(60, TimeUnit.SECONDS)) {
        auditor.destroyForcibly();
      }
    }
  }

  private void stopAll() throws InterruptedException {
    stopAuditors();
    for (Process broker : brokers) {
      broker.destroy();
    }
    for (Process broker : brokers) {
      if (!broker.waitFor(60, TimeUnit.SECONDS)) {
        broker.destroyForcibly();
      }
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void deleteQuietly(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Formats the bootstrap string. */
  private static final class IntStreamPorts {
    static String bootstrap(List<Integer> ports) {
      return ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }
  }
}
