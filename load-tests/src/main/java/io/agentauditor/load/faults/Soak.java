package io.agentauditor.load.faults;

import io.agentauditor.load.SessionGenerator;
import io.agentauditor.load.TopologyThroughput;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The soak: one {@code ./auditor run} process (its own JVM, the default bundle, so session
 * retention of 86,400 s) fed generated sessions spread over many days of event time, while its
 * memory and store are sampled: the process's RSS ({@code /proc/PID/status}), RocksDB's memory as
 * Kafka Streams reports it on {@code /metrics} (block cache usage and memtables, the bounded pool of
 * {@code rocksdb.memory.bytes}), the store's size on disk (the state directory), the store's keys,
 * the event time the auditor has reached, and the JVM's own account of its memory: the heap after
 * the last full and the last collection of any kind (its GC log), what Native Memory Tracking
 * counts as committed ({@code jcmd PID VM.native_memory summary}), so that RSS minus that is the
 * memory the JVM does not track (RocksDB's, the C allocator's), and how much of the RSS is the
 * heap's pages ({@code /proc/PID/smaps} over the generations' range from {@code jcmd PID
 * GC.heap_info}; the serial collector's, which the auditor runs with here). Writes {@code soak.csv} and a plot, {@code soak.svg}, to
 * {@code out} after every sample. The broker is in this JVM: it is not what is measured.
 *
 * <p>Usage: {@code Soak [events=2000000] [days=20] [rate=2000] [seed=16] [rocksdbBytes=67108864]
 * [heap=256m] [directBytes=67108864] [sampleSeconds=10] [minutes=0] [out=docs]
 * [policies=policies]}; {@code minutes} (0: none) ends the run after that long even if the
 * auditor has not consumed everything, with the samples so far.
 */
public final class Soak {

