package io.agentauditor.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.gateway.DecisionApi;
import io.agentauditor.model.Step;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.runtime.AuditorApp;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.streams.TopicsAdmin;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
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
 *   <li>decision API over HTTP: {@code POST /v1/decisions} of {@code ./auditor run}'s wiring (the
 *       audit topology, exactly-once), each event of the mix;
 *   <li>decision API over gRPC: Envoy's ext_authz {@code Check} through the stub generated from
 *       Envoy's protos, each tool call (83% of the mix) as an MCP {@code tools/call}; the other
 *       steps, which MCP has no request for, go over HTTP at their place in the schedule and are
 *       not in the gRPC figures;
 *   <li>each of them answering when decided and when committed ({@code gateway.answer.when});
 *   <li>baseline: the same events produced (idempotent, {@code acks=all}) into a pass-through
 *       topology (source to sink, the same Avro serdes and Streams settings, exactly-once), the
 *       latency taken when the output record is consumed with {@code read_uncommitted}: like the
 *       API's default answer, before the transaction commits.
 * </ul>
 *
 * Every side gets the same events (64 interleaved sessions of the realistic mix, one generator
 * per run from the same seed) on fresh topics and application ids. One embedded broker and every
 * side in this JVM, so they share the machine's cores alike; CPU per request is the whole
 * process's; the HTTP requests go through {@link PostConnections}. Usage: {@code DecisionLatency [rates=500,1000,2000] [seconds=20] [warmup=10]
 * [partitions=2] [policies=policies] [paths=http,grpc] [modes=decided,committed]}.
 *
 * <p>{@code DecisionLatency serve=DIR [rate=1000] [seconds=30] [warmup=10]} serves one auditor
 * (answering when decided) for another client: after the warm-up it writes the URL to {@code
 * DIR/url} and events of the mix to {@code DIR/events.jsonl}, waits for {@code DIR/done}, then
 * measures the same endpoint with this open-loop generator at {@code rate} and prints the row.
 * The {@code wrk} cross-check in {@code run-decision-latency.sh} uses it.
 */
public final class DecisionLatency {

  private static final String REGISTRY = "mock://latency";
  private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final int SESSIONS = 64;
  /** HTTP connections of the load generator: requests wait for one only past this many at once. */
  private static final int CONNECTIONS = 128;
  private static final String CREDENTIAL_HEADER = "x-credential-id";
  private static final ObjectMapper JSON = new ObjectMapper();

