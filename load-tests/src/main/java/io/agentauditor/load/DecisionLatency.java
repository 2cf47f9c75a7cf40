package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.gateway.DecisionApi;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.runtime.AuditorApp;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.streams.TopicsAdmin;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The decision API's round trip against a pass-through topology's, measured in the same run on
 * the same broker (issue 13's benchmark). Open loop: requests leave on a fixed schedule, and a
 * latency is measured from the request's intended send time, so queueing behind a slow answer is
 * counted, not hidden (HdrHistogram).
 *
 * <ul>
 *   <li>decision API: {@code POST /v1/decisions} of {@code ./auditor run}'s wiring (the audit
 *       topology, exactly-once, the answer sent when the processor has decided);
 *   <li>baseline: the same events produced (idempotent, {@code acks=all}) into a pass-through
 *       topology (source to sink, the same Avro serdes and Streams settings, exactly-once), the
 *       latency taken when the output record is consumed with {@code read_uncommitted}: like the
 *       API's default answer, before the transaction commits.
 * </ul>
 *
 * One embedded broker and both sides in this JVM, so they share the machine's cores alike. Usage:
 * {@code DecisionLatency [rates=500,1000,2000] [seconds=20] [warmup=10] [partitions=2]
 * [policies=policies]}.
 */
public final class DecisionLatency {

  private static final String REGISTRY = "mock://latency";
  private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