  private Soak() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = TopologyThroughput.parse(args);
    int events = Integer.parseInt(o.getOrDefault("events", "2000000"));
    int days = Integer.parseInt(o.getOrDefault("days", "20"));
    int rate = Integer.parseInt(o.getOrDefault("rate", "2000"));
    long seed = Long.parseLong(o.getOrDefault("seed", "16"));
    long rocksdbBytes = Long.parseLong(o.getOrDefault("rocksdbBytes", Long.toString(64L << 20)));
    String heap = o.getOrDefault("heap", "256m");
    long directBytes = Long.parseLong(o.getOrDefault("directBytes", Long.toString(64L << 20)));
    int sampleSeconds = Integer.parseInt(o.getOrDefault("sampleSeconds", "10"));
    long minutes = Long.parseLong(o.getOrDefault("minutes", "0"));
    Path out = Path.of(o.getOrDefault("out", "docs"));
    Path policies = Path.of(o.getOrDefault("policies", "policies")).toAbsolutePath();
    // Event time advances by 1 to maxStep ms per event: `days` days over `events` events on average.
    int maxStep = (int) Math.max(2, 2L * days * 86_400_000L / events);
    // The records carry their event time, and a broker refuses one stamped more than an hour ahead
    // of its clock (message.timestamp.after.max.ms, Kafka 4.0's default): so the run's event time
    // ends a day before now, whatever the number of days.
    long startMillis = System.currentTimeMillis() - (days + 1L) * 86_400_000L;
    Path work = Files.createTempDirectory("agent-auditor-soak-");
    System.out.printf(Locale.ROOT, "work directory %s; load before: %s%n", work, load());

    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start();
        RegistryServer registry = new RegistryServer()) {
      int httpPort = EmbeddedKafkaCluster.freeLoopbackPorts(1).get(0);
      Path state = work.resolve("state");
      Path config = work.resolve("auditor.properties");
      Files.writeString(config, String.join("\n",
          "bootstrap.servers=" + kafka.bootstrapServers(),
          "application.id=soak",
          "schema.registry.url=" + registry.url(),
          "policies.dir=" + policies,
          "topics.partitions=2",
          "topics.replication.factor=1",
          "topics.retention.ms=-1",
          "state.dir=" + state,
          "http.port=" + httpPort,
          "rocksdb.memory.bytes=" + rocksdbBytes) + "\n");
      Path gcLog = work.resolve("gc.log");
      List<String> jvmOptions = List.of("-Xmx" + heap, "-XX:MaxDirectMemorySize=" + directBytes,
          "-XX:NativeMemoryTracking=summary", "-Xlog:gc:file=" + gcLog);
      System.out.println("auditor JVM options: " + String.join(" ", jvmOptions));
      Process auditor = new ProcessBuilder(
              FaultInjection.javaCommand(jvmOptions, "io.agentauditor.cli.AuditorCli", "run", "--config",
                  config.toString()))
          .redirectErrorStream(true)
          .redirectOutput(work.resolve("auditor.log").toFile())
          .start();
      AtomicLong produced = new AtomicLong();
      AtomicLong lastEventTime = new AtomicLong();
      Thread producer = new Thread(() -> produce(kafka.bootstrapServers(), registry.url(), events, rate, seed,
          maxStep, startMillis, produced, lastEventTime), "producer");
      List<double[]> samples = new ArrayList<>();
      HttpClient http = HttpClient.newHttpClient();
      long start = System.nanoTime();
      Instant firstEvent = null;
      awaitTopic(http, httpPort);
      producer.start();
      StringBuilder csv = new StringBuilder(
          "seconds,events_produced,records_in,event_time_days,rss_mib,rocksdb_block_cache_mib,"
              + "rocksdb_memtables_mib,store_disk_mib,store_keys,heap_after_full_gc_mib,heap_after_gc_mib,"
              + "jvm_committed_mib,jvm_heap_committed_mib,heap_rss_mib\n");
      Files.createDirectories(out);
      while (true) {
        TimeUnit.SECONDS.sleep(sampleSeconds);
        Map<String, Double> metrics = scrape(http, httpPort);
        double[] heapAfterGc = heapAfterGc(gcLog);
        double[] nativeMemory = nativeMemory(auditor.pid());
        double seconds = (System.nanoTime() - start) / 1e9;
        double in = metrics.getOrDefault("auditor_records_in_total", 0.0);
        double eventDays = lastEventTime.get() == 0 ? 0
            : (lastEventTime.get() - startMillis) / 86_400_000.0 * Math.min(1.0, in / Math.max(1, produced.get()));
        double[] sample = {
          seconds, produced.get(), in, eventDays, rss(auditor.pid()) / 1048576.0,
          metrics.getOrDefault("kafka_stream_state_block_cache_usage", 0.0) / 1048576.0,
          metrics.getOrDefault("kafka_stream_state_size_all_mem_tables", 0.0) / 1048576.0,
          diskBytes(state) / 1048576.0, metrics.getOrDefault("auditor_state_store_keys", 0.0),
          heapAfterGc[0], heapAfterGc[1], nativeMemory[0], nativeMemory[1], heapRss(auditor.pid()) / 1048576.0
        };
        samples.add(sample);
        csv.append(String.format(Locale.ROOT, "%.0f,%.0f,%.0f,%.2f,%.1f,%.1f,%.1f,%.1f,%.0f,%.1f,%.1f,%.1f,%.1f,%.1f%n",
            (Object[]) box(sample)));
        System.out.print(csv.substring(csv.lastIndexOf("\n", csv.length() - 2) + 1));
        // Written after every sample, so that a run stopped early still leaves its figures.
        Files.writeString(out.resolve("soak.csv"), csv);
        Files.writeString(out.resolve("soak.svg"), SoakPlot.svg(samples, rocksdbBytes / 1048576.0));
        if (!auditor.isAlive()) {
          System.out.println("the auditor stopped; see " + work.resolve("auditor.log"));
          break;
        }
        if (!producer.isAlive() && in >= produced.get()) {
          break;
        }
        if (minutes > 0 && seconds >= minutes * 60) {
          System.out.printf(Locale.ROOT, "stopped after %d minutes, %.0f of %d events consumed%n",
              minutes, in, produced.get());
          producer.interrupt();
          break;
        }
      }
      auditor.destroy();
      auditor.waitFor(60, TimeUnit.SECONDS);
      producer.join(TimeUnit.SECONDS.toMillis(30));
      System.out.printf(Locale.ROOT, "%d events over %.1f days of event time; load after: %s%n",
          produced.get(), samples.isEmpty() ? 0 : samples.get(samples.size() - 1)[3], load());
    } finally {
      try (Stream<Path> paths = Files.walk(work)) {
        paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Object[] box(double[] values) {
    Object[] boxed = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }

  private static void produce(String bootstrap, String registryUrl, int count, int rate, long seed, int maxStep,
      long startMillis, AtomicLong produced, AtomicLong lastEventTime) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    AtomicLong refused = new AtomicLong();
    SessionGenerator generator = new SessionGenerator(seed, 100, 50, 200, 300, 4000, maxStep).startingAt(startMillis);
    long start = System.nanoTime();
    try (AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, Map.of("schema.registry.url", registryUrl), false);
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        AgentEvent event = generator.next();
        producer.send(new ProducerRecord<>("agent-events", null, event.getOccurredAt().toEpochMilli(),
            event.getSessionId().getBytes(StandardCharsets.UTF_8), serde.serialize("agent-events", event)),
            (metadata, e) -> {
              // A refused record would leave the run waiting for it: say so at once, and stop.
              if (e != null && refused.getAndIncrement() == 0) {
                System.out.println("the broker refused a record, the producer stops: " + e);
              }
            });
        if (refused.get() > 0) {
          break;
        }
        produced.incrementAndGet();
        lastEventTime.set(event.getOccurredAt().toEpochMilli());
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (refused.get() > 0) {
      System.out.printf(Locale.ROOT, "%d records refused by the broker%n", refused.get());
    }
  }

  /** Waits until the auditor serves /metrics (it has created its topics by then). */
  private static void awaitTopic(HttpClient http, int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (!scrape(http, port).isEmpty()) {
        return;
      }
      TimeUnit.SECONDS.sleep(1);
    }
    throw new IllegalStateException("the auditor's /metrics did not answer within 5 minutes");
  }

  /** Prometheus samples by metric name: summed over labels, but the block cache's maximum (shared). */
  static Map<String, Double> scrape(HttpClient http, int port) {
    Map<String, Double> values = new HashMap<>();
    try {
      String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
      for (String line : body.split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        String name = brace > 0 ? line.substring(0, brace) : line.substring(0, line.indexOf(' '));
        double value;
        try {
          value = Double.parseDouble(line.substring(space + 1));
        } catch (NumberFormatException e) {
          continue;
        }
        if (Double.isNaN(value)) {
          continue;
        }
        if (name.equals("kafka_stream_state_block_cache_usage")) {
          values.merge(name, value, Math::max);
        } else {
          values.merge(name, value, Double::sum);
        }
      }
    } catch (IOException e) {
      return values;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return values;
  }

  private static final Pattern GC_LINE =
      Pattern.compile("Pause (Young|Full) .*?(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  /**
   * From the auditor's GC log ({@code -Xlog:gc}): the heap in use after the last full collection
   * (the live set then, 0 before the first) and after the last collection of any kind, in MiB.
   */
  static double[] heapAfterGc(Path gcLog) {
    double[] after = new double[2];
    try (Stream<String> lines = Files.lines(gcLog)) {
      lines.forEach(line -> {
        Matcher m = GC_LINE.matcher(line);
        if (m.find()) {
          after[1] = Double.parseDouble(m.group(3));
          if (m.group(1).equals("Full")) {
            after[0] = after[1];
          }
        }
      });
    } catch (IOException | UncheckedIOException e) {
      return after;
    }
    return after;
  }

  private static final Pattern NMT_TOTAL =
      Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
  private static final Pattern NMT_HEAP =
      Pattern.compile("Java Heap \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

  /**
   * Native Memory Tracking's committed total and committed heap of process {@code pid}, in MiB
   * ({@code jcmd PID VM.native_memory summary}); zeros when jcmd is not there or fails.
   */
  static double[] nativeMemory(long pid) {
    double[] committed = new double[2];
    String output = jcmd(pid, "VM.native_memory", "summary");
    Matcher total = NMT_TOTAL.matcher(output);
    Matcher heap = NMT_HEAP.matcher(output);
    if (total.find()) {
      committed[0] = Long.parseLong(total.group(2)) / 1024.0;
    }
    if (heap.find()) {
      committed[1] = Long.parseLong(heap.group(2)) / 1024.0;
    }
    return committed;
  }

  private static final Pattern HEAP_START = Pattern.compile("def new generation .*?\\[0x([0-9a-f]+),");
  private static final Pattern HEAP_END = Pattern.compile("tenured generation .*, 0x([0-9a-f]+)\\)");
  private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-[0-9a-f]+ ");

  /**
   * Bytes of the heap that are resident: the RSS of the mappings of {@code /proc/PID/smaps} that
   * start within the serial collector's generations (their range from {@code jcmd PID
   * GC.heap_info}); 0 when either is not there.
   */
  static long heapRss(long pid) {
    String info = jcmd(pid, "GC.heap_info");
    Matcher start = HEAP_START.matcher(info);
    Matcher end = HEAP_END.matcher(info);
    if (!start.find() || !end.find()) {
      return 0;
    }
    long low = Long.parseUnsignedLong(start.group(1), 16);
    long high = Long.parseUnsignedLong(end.group(1), 16);
    long kib = 0;
    boolean inside = false;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
        Matcher mapping = MAPPING.matcher(line);
        if (mapping.find()) {
          long address = Long.parseUnsignedLong(mapping.group(1), 16);
          inside = address >= low && address < high;
        } else if (inside && line.startsWith("Rss:")) {
          kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return kib * 1024;
  }

  /** The output of {@code jcmd PID command}, empty when jcmd is not there, fails or hangs. */
  private static String jcmd(long pid, String... command) {
    String jcmd = ProcessHandle.current().info().command()
        .map(java -> Path.of(java).resolveSibling("jcmd").toString()).orElse("jcmd");
    List<String> line = new ArrayList<>(List.of(jcmd, Long.toString(pid)));
    line.addAll(List.of(command));
    try {
      Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "";
      }
      return output;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  /** Bytes of the files under {@code dir}; files RocksDB deletes meanwhile are skipped. */
  private static long diskBytes(Path dir) {
    long[] total = new long[1];
    try {
      Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
          total[0] += attrs.size();
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
          return java.nio.file.FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      return total[0];
    }
    return total[0];
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