  private DecisionLatency() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      o.put(a.substring(0, eq), a.substring(eq + 1));
    }
    int partitions = Integer.parseInt(o.getOrDefault("partitions", "2"));
    Policy policy = PolicyBundleLoader.load(Path.of(o.getOrDefault("policies", "policies")));
    if (o.containsKey("serve")) {
      serve(Path.of(o.get("serve")), policy, partitions,
          Integer.parseInt(o.getOrDefault("rate", "1000")),
          Integer.parseInt(o.getOrDefault("seconds", "30")),
          Integer.parseInt(o.getOrDefault("warmup", "10")));
      return;
    }
    List<Integer> rates = new ArrayList<>();
    for (String r : o.getOrDefault("rates", "500,1000,2000").split(",")) {
      rates.add(Integer.parseInt(r.trim()));
    }
    List<String> paths = List.of(o.getOrDefault("paths", "http,grpc").split(","));
    List<String> modes = List.of(o.getOrDefault("modes", "decided,committed").split(","));
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "10"));

    List<String> rows = new ArrayList<>();
    Map<String, Integer> under50 = new LinkedHashMap<>();
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      String bootstrap = kafka.bootstrapServers();
      Path state = Files.createTempDirectory("latency");
      for (int rate : rates) {
        // Each side gets fresh topics and applications: no state of a previous run to catch up.
        String load = loadAverage();
        Result base = measurePassThrough(bootstrap,
            config(bootstrap, "lat" + rate + "-pass", partitions, state, false, "decided"),
            rate, warmup, seconds);
        row(rows, under50, rate, "pass-through", base, base, load);
        for (String mode : modes) {
          for (String path : paths) {
            load = loadAverage();
            AuditorConfig config = config(bootstrap, "lat" + rate + "-" + path + "-" + mode,
                partitions, state, true, mode);
            Result api = measureApi(config, policy, path, rate, warmup, seconds);
            row(rows, under50, rate, path + " " + mode, api, base, load);
          }
        }
      }
    }
    System.out.println();
    System.out.println("| requests/s | what | p50 / p99 / p99.9 (ms) | errors or lost | p50 / p99"
        + " ratio to pass-through | CPU µs per request | load average before |");
    System.out.println("|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.println();
    System.out.println("Highest rate measured whose p99 stays under 50 ms (none: 0):");
    under50.forEach((what, rate) -> System.out.printf(Locale.ROOT, "  %s: %,d/s%n", what, rate));
  }

  private static void row(List<String> rows, Map<String, Integer> under50, int rate, String what,
      Result r, Result base, String load) {
    String row = String.format(Locale.ROOT, "| %,d | %s | %s | %d | %.2f / %.2f | %.0f | %s |",
        rate, what, r.percentiles(), r.errors,
        r.h.getValueAtPercentile(50) / (double) base.h.getValueAtPercentile(50),
        r.h.getValueAtPercentile(99) / (double) base.h.getValueAtPercentile(99),
        r.cpuMicrosPerRequest, load);
    rows.add(row);
    System.out.println(row);
    under50.putIfAbsent(what, 0);
    if (r.errors == 0 && r.h.getValueAtPercentile(99) < TimeUnit.MILLISECONDS.toNanos(50)) {
      under50.merge(what, rate, Math::max);
    }
  }

  /** A latency histogram (nanoseconds), the failed or lost requests and the CPU per request. */
  record Result(Histogram h, int errors, double cpuMicrosPerRequest) {
    String percentiles() {
      return String.format(Locale.ROOT, "%.1f / %.1f / %.1f",
          h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
          h.getValueAtPercentile(99.9) / 1e6);
    }
  }

  private static SessionGenerator generator() {
    return new SessionGenerator(Workload.SEED, SESSIONS, 50, 200, 300, 4000);
  }

  private static Result measureApi(AuditorConfig config, Policy policy, String path, int rate,
      int warmup, int seconds) throws Exception {
    AuditorApp app = AuditorApp.start(config, policy, AuditorTopology::build);
    try {
      if (!app.awaitRunning(Duration.ofSeconds(120))) {
        throw new IllegalStateException("the auditor did not reach RUNNING");
      }
      try (Client client = new Client(app, path.equals("grpc"))) {
        SessionGenerator generator = generator();
        client.run(generator, rate, warmup, null); // warm-up, not recorded
        Histogram h = new Histogram(HIGHEST_NANOS, 3);
        Map<String, Long> threads = threadCpu();
        long cpu = cpuNanos();
        int errors = client.run(generator, rate, seconds, h);
        double perRequest = (cpuNanos() - cpu) / 1e3 / ((long) rate * seconds);
        if (Boolean.getBoolean("latency.threadMetrics")) {
          Map<String, Long> after = threadCpu();
          after.forEach((group, nanos) -> {
            double us = (nanos - threads.getOrDefault(group, 0L)) / 1e3 / ((long) rate * seconds);
            if (us >= 5) {
              System.out.printf(Locale.ROOT, "  CPU µs per request, %s: %.0f%n", group, us);
            }
          });
          // Where the stream thread's time went: commits hold it, and the answers behind them.
          app.registry().scrape().lines()
              .filter(l -> l.startsWith("kafka_stream_thread_")
                  && (l.contains("commit_latency") || l.contains("process_latency")
                      || l.contains("poll_latency") || l.contains("punctuate_latency")))
              .forEach(l -> System.out.println("  " + l));
        }
        return new Result(h, errors, perRequest);
      }
    } finally {
      app.close(Duration.ofSeconds(30));
    }
  }

  /** Sends events to the decision API, over HTTP, or tool calls over ext_authz gRPC. */
  private static final class Client implements AutoCloseable {
    private final PostConnections http;
    private final URI uri;
    private final ManagedChannel channel;
    private final AuthorizationGrpc.AuthorizationFutureStub stub;

    Client(AuditorApp app, boolean grpc) {
      this.uri = app.decisionApiUri().orElseThrow().resolve(DecisionApi.PATH);
      this.http = new PostConnections(uri, CONNECTIONS);
      this.channel = grpc
          ? ManagedChannelBuilder.forAddress("127.0.0.1", app.extAuthzPort().orElseThrow())
              .usePlaintext().build()
          : null;
      this.stub = grpc ? AuthorizationGrpc.newFutureStub(channel) : null;
    }

    /**
     * Sends {@code rate × seconds} requests on schedule; returns the ones answered with no decision
     * (an HTTP status other than 200; a Check denied for a deadline or back-pressure, or failed).
     * Latencies of the measured path go to {@code h} when it is not null.
     */
    int run(SessionGenerator generator, int rate, int seconds, Histogram h)
        throws InterruptedException {
      int n = rate * seconds;
      long period = TimeUnit.SECONDS.toNanos(1) / rate;
      CountDownLatch done = new CountDownLatch(n);
      AtomicInteger errors = new AtomicInteger();
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
      for (int i = 0; i < n; i++) {
        Step step = EventMapper.toStep(generator.next());
        long intended = start + i * period;
        BiConsumer<Boolean, Boolean> answered = (ok, measured) -> {
          long latency = System.nanoTime() - intended;
          if (!ok) {
            errors.incrementAndGet();
          } else if (h != null && measured) {
            synchronized (h) {
              h.recordValue(Math.min(latency, HIGHEST_NANOS));
            }
          }
          done.countDown();
        };
        if (stub != null && step instanceof Step.ToolCall call) {
          CheckRequest request = check(call);
          waitUntil(intended);
          var f = stub.withDeadlineAfter(60, TimeUnit.SECONDS).check(request);
          f.addListener(() -> answered.accept(decided(f), true), Runnable::run);
        } else {
          byte[] body = EventJsonCodec.encodeUtf8(step);
          waitUntil(intended);
          http.post(body, status -> answered.accept(status == 200, stub == null));
        }
      }
      done.await(5, TimeUnit.MINUTES);
      return errors.get();
    }

    /** Whether a Check got a decision: OK, or DENIED for a BLOCK (403). */
    private static boolean decided(com.google.common.util.concurrent.ListenableFuture<CheckResponse> f) {
      try {
        CheckResponse r = f.get();
        return !r.hasDeniedResponse()
            || r.getDeniedResponse().getStatus().getCode() == StatusCode.Forbidden;
      } catch (Exception e) {
        return false;
      }
    }

    @Override
    public void close() {
      http.close();
      if (channel != null) {
        channel.shutdownNow();
      }
    }
  }

  /** An MCP {@code tools/call} for {@code call}, as Envoy's ext_authz filter forwards it. */
  static CheckRequest check(Step.ToolCall call) {
    ObjectNode rpc = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", call.eventId())
        .put("method", "tools/call");
    ObjectNode params = rpc.putObject("params").put("name", call.tool());
    ObjectNode arguments = params.putObject("arguments");
    call.arguments().forEach(arguments::put);
    AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder()
        .setMethod("POST")
        .setPath("/mcp")
        .putHeaders("content-type", "application/json")
        .putHeaders("mcp-session-id", call.sessionId())
        .setBody(rpc.toString());
    if (call.credentialId() != null) {
      http.putHeaders(CREDENTIAL_HEADER, call.credentialId());
    }
    long at = call.occurredAtMillis();
    return CheckRequest.newBuilder()
        .setAttributes(AttributeContext.newBuilder()
            .setSource(AttributeContext.Peer.newBuilder().setPrincipal(call.agentId()))
            .setRequest(AttributeContext.Request.newBuilder()
                .setTime(Timestamp.newBuilder().setSeconds(Math.floorDiv(at, 1000))
                    .setNanos((int) Math.floorMod(at, 1000) * 1_000_000))
                .setHttp(http)))
        .build();
  }

  /**
   * One auditor for another client (wrk), then this generator on the same endpoint at {@code
   * rate}: see the class comment.
   */
  private static void serve(Path dir, Policy policy, int partitions, int rate, int seconds,
      int warmup) throws Exception {
    Files.createDirectories(dir);
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      String bootstrap = kafka.bootstrapServers();
      AuditorConfig config = config(bootstrap, "serve", partitions,
          Files.createTempDirectory("latency"), true, "decided");
      AuditorApp app = AuditorApp.start(config, policy, AuditorTopology::build);
      try (Client client = new Client(app, false)) {
        if (!app.awaitRunning(Duration.ofSeconds(120))) {
          throw new IllegalStateException("the auditor did not reach RUNNING");
        }
        SessionGenerator generator = generator();
        client.run(generator, rate, warmup, null);
        // Enough distinct events for the other client at 1.5 × the rate, each once.
        try (BufferedWriter out =
            Files.newBufferedWriter(dir.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
          for (long i = 0, n = (long) rate * seconds * 3 / 2; i < n; i++) {
            out.write(EventJsonCodec.encode(EventMapper.toStep(generator.next())));
            out.newLine();
          }
        }
        Files.writeString(dir.resolve("url"), client.uri + "\n");
        System.out.println("serving " + client.uri + "; waiting for " + dir.resolve("done"));
        long cpu = cpuNanos();
        while (!Files.exists(dir.resolve("done"))) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        String otherCpu = Files.readString(dir.resolve("done")).trim();
        System.out.printf(Locale.ROOT, "process CPU while the other client ran: %.1f s (%s)%n",
            (cpuNanos() - cpu) / 1e9, otherCpu);
        String load = loadAverage();
        Histogram h = new Histogram(HIGHEST_NANOS, 3);
        cpu = cpuNanos();
        int errors = client.run(generator, rate, seconds, h);
        Result r = new Result(h, errors, (cpuNanos() - cpu) / 1e3 / ((long) rate * seconds));
        System.out.printf(Locale.ROOT,
            "open loop, same endpoint, %,d/s for %d s: p50 / p99 / p99.9 %s ms, max %.1f ms,"
                + " errors %d, CPU %.0f µs per request, load average before %s%n",
            rate, seconds, r.percentiles(), h.getMaxValue() / 1e6, errors,
            r.cpuMicrosPerRequest, load);
      } finally {
        app.close(Duration.ofSeconds(30));
      }
    }
  }

  private static Result measurePassThrough(String bootstrap, AuditorConfig config, int rate,
      int warmup, int seconds) throws Exception {
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
    SessionGenerator generator = generator();
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

  /** CPU time of the live threads, by name with digits and ids folded (thread families). */
  private static Map<String, Long> threadCpu() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      long nanos = mx.getThreadCpuTime(t.getThreadId());
      String group = t.getThreadName().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "ID")
          .replaceAll("[0-9]+", "N");
      if (nanos > 0) {
        out.merge(group, nanos, Long::sum);
      }
    }
    return out;
  }

  /** The 1-minute load average, as {@code uptime} shows it. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static AuditorConfig config(String bootstrap, String id, int partitions, Path state,
      boolean gateway, String answerWhen) {
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
    v.put(AuditorConfig.GATEWAY_GRPC_PORT, 0);
    v.put(AuditorConfig.GATEWAY_ANSWER_WHEN, answerWhen);
    v.put(AuditorConfig.GATEWAY_CREDENTIAL_HEADER, CREDENTIAL_HEADER);
    v.put(AuditorConfig.GATEWAY_TIMEOUT_MS, 5_000L);
    v.put(AuditorConfig.GATEWAY_MAX_IN_FLIGHT, 512);
    return AuditorConfig.fromMap(v, Map.of());
  }
}