  private DecisionLatency() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      o.put(a.substring(0, eq), a.substring(eq + 1));
    }
    List<Integer> rates = new ArrayList<>();
    for (String r : o.getOrDefault("rates", "500,1000,2000").split(",")) {
      rates.add(Integer.parseInt(r.trim()));
    }
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "10"));
    int partitions = Integer.parseInt(o.getOrDefault("partitions", "2"));
    Policy policy = PolicyBundleLoader.load(Path.of(o.getOrDefault("policies", "policies")));
    SessionGenerator generator = new SessionGenerator(Workload.SEED, 64, 50, 200, 300, 4000);

    List<String> rows = new ArrayList<>();
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      String bootstrap = kafka.bootstrapServers();
      Path state = Files.createTempDirectory("latency");
      for (int rate : rates) {
        // Each rate gets fresh topics and applications: no state of a previous rate to catch up.
        String id = "lat" + rate;
        Result api = measureApi(bootstrap, config(bootstrap, id + "-api", partitions, state, true),
            policy, generator, rate, warmup, seconds);
        Result base = measurePassThrough(bootstrap, config(bootstrap, id + "-pass", partitions,
            state, false), generator, rate, warmup, seconds);
        rows.add(String.format(Locale.ROOT,
            "| %,d | %s | %s | %.2f | %.0f / %.0f |",
            rate, api.percentiles(), base.percentiles(),
            api.h.getValueAtPercentile(99) / (double) base.h.getValueAtPercentile(99),
            api.cpuMicrosPerRequest, base.cpuMicrosPerRequest));
        System.out.println(rows.get(rows.size() - 1));
      }
    }
    System.out.println();
    System.out.println("| requests/s | decision API p50 / p99 / p99.9 (ms), errors | pass-through p50 / p99 /"
        + " p99.9 (ms), lost | p99 ratio | CPU µs per request, API / pass-through |");
    System.out.println("|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  /** A latency histogram (nanoseconds) and the process CPU per request. */
  record Result(Histogram h, int errors, double cpuMicrosPerRequest) {
    String percentiles() {
      return String.format(Locale.ROOT, "%.1f / %.1f / %.1f, %d",
          h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
          h.getValueAtPercentile(99.9) / 1e6, errors);
    }
  }

  private static Result measureApi(String bootstrap, AuditorConfig config, Policy policy,
      SessionGenerator generator, int rate, int warmup, int seconds) throws Exception {
    AuditorApp app = AuditorApp.start(config, policy, AuditorTopology::build);
    try {
      if (!app.awaitRunning(Duration.ofSeconds(120))) {
        throw new IllegalStateException("the auditor did not reach RUNNING");
      }
      URI uri = app.decisionApiUri().orElseThrow().resolve(DecisionApi.PATH);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      run(http, uri, generator, rate, warmup, null); // warm-up, not recorded
      Histogram h = new Histogram(HIGHEST_NANOS, 3);
      long cpu = cpuNanos();
      int errors = run(http, uri, generator, rate, seconds, h);
      double perRequest = (cpuNanos() - cpu) / 1e3 / ((long) rate * seconds);
      return new Result(h, errors, perRequest);
    } finally {
      app.close(Duration.ofSeconds(30));
    }
  }

  /** Sends {@code rate × seconds} requests on schedule; returns the non-200 answers. */
  private static int run(HttpClient http, URI uri, SessionGenerator generator, int rate,
      int seconds, Histogram h) throws InterruptedException {
    int n = rate * seconds;
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger errors = new AtomicInteger();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    for (int i = 0; i < n; i++) {
      byte[] body = EventJsonCodec.encodeUtf8(EventMapper.toStep(generator.next()));
      long intended = start + i * period;
      waitUntil(intended);
      http.sendAsync(
              HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
              HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (r, e) -> {
                long latency = System.nanoTime() - intended;
                if (e != null || r.statusCode() != 200) {
                  errors.incrementAndGet();
                } else if (h != null) {
                  synchronized (h) {
                    h.recordValue(Math.min(latency, HIGHEST_NANOS));
                  }
                }
                done.countDown();
              });
    }
    done.await(5, TimeUnit.MINUTES);
    return errors.get();
  }

  private static Result measurePassThrough(String bootstrap, AuditorConfig config,
      SessionGenerator generator, int rate, int warmup, int seconds) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      new TopicsAdmin(admin, config.topicSettings()).ensureTopics();
    }
    KafkaStreams streams = new KafkaStreams(TopologyThroughput.passThrough(config),
        config.streamsProperties());
    streams.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < until) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    Map<String, Long> intended = new ConcurrentHashMap<>();
    Histogram h = new Histogram(HIGHEST_NANOS, 3);
    AtomicBoolean recording = new AtomicBoolean(false);
    AtomicBoolean stop = new AtomicBoolean(false);
    AtomicInteger received = new AtomicInteger();
    Thread reader = new Thread(() -> read(bootstrap, config, intended, h, recording, stop, received),
        "latency-reader");
    reader.start();
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    long cpu;
    int n = rate * seconds;
    try (AvroSerde<AgentEvent> serde =
            AvroSerde.of(AgentEvent.class, Map.of(AuditorConfig.SCHEMA_REGISTRY_URL, REGISTRY), false);
        KafkaProducer<String, AgentEvent> producer =
            new KafkaProducer<>(props, new StringSerializer(), serde)) {
      produce(producer, config, generator, rate, warmup, intended);
      awaitQuiet(received, rate * warmup);
      recording.set(true);
      received.set(0);
      cpu = cpuNanos();
      produce(producer, config, generator, rate, seconds, intended);
      awaitQuiet(received, n);
    }
    double perRequest = (cpuNanos() - cpu) / 1e3 / n;
    stop.set(true);
    reader.join();
    streams.close(Duration.ofSeconds(30));
    return new Result(h, n - received.get(), perRequest);
  }

  private static void produce(KafkaProducer<String, AgentEvent> producer, AuditorConfig config,
      SessionGenerator generator, int rate, int seconds, Map<String, Long> intended) {
    int n = rate * seconds;
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    for (int i = 0; i < n; i++) {
      AgentEvent e = generator.next();
      long at = start + i * period;
      waitUntil(at);
      intended.put(e.getSessionId() + "/" + e.getEventId(), at);
      producer.send(new ProducerRecord<>(config.topics().events(), e.getSessionId(), e));
    }
  }

  private static void read(String bootstrap, AuditorConfig config, Map<String, Long> intended,
      Histogram h, AtomicBoolean recording, AtomicBoolean stop, AtomicInteger received) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId() + "-reader");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    try (AvroSerde<AgentEvent> serde =
            AvroSerde.of(AgentEvent.class, Map.of(AuditorConfig.SCHEMA_REGISTRY_URL, REGISTRY), false);
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.topics().decisions()));
      while (!stop.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
          long now = System.nanoTime();
          AgentEvent e = serde.deserialize(r.topic(), r.value());
          Long at = intended.remove(e.getSessionId() + "/" + e.getEventId());
          if (at != null) {
            if (recording.get()) {
              h.recordValue(Math.min(now - at, HIGHEST_NANOS));
            }
            received.incrementAndGet();
          }
        }
      }
    }
  }

  /** Waits until {@code count} records were received, or 60 s pass with none arriving. */
  private static void awaitQuiet(AtomicInteger received, int count) {
    long last = received.get();
    long quietSince = System.nanoTime();
    while (received.get() < count
        && System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(60)) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      if (received.get() != last) {
        last = received.get();
        quietSince = System.nanoTime();
      }
    }
  }

  private static void waitUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      LockSupport.parkNanos(Math.min(left, 200_000));
    }
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static AuditorConfig config(String bootstrap, String id, int partitions, Path state,
      boolean gateway) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put(AuditorConfig.BOOTSTRAP_SERVERS, bootstrap);
    v.put(AuditorConfig.SCHEMA_REGISTRY_URL, REGISTRY);
    v.put(AuditorConfig.APPLICATION_ID, id);
    v.put(AuditorConfig.TOPIC_EVENTS, id + "-events");
    v.put(AuditorConfig.TOPIC_DECISIONS, id + "-decisions");
    v.put(AuditorConfig.TOPIC_VIOLATIONS, id + "-violations");
    v.put(AuditorConfig.TOPIC_CREDENTIALS, id + "-credentials");
    v.put(AuditorConfig.TOPIC_DEAD_LETTERS, id + "-dead-letters");
    v.put(AuditorConfig.TOPIC_PARTITIONS, partitions);
    v.put(AuditorConfig.TOPIC_REPLICATION_FACTOR, 1);
    v.put(AuditorConfig.TOPIC_RETENTION_MS, -1L);
    v.put(AuditorConfig.STATE_DIR, state.resolve(id).toString());
    v.put(AuditorConfig.ROCKSDB_MEMORY_BYTES, 64L * 1024 * 1024);
    v.put(AuditorConfig.PRODUCER_LINGER_MS, 0);
    v.put(AuditorConfig.HTTP_PORT, 0);
    v.put(AuditorConfig.GATEWAY_ENABLED, gateway);
    v.put(AuditorConfig.GATEWAY_PORT, 0);
    v.put(AuditorConfig.GATEWAY_GRPC_PORT, -1);
    v.put(AuditorConfig.GATEWAY_TIMEOUT_MS, 5_000L);
    v.put(AuditorConfig.GATEWAY_MAX_IN_FLIGHT, 512);
    return AuditorConfig.fromMap(v, Map.of());
  }
}
