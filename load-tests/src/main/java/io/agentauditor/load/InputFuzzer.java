package io.agentauditor.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.codec.InvalidEventException;
import io.agentauditor.policy.Policy;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.streams.DeadLetter;
import io.agentauditor.streams.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Fuzzes the whole input path: records derived from valid ones ({@link SessionGenerator}) by
 * byte-level and structural mutation, in both of the auditor's input forms, go through the
 * deserializers, the validation and the production topology ({@link AuditorTopology} on a {@code
 * TopologyTestDriver}, real RocksDB).
 *
 * <ul>
 *   <li><b>Avro</b> (the events topic): the wire-format value with its bytes flipped, inserted,
 *       deleted, truncated or its header changed; or the event decoded as a generic record, one of
 *       its fields (nested ones too) replaced by an edge value of its Avro type, and written again;
 *       and the key (the session id) mutated alone.
 *   <li><b>JSON Lines</b> ({@code ./auditor replay}'s input): the event's canonical line with its
 *       bytes mutated, or its JSON tree (a field dropped, retyped, renamed, nested deep,
 *       duplicated). A line the JSON codec refuses is a dead letter of replay; one it accepts goes
 *       on to the topology as Avro.
 * </ul>
 *
 * <p>For every record it checks that exactly one decision (idle timeouts aside) or one dead letter
 * came out, that no exception escaped the topology, and that no dead letter hides a crash: a
 * dead letter's error must be one of the input errors the product declares ({@link
 * #EXPECTED_ERRORS}), and neither the JSON codec's nor the serde's catch-all may have caught a
 * runtime exception thrown by our own code. A record breaking any of these is a <em>failure</em>:
 * it is written, with the records of its session that came before it, to a case file that {@link
 * #replayCase} runs again (the regression cases).
 *
 * <p>Not thread-safe. Deterministic for a given seed.
 */
public final class InputFuzzer implements Closeable {

  /** The dead-letter errors that are verdicts on input, not crashes. */
  public static final Set<String> EXPECTED_ERRORS =
      Set.of(
          "io.agentauditor.serde.AvroSerializationException",
          "io.agentauditor.streams.InvalidAgentEventException",
          "io.agentauditor.streams.EventKeyMismatchException",
          "io.agentauditor.streams.FutureDatedEventException",
          "io.agentauditor.streams.BoundedSerializer$OutputTooLargeException",
          // The key deserializer (StrictStringSerde) on a key that is not UTF-8.
          "org.apache.kafka.common.errors.SerializationException");

  private static final String IDLE_TIMEOUT = "#idle-timeout";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int HISTORY = 64;
  private static final String DEEP = "@@deep@@";

  private final Policy policy;
  private final Path stateDir;
  private final TopicNames topics;
  private final Map<String, Object> serdeConfig;
  private final Properties streamsProperties;
  private final AvroSerde<AgentEvent> eventSerde;
  private final Schema schema = AgentEvent.getClassSchema();
  private final Map<String, Deque<FuzzRecord>> history = new HashMap<>();
  private final Map<String, Long> deadLetterErrors = new TreeMap<>();
  private final Map<String, Long> mutations = new TreeMap<>();
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<String, Decision> decisions;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  private TestOutputTopic<byte[], byte[]> violations;
  private TestOutputTopic<byte[], byte[]> credentials;
  private long inputs;
  private long decided;
  private long deadLettered;
  private long jsonDeadLettered;
  private long idleTimeouts;
  private long unproducible;
  private long slowestNanos;
  private final List<Failure> failures = new ArrayList<>();

  /** One input record in one of the two forms. */
  public record FuzzRecord(String form, byte[] key, byte[] value, long timestamp) {

    String toJson() {
      ObjectNode node = JSON.createObjectNode();
      node.put("form", form);
      node.put("key", key == null ? null : Base64.getEncoder().encodeToString(key));
      node.put("value", value == null ? null : Base64.getEncoder().encodeToString(value));
      node.put("timestamp", timestamp);
      return node.toString();
    }

    static FuzzRecord fromJson(String line) {
      try {
        JsonNode node = JSON.readTree(line);
        return new FuzzRecord(
            node.get("form").asText(),
            node.get("key").isNull() ? null : Base64.getDecoder().decode(node.get("key").asText()),
            node.get("value").isNull() ? null : Base64.getDecoder().decode(node.get("value").asText()),
            node.get("timestamp").asLong());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A record that broke the accounting or crashed, with what happened. */
  public record Failure(String what, FuzzRecord record, List<FuzzRecord> before) {}

  /** What a run saw. */
  public record Summary(
      long inputs,
      long decisions,
      long deadLetters,
      long jsonDeadLetters,
      long idleTimeouts,
      long unproducible,
      long slowestMillis,
      Map<String, Long> deadLetterErrors,
      Map<String, Long> mutations,
      List<Failure> failures) {

    /** Inputs = decisions + dead letters (of the topology and of the JSON codec). */
    public boolean accountingHolds() {
      return inputs == decisions + deadLetters + jsonDeadLetters;
    }
  }

  /**
   * A fuzzer over a fresh topology.
   *
   * @param policy the bundle the topology decides with
   * @param stateDir an empty directory for the topology's RocksDB state
   */
  public InputFuzzer(Policy policy, Path stateDir) {
    this.policy = policy;
    this.stateDir = stateDir;
    String prefix = "fuzz";
    this.topics =
        new TopicNames(
            prefix + "-events", prefix + "-decisions", prefix + "-violations", prefix + "-credentials",
            prefix + "-dead-letters");
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("bootstrap.servers", "unused:9092");
    values.put("schema.registry.url", "mock://fuzz-" + UUID.randomUUID());
    values.put("state.dir", stateDir.toString());
    values.put("topics.events", topics.events());
    values.put("topics.decisions", topics.decisions());
    values.put("topics.violations", topics.violations());
    values.put("topics.credentials", topics.credentials());
    values.put("topics.dead.letters", topics.deadLetters());
    AuditorConfig config = AuditorConfig.fromMap(values, Map.of());
    this.serdeConfig = config.serdeConfig();
    this.streamsProperties = config.streamsProperties();
    streamsProperties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    this.eventSerde = AvroSerde.of(AgentEvent.class, serdeConfig, false);
    startDriver();
  }

  private void startDriver() {
    if (driver != null) {
      try {
        driver.close();
      } catch (RuntimeException e) {
        // A driver whose task died may fail to close; its state directory is wiped below.
      }
    }
    streamsProperties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("run-" + UUID.randomUUID()).toString());
    driver = new TopologyTestDriver(AuditorTopology.build(topics, serdeConfig, policy, 1024), streamsProperties);
    input = driver.createInputTopic(topics.events(), new ByteArraySerializer(), new ByteArraySerializer());
    decisions =
        driver.createOutputTopic(
            topics.decisions(), new StringDeserializer(), AvroSerde.of(Decision.class, serdeConfig, false));
    deadLetters =
        driver.createOutputTopic(topics.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    violations =
        driver.createOutputTopic(topics.violations(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    credentials =
        driver.createOutputTopic(topics.credentials(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Runs {@code count} records derived from {@link SessionGenerator#realistic} with {@code seed}.
   * A quarter stay valid, so that sessions build state the mutants then meet.
   */
  public Summary run(long seed, int count) {
    SessionGenerator generator = SessionGenerator.realistic(seed);
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    List<AgentEvent> recent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      AgentEvent event = generator.next();
      recent.add(event);
      if (recent.size() > 256) {
        recent.remove(0);
      }
      FuzzRecord record = mutate(event, recent, random);
      if (record != null) {
        feed(record);
      }
    }
    return summary();
  }

  /** Feeds the records of a case file in order; the summary tells whether the last one passed. */
  public Summary replayCase(List<FuzzRecord> records) {
    for (FuzzRecord record : records) {
      feed(record);
    }
    return summary();
  }

  /** Reads a case file: one {@link FuzzRecord} as JSON per line. */
  public static List<FuzzRecord> readCase(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(FuzzRecord::fromJson).toList();
  }

  /** Writes each failure as a case file into {@code dir}; returns the files written. */
  public static List<Path> writeCases(List<Failure> failures, Path dir, String prefix) throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    int n = 0;
    for (Failure failure : failures) {
      StringBuilder text = new StringBuilder();
      for (FuzzRecord record : failure.before()) {
        text.append(record.toJson()).append('\n');
      }
      text.append(failure.record().toJson()).append('\n');
      Path file = dir.resolve(prefix + "-" + (n++) + ".jsonl");
      Files.writeString(file, text);
      written.add(file);
    }
    return written;
  }

  private Summary summary() {
    return new Summary(
        inputs, decided, deadLettered, jsonDeadLettered, idleTimeouts, unproducible,
        slowestNanos / 1_000_000, Collections.unmodifiableMap(new TreeMap<>(deadLetterErrors)),
        Collections.unmodifiableMap(new TreeMap<>(mutations)), List.copyOf(failures));
  }

  // ---- feeding and accounting ----

  private void feed(FuzzRecord record) {
    inputs++;
    String session = record.key() == null ? "" : new String(record.key(), StandardCharsets.ISO_8859_1);
    Deque<FuzzRecord> before = history.computeIfAbsent(session, k -> new ArrayDeque<>());
    byte[] avro = record.value();
    if (record.form().equals("json")) {
      try {
        avro = eventSerde.serialize(topics.events(), EventMapper.toAvro(EventJsonCodec.decode(record.value())));
      } catch (InvalidEventException e) {
        jsonDeadLettered++;
        count(deadLetterErrors, "json: " + reasonClass(e.getMessage()));
        if (e.getCause() instanceof RuntimeException && !(e.getCause() instanceof UncheckedIOException)) {
          fail("the JSON codec caught " + e.getCause(), record, before);
        }
        remember(before, record);
        return;
      } catch (RuntimeException e) {
        fail("the JSON path threw " + e, record, before);
        remember(before, record);
        return;
      }
    }
    long start = System.nanoTime();
    try {
      input.pipeInput(new TestRecord<>(record.key(), avro, Instant.ofEpochMilli(record.timestamp())));
    } catch (RuntimeException e) {
      drain();
      fail("the topology threw " + rootCause(e), record, before);
      // The task is dead: a new topology, as a restarted instance would have, minus the state.
      startDriver();
      history.clear();
      return;
    } finally {
      slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
    }
    int[] out = drain();
    if (out[0] + out[1] != 1) {
      fail(out[0] + " decision(s) and " + out[1] + " dead letter(s) for one input", record, before);
    }
    if (out[2] != 0) {
      fail("a dead letter hides a crash", record, before);
    }
    remember(before, record);
  }

  /** {decisions of inputs, dead letters, hidden crashes}. */
  private int[] drain() {
    int[] out = new int[3];
    while (!decisions.isEmpty()) {
      Decision decision = decisions.readValue();
      if (decision.getEventId().endsWith(IDLE_TIMEOUT)) {
        idleTimeouts++;
      } else {
        decided++;
        out[0]++;
      }
    }
    while (!deadLetters.isEmpty()) {
      TestRecord<byte[], byte[]> raw = deadLetters.readRecord();
      DeadLetter letter =
          DeadLetter.fromRecord(
              new ConsumerRecord<>(
                  topics.deadLetters(), 0, 0L, raw.timestamp(), TimestampType.CREATE_TIME, -1, -1,
                  raw.key(), raw.value(), raw.headers(), java.util.Optional.empty()));
      deadLettered++;
      out[1]++;
      count(deadLetterErrors, simpleName(letter.errorType()) + ": " + reasonClass(letter.reason()));
      if (!EXPECTED_ERRORS.contains(letter.errorType()) || hidesCrash(letter.stackTrace())) {
        out[2]++;
      }
    }
    // Violations and credential updates are read only so the driver's queues stay small.
    violations.readRecordsToList();
    credentials.readRecordsToList();
    return out;
  }

  /** A runtime exception of the JDK thrown from our own code, caught by a catch-all on the way. */
  static boolean hidesCrash(String stackTrace) {
    if (stackTrace == null) {
      return false;
    }
    String[] lines = stackTrace.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("Caused by: java.lang.") && !line.startsWith("Caused by: java.lang.Exception")
          && lines[i + 1].trim().startsWith("at io.agentauditor.")) {
        return true;
      }
    }
    return false;
  }

  private void fail(String what, FuzzRecord record, Deque<FuzzRecord> before) {
    if (failures.size() < 1000) {
      failures.add(new Failure(what, record, List.copyOf(before)));
    }
  }

  private static void remember(Deque<FuzzRecord> before, FuzzRecord record) {
    before.addLast(record);
    if (before.size() > HISTORY) {
      before.removeFirst();
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.toString();
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  /** A dead letter's reason without its variable parts, to count kinds of reasons. */
  private static String reasonClass(String reason) {
    if (reason == null) {
      return "";
    }
    String r = reason.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("[0-9]+", "N");
    return r.length() > 60 ? r.substring(0, 60) : r;
  }

  private static void count(Map<String, Long> counts, String key) {
    counts.merge(key, 1L, Long::sum);
  }

  // ---- mutation ----

  private FuzzRecord mutate(AgentEvent event, List<AgentEvent> recent, SplittableRandom random) {
    byte[] key = event.getSessionId().getBytes(StandardCharsets.UTF_8);
    long timestamp = event.getOccurredAt().toEpochMilli();
    byte[] valid = eventSerde.serialize(topics.events(), event);
    int choice = random.nextInt(100);
    if (choice < 25) {
      count(mutations, "valid");
      return new FuzzRecord("avro", key, valid, timestamp);
    }
    if (choice < 45) {
      count(mutations, "avro bytes");
      return new FuzzRecord("avro", key, mutateBytes(valid, random, true), timestamp);
    }
    if (choice < 65) {
      count(mutations, "avro fields");
      byte[] mutated = mutateAvroFields(valid, recent, random);
      if (mutated == null) {
        unproducible++;
        return null;
      }
      return new FuzzRecord("avro", key, mutated, timestamp);
    }
    if (choice < 72) {
      count(mutations, "key");
      return new FuzzRecord("avro", mutateKey(key, recent, random), valid, mutateTimestamp(timestamp, random));
    }
    String line = EventJsonCodec.encode(EventMapper.toStep(event));
    if (choice < 85) {
      count(mutations, "json bytes");
      return new FuzzRecord("json", key, mutateBytes(line.getBytes(StandardCharsets.UTF_8), random, false), timestamp);
    }
    count(mutations, "json tree");
    return new FuzzRecord("json", key, mutateJsonTree(line, recent, random), timestamp);
  }

  private static long mutateTimestamp(long timestamp, SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> timestamp - random.nextLong(1, 86_400_000L * 365);
      case 1 -> timestamp + random.nextLong(1, 86_400_000L);
      case 2 -> 0L;
      default -> timestamp;
    };
  }

  private static byte[] mutateKey(byte[] key, List<AgentEvent> recent, SplittableRandom random) {
    return switch (random.nextInt(6)) {
      case 0 -> null;
      case 1 -> new byte[0];
      case 2 -> recent.get(random.nextInt(recent.size())).getSessionId().getBytes(StandardCharsets.UTF_8);
      case 3 -> mutateBytes(key, random, false);
      case 4 -> {
        byte[] junk = new byte[random.nextInt(1, 64)];
        random.nextBytes(junk);
        yield junk;
      }
      default -> (new String(key, StandardCharsets.UTF_8) + "\u0000").getBytes(StandardCharsets.UTF_8);
    };
  }

  /** Flips, inserts, deletes, repeats or truncates bytes; for Avro, sometimes the header. */
  static byte[] mutateBytes(byte[] data, SplittableRandom random, boolean avroHeader) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 16);
    byte[] bytes = data.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && bytes.length > 0; e++) {
      int at = random.nextInt(bytes.length);
      switch (random.nextInt(9)) {
        case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> bytes[at] = (byte) random.nextInt(256);
        case 2 -> bytes = splice(bytes, at, 1, new byte[0]);
        case 3 -> bytes = splice(bytes, at, 0, new byte[] {(byte) random.nextInt(256)});
        case 4 -> bytes = java.util.Arrays.copyOf(bytes, at);
        case 5 -> {
          int len = Math.min(bytes.length - at, 1 + random.nextInt(32));
          byte[] chunk = java.util.Arrays.copyOfRange(bytes, at, at + len);
          bytes = splice(bytes, at, 0, chunk);
        }
        case 6 -> // an Avro varint standing for a huge or negative length
            bytes = splice(bytes, at, 1, random.nextBoolean()
                ? new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}
                : new byte[] {(byte) 0x01});
        case 7 -> {
          if (avroHeader && bytes.length >= AvroSerde.HEADER_SIZE) {
            bytes[random.nextInt(AvroSerde.HEADER_SIZE)] = (byte) random.nextInt(256);
          } else {
            bytes = splice(bytes, at, 0, "\"\\\u00e9\ud83d\ude00\u0000{}[],:".getBytes(StandardCharsets.UTF_8));
          }
        }
        default -> bytes = splice(bytes, at, 0, new byte[] {(byte) 0xC3}); // a lone UTF-8 lead byte
      }
    }
    out.writeBytes(bytes);
    return out.toByteArray();
  }

  private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
    int rm = Math.min(remove, bytes.length - at);
    byte[] result = new byte[bytes.length - rm + insert.length];
    System.arraycopy(bytes, 0, result, 0, at);
    System.arraycopy(insert, 0, result, at, insert.length);
    System.arraycopy(bytes, at + rm, result, at + insert.length, bytes.length - at - rm);
    return result;
  }

  /** Decodes the body as a generic record, replaces one field anywhere in it, writes it again. */
  private byte[] mutateAvroFields(byte[] valid, List<AgentEvent> recent, SplittableRandom random) {
    try {
      GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema, schema, new GenericData());
      GenericRecord record =
          reader.read(null, DecoderFactory.get().binaryDecoder(valid, AvroSerde.HEADER_SIZE,
              valid.length - AvroSerde.HEADER_SIZE, null));
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        mutateSomewhere(record, recent, random);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(valid.length + 64);
      out.write(valid, 0, AvroSerde.HEADER_SIZE);
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema, new GenericData()).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      return null; // a value Avro itself cannot write: no producer could send it
    }
  }

  private void mutateSomewhere(GenericRecord record, List<AgentEvent> recent, SplittableRandom random) {
    List<Schema.Field> fields = record.getSchema().getFields();
    Schema.Field field = fields.get(random.nextInt(fields.size()));
    Object value = record.get(field.pos());
    if (value instanceof GenericRecord nested && random.nextInt(3) > 0) {
      mutateSomewhere(nested, recent, random);
      return;
    }
    record.put(field.pos(), edgeValue(field.schema(), value, recent, random));
  }

  private Object edgeValue(Schema schema, Object current, List<AgentEvent> recent, SplittableRandom random) {
    switch (schema.getType()) {
      case UNION -> {
        List<Schema> branches = schema.getTypes();
        Schema branch = branches.get(random.nextInt(branches.size()));
        if (branch.getType() == Schema.Type.NULL) {
          return null;
        }
        if (branch.getType() == Schema.Type.RECORD && current instanceof GenericRecord) {
          return edgeValue(branch, current, recent, random);
        }
        if (branch.getType() == Schema.Type.RECORD) {
          // A payload where none belongs: borrowed from a recent event that has one.
          return borrowPayload(branch, recent, random);
        }
        return edgeValue(branch, current, recent, random);
      }
      case STRING -> {
        return edgeString(current == null ? "" : current.toString(), recent, random);
      }
      case LONG -> {
        long now = current instanceof Long l ? l : 0L;
        long[] edges = {0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, now + 1, now - 86_400_000L * 30, now + 86_400_000L,
            253402300800000L, -62135596800001L};
        return edges[random.nextInt(edges.length)];
      }
      case INT -> {
        int[] edges = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 86_400 * 366, 1_000_000};
        return edges[random.nextInt(edges.length)];
      }
      case BOOLEAN -> {
        return current instanceof Boolean b ? !b : Boolean.TRUE;
      }
      case ENUM -> {
        List<String> symbols = schema.getEnumSymbols();
        return new GenericData.EnumSymbol(schema, symbols.get(random.nextInt(symbols.size())));
      }
      case ARRAY -> {
        List<Object> list = current instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
        switch (random.nextInt(4)) {
          case 0 -> list.clear();
          case 1 -> {
            if (!list.isEmpty()) {
              list.add(list.get(random.nextInt(list.size())));
            }
          }
          case 2 -> {
            Object seed = list.isEmpty() ? null : list.get(0);
            int n = random.nextInt(2) == 0 ? 300 : 5000;
            for (int i = 0; i < n; i++) {
              list.add(seed instanceof CharSequence s ? s + "/" + i : edgeValue(schema.getElementType(), seed, recent, random));
            }
          }
          default -> list.add(edgeValue(schema.getElementType(), list.isEmpty() ? null : list.get(0), recent, random));
        }
        return new GenericData.Array<>(schema, list);
      }
      case MAP -> {
        Map<Object, Object> map = current instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : new LinkedHashMap<>();
        switch (random.nextInt(3)) {
          case 0 -> map.clear();
          case 1 -> {
            for (int i = 0; i < 200; i++) {
              map.put("k" + i, edgeValue(schema.getValueType(), null, recent, random));
            }
          }
          default -> map.put(edgeString("", recent, random), edgeValue(schema.getValueType(), null, recent, random));
        }
        return map;
      }
      case RECORD -> {
        GenericRecord copy = current instanceof GenericRecord r ? new GenericData.Record((GenericData.Record) r, true) : null;
        if (copy == null) {
          return null;
        }
        mutateSomewhere(copy, recent, random);
        return copy;
      }
      default -> {
        return current;
      }
    }
  }

  private Object borrowPayload(Schema branch, List<AgentEvent> recent, SplittableRandom random) {
    for (int tries = 0; tries < 32; tries++) {
      AgentEvent other = recent.get(random.nextInt(recent.size()));
      for (Schema.Field f : schema.getFields()) {
        Object v = other.get(f.pos());
        if (v != null && f.schema().getType() == Schema.Type.UNION
            && f.schema().getTypes().stream().anyMatch(s -> s.getFullName().equals(branch.getFullName()))) {
          try {
            byte[] bytes = eventSerde.serialize(topics.events(), other);
            GenericRecord generic =
                new GenericDatumReader<GenericRecord>(schema, schema, new GenericData())
                    .read(null, DecoderFactory.get().binaryDecoder(bytes, AvroSerde.HEADER_SIZE,
                        bytes.length - AvroSerde.HEADER_SIZE, null));
            return generic.get(f.pos());
          } catch (IOException e) {
            return null;
          }
        }
      }
    }
    return null;
  }

  private static String edgeString(String current, List<AgentEvent> recent, SplittableRandom random) {
    return switch (random.nextInt(16)) {
      case 0 -> "";
      case 1 -> " ";
      case 2 -> current + "#idle-timeout";
      case 3 -> current.repeat(2 + random.nextInt(50));
      case 4 -> "x".repeat(70_000);
      case 5 -> current + "\u0000";
      case 6 -> current + "\ud83d\ude00\u202e\u200b";
      case 7 -> current.toUpperCase(java.util.Locale.ROOT);
      case 8 -> current.isEmpty() ? "*" : current.substring(0, random.nextInt(current.length()));
      case 9 -> "**";
      case 10 -> "write:**";
      case 11 -> "a/".repeat(5000) + "a";
      case 12 -> recent.get(random.nextInt(recent.size())).getEventId();
      case 13 -> recent.get(random.nextInt(recent.size())).getAgentId();
      case 14 -> "2026-11-30T00:00:00Z";
      default -> "AKIAIOSFODNN7EXAMPLE ghp_" + "a".repeat(36);
    };
  }

  /** Mutates the canonical line's JSON tree: a field dropped, retyped, renamed or repeated. */
  private static byte[] mutateJsonTree(String line, List<AgentEvent> recent, SplittableRandom random) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(line);
      int edits = 1 + random.nextInt(3);
      String text = null;
      for (int e = 0; e < edits; e++) {
        List<ObjectNode> objects = new ArrayList<>();
        collectObjects(root, objects);
        ObjectNode target = objects.get(random.nextInt(objects.size()));
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) {
          target.put("x", 1);
          continue;
        }
        String name = names.get(random.nextInt(names.size()));
        switch (random.nextInt(10)) {
          case 0 -> target.remove(name);
          case 1 -> target.putNull(name);
          case 2 -> target.put(name, random.nextBoolean() ? new java.math.BigDecimal("1e400") : java.math.BigDecimal.valueOf(-0.0));
          case 3 -> target.put(name, Long.MAX_VALUE);
          // Jackson refuses to write more than 1,000 levels: the nesting is put into the text.
          case 4 -> target.put(name, DEEP + (random.nextInt(2) == 0 ? 50 : 3000));
          case 5 -> target.put(name, edgeString(target.get(name).asText(), recent, random));
          case 6 -> {
            JsonNode value = target.remove(name);
            target.set(name.toUpperCase(java.util.Locale.ROOT), value);
          }
          case 7 -> target.put("unknownField" + random.nextInt(3), "v");
          case 8 -> {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            array.add(target.get(name));
            target.set(name, array);
          }
          default -> {
            // A key repeated: not expressible in a tree, so done on the text.
            String serialized = root.toString();
            text = serialized.substring(0, serialized.length() - 1) + ",\"" + name + "\":"
                + target.get(name) + "}";
          }
        }
      }
      String result = text != null ? text : root.toString();
      java.util.regex.Matcher deep = java.util.regex.Pattern.compile("\"" + DEEP + "([0-9]+)\"").matcher(result);
      StringBuilder nested = new StringBuilder();
      while (deep.find()) {
        int depth = Integer.parseInt(deep.group(1));
        deep.appendReplacement(nested, "[".repeat(depth) + "\"x\"" + "]".repeat(depth));
      }
      deep.appendTail(nested);
      return nested.toString().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void collectObjects(JsonNode node, List<ObjectNode> out) {
    if (node instanceof ObjectNode object) {
      out.add(object);
    }
    Iterator<JsonNode> children = node.elements();
    while (children.hasNext()) {
      collectObjects(children.next(), out);
    }
  }

  @Override
  public void close() {
    try {
      driver.close();
    } catch (RuntimeException e) {
      // Best effort: the caller deletes the state directory.
    }
  }
}
