package io.agentauditor.serde;

import io.agentauditor.registry.RegisteredSchema;
import io.agentauditor.registry.SchemaRegistryClient;
import io.agentauditor.registry.SchemaRegistryException;
import io.agentauditor.serde.AvroSerializationException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka serde of one generated Avro class in the Confluent wire format: magic byte {@code 0}, the
 * writer schema's registry id as 4 bytes big-endian, then the record in Avro binary encoding.
 *
 * <p><b>Serializing</b> registers the record's schema under the subject {@code <topic>-value} (or
 * {@code <topic>-key}) when {@code auto.register.schemas} is true (default), else looks its id up
 * (or, with {@code use.latest.version}, takes the subject's latest version). A null record gives null
 * bytes (a tombstone). The id a subject registered or looked up is kept for the topic, as a caching
 * registry client keeps it; the subject's latest version is asked for each record.
 *
 * <p><b>Deserializing</b> fetches the writer schema by the header's id and resolves it into the
 * class's own schema ({@code SCHEMA$}), so records written with an older or newer compatible schema
 * decode; resolved readers are cached per writer id. An id the registry says it doesn't know is
 * refused without asking again for {@value #UNKNOWN_ID_RECHECK_SECONDS} s (at most {@value
 * #UNKNOWN_IDS_KEPT} such ids are remembered), so a flood of records naming one unregistered id is
 * not a flood of registry requests, while an id registered late (a lagging registry replica) is
 * still found soon after. Every bad input, null and empty included, throws
 * {@link AvroSerializationException} with its {@link Reason}; the whole payload must be consumed
 * (trailing bytes are refused: a frame that does not end where its record ends was not made by an
 * Avro encoder of the named schema). A registry that cannot be reached throws a retriable {@link
 * SchemaRegistryException} instead, since the record may be fine.
 *
 * <p>Lifecycle: construct, {@link #configure(Map, boolean)} once, then use from any thread; this
 * object is its own {@link #serializer()} and {@link #deserializer()}. Config keys: {@link
 * AvroSerdeConfig}.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

  private static final Logger LOGGER = LoggerFactory.getLogger(AvroSerde.class);
  /** The Confluent wire format's first byte. */
  public static final byte MAGIC_BYTE = 0;
  /** Magic byte plus schema id. */
  public static final int HEADER_SIZE = 5;

  /** How long an id the registry said it doesn't know is refused without asking again. */
  static final int UNKNOWN_ID_RECHECK_SECONDS = 10;
  /** How many such ids are remembered; beyond that, the remembered ones are forgotten at once. */
  static final int UNKNOWN_IDS_KEPT = 1024;

  private final Class<T> type;
  private final Schema readerSchema;
  private final SpecificData specificData;
  private final Map<Integer, Object> readersByWriterId = new ConcurrentHashMap<>();
  /** The reader of the writer id last read: a topic's records nearly all share one id. */
  private volatile Resolved<?> lastReader;
  /** Writer ids the registry didn't know: when to ask again, and what it said. */
  private final Map<Integer, UnknownId> unknownIds = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;
  private final DatumWriter<T> writer;
  /** Writer schema ids by topic, registered or looked up (not with use.latest.version). */
  private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

  private volatile AvroSerdeConfig config;
  private volatile SchemaRegistryClient registry;
  private volatile boolean isKey;

  /** A serde of {@code type}; {@link #configure(Map, boolean)} it before use. */
  public AvroSerde(Class<T> type) {
    this(type, System::nanoTime);
  }

  /** A serde of {@code type} that times its memory of unknown ids by {@code nanoClock}. */
  AvroSerde(Class<T> type, LongSupplier nanoClock) {
    this.type = Objects.requireNonNull(type, "type");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    AvroClassTrust.trustPackageOf(type);
    this.specificData = SpecificData.getForClass(type);
    this.readerSchema = specificData.getSchema(type);
    this.writer = OutputRecordWriters.of(type, readerSchema, specificData);
  }

  /** A configured serde of {@code type}: {@code new AvroSerde<>(type)} then {@code configure}. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Map<String, ?> configs, boolean isKey) {
    AvroSerde<T> serde = new AvroSerde<>(type);
    serde.configure(configs, isKey);
    return serde;
  }

  /**
   * Reads {@link AvroSerdeConfig} from {@code configs} and connects the registry client.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming a missing or bad key
   */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig parsed = new AvroSerdeConfig(configs);
    SchemaRegistryClient previous = this.registry;
    this.registry = SchemaRegistryClient.create(parsed.registry());
    this.config = parsed;
    this.isKey = isKey;
    idsByTopic.clear();
    if (previous != null) {
      previous.close();
    }
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  /** The subject of {@code topic} under TopicNameStrategy. */
  public String subject(String topic) {
    return topic + (isKey ? "-key" : "-value");
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    requireConfigured();
    int id = writerSchemaId(topic);
    Output out = OUTPUT.get();
    out.start(id);
    try {
      writer.write(data, out.encoder);
      out.encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new AvroSerializationException(Reason.WRITE_FAILED, topic, id,
          "cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  private int writerSchemaId(String topic) {
    Integer known = idsByTopic.get(topic);
    if (known != null) {
      return known;
    }
    int id = askWriterSchemaId(topic);
    if (!config.useLatestVersion() || config.autoRegisterSchemas()) {
      idsByTopic.put(topic, id);
    }
    return id;
  }

  private int askWriterSchemaId(String topic) {
    String subject = subject(topic);
    try {
      if (config.autoRegisterSchemas()) {
        return registry.register(subject, readerSchema);
      }
      if (config.useLatestVersion()) {
        RegisteredSchema latest = registry.getLatest(subject);
        if (!latest.schema().equals(readerSchema)) {
          throw new AvroSerializationException(Reason.SCHEMA_REJECTED, topic, latest.id(), "latest version "
              + latest.version() + " of subject " + subject + " is not the schema of " + type.getName());
        }
        return latest.id();
      }
      return registry.getId(subject, readerSchema);
    } catch (SchemaRegistryException e) {
      if (e.isRetriable()) {
        throw e;
      }
      Reason reason = e.isNotFound() ? Reason.SCHEMA_NOT_REGISTERED : Reason.SCHEMA_REJECTED;
      throw new AvroSerializationException(reason, topic, AvroSerializationException.NO_SCHEMA_ID,
          "schema of " + type.getName() + " under subject " + subject + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes one framed record.
   *
   * @throws AvroSerializationException for bytes that are not a record of this class
   * @throws SchemaRegistryException when the registry could not be asked (retriable)
   */
  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      throw new AvroSerializationException(Reason.NULL_PAYLOAD, topic, AvroSerializationException.NO_SCHEMA_ID,
          "null payload where a " + type.getSimpleName() + " is required");
    }
    if (data.length == 0) {
      throw new AvroSerializationException(Reason.EMPTY_PAYLOAD, topic, AvroSerializationException.NO_SCHEMA_ID,
          "empty payload");
    }
    if (data.length < HEADER_SIZE) {
      throw new AvroSerializationException(Reason.TOO_SHORT, topic, AvroSerializationException.NO_SCHEMA_ID,
          data.length + " bytes, fewer than the " + HEADER_SIZE + " of the wire-format header");
    }
    if (data[0] != MAGIC_BYTE) {
      throw new AvroSerializationException(Reason.UNKNOWN_MAGIC_BYTE, topic, AvroSerializationException.NO_SCHEMA_ID,
          String.format("first byte 0x%02x is not the magic byte 0x00", data[0] & 0xff));
    }
    requireConfigured();
    int id = schemaId(data);
    SpecificDatumReader<T> reader = readerFor(topic, id).reader();
    Input input = INPUT.get();
    BinaryDecoder decoder = input.start(data);
    T value;
    try {
      value = reader.read(null, input.strict);
    } catch (EOFException e) {
      throw new AvroSerializationException(Reason.TRUNCATED_PAYLOAD, topic, id,
          "payload of " + (data.length - HEADER_SIZE) + " bytes ends inside the record", e);
    } catch (IOException | RuntimeException e) {
      // Avro signals garbage as AvroRuntimeException, negative lengths, bad union or enum indexes,
      // or limits exceeded; all mean the same thing here
      throw new AvroSerializationException(Reason.MALFORMED_PAYLOAD, topic, id,
          "payload is not a valid encoding of the writer schema: " + e, e);
    }
    int left = remaining(decoder);
    if (left != 0) {
      throw new AvroSerializationException(Reason.TRAILING_BYTES, topic, id,
          (left > 0 ? left + " bytes" : "bytes") + " left after the record");
    }
    return value;
  }

  /**
   * Whether {@code data} is a framed record whose writer schema is exactly this class's own schema
   * ({@link #schema()}), so that its bytes after the header are the binary encoding of that very
   * schema, with no resolution: a decoder of that one layout can read them. The answer is found once
   * per writer id and cached with the id's reader.
   *
   * <p>False for bytes {@link #deserialize} refuses by their header alone (null, empty, too short,
   * another magic byte): {@code deserialize} then says why. Otherwise this resolves the writer id
   * exactly as {@code deserialize} does, and throws what it would for an unknown or incompatible
   * id.
   *
   * @throws AvroSerializationException when the registry knows no such id, or its schema cannot be
   *     read as this class
   * @throws SchemaRegistryException when the registry could not be asked (retriable)
   */
  public boolean isWrittenWithOwnSchema(String topic, byte[] data) {
    if (data == null || data.length < HEADER_SIZE || data[0] != MAGIC_BYTE) {
      return false;
    }
    requireConfigured();
    return readerFor(topic, schemaId(data)).ownSchema();
  }

  /** The schema this serde writes and reads into: the generated class's own. */
  public Schema schema() {
    return readerSchema;
  }

  /** The writer schema id of the header of {@code data} (at least {@link #HEADER_SIZE} bytes). */
  private static int schemaId(byte[] data) {
    return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
  }

  @SuppressWarnings("unchecked")
  private Resolved<T> readerFor(String topic, int id) {
    Resolved<?> last = lastReader;
    if (last != null && last.id() == id) {
      return (Resolved<T>) last;
    }
    Object cached = readersByWriterId.get(id);
    if (cached == null) {
      cached = resolve(topic, id);
      readersByWriterId.putIfAbsent(id, cached);
    }
    if (cached instanceof String incompatibility) {
      throw new AvroSerializationException(Reason.INCOMPATIBLE_SCHEMA, topic, id, incompatibility);
    }
    Resolved<T> resolved = (Resolved<T>) cached;
    lastReader = resolved;
    return resolved;
  }

  /**
   * The reader of writer schema {@code id}, and whether that schema is exactly the reader's own
   * ({@link Schema#equals}: same names, fields, types, symbols and properties).
   */
  private record Resolved<T>(int id, SpecificDatumReader<T> reader, boolean ownSchema) {}

  /**
   * A {@link Resolved} reader, or the reason (a String) why the writer schema cannot be read into
   * {@code type}.
   */
  private Object resolve(String topic, int id) {
    UnknownId unknown = unknownIds.get(id);
    long now = nanoClock.getAsLong();
    if (unknown != null && now - unknown.recheckAtNanos() < 0) {
      // the same words as when the registry was asked, so a dead letter's reason doesn't depend on
      // which record asked
      throw new AvroSerializationException(Reason.UNKNOWN_SCHEMA_ID, topic, id, unknown.message());
    }
    Schema writerSchema;
    try {
      writerSchema = registry.getById(id);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        // remembered for a while only: the id may be registered later (a lagging registry replica)
        if (unknownIds.size() >= UNKNOWN_IDS_KEPT) {
          unknownIds.clear();
        }
        String message = "the registry knows no schema " + id + ": " + e.getMessage();
        unknownIds.put(
            id, new UnknownId(now + TimeUnit.SECONDS.toNanos(UNKNOWN_ID_RECHECK_SECONDS), message));
        throw new AvroSerializationException(Reason.UNKNOWN_SCHEMA_ID, topic, id, message, e);
      }
      throw e;
    }
    unknownIds.remove(id);
    SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
    if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
      String why = "writer schema " + writerSchema.getFullName() + " cannot be read as " + type.getName()
          + ": " + compatibility.getResult().getIncompatibilities().stream()
              .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
              .reduce((a, b) -> a + "; " + b).orElse(compatibility.getDescription());
      LOGGER.warn("Schema id {}: {}", id, why);
      return why;
    }
    return new Resolved<>(
        id, new SpecificDatumReader<T>(writerSchema, readerSchema, specificData), writerSchema.equals(readerSchema));
  }

  /** An id the registry didn't know: when to ask again ({@link #nanoClock}), and what it said. */
  private record UnknownId(long recheckAtNanos, String message) {}

  private static int remaining(BinaryDecoder decoder) {
    try {
      return decoder.isEnd() ? 0 : decoder.inputStream().available();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Each thread's decoders of the record it deserializes (one at a time), reused record after record. */
  private static final ThreadLocal<Input> INPUT = ThreadLocal.withInitial(Input::new);

  /** A binary decoder and the strict decoder over it: nothing of theirs is allocated per record. */
  private static final class Input {
    private BinaryDecoder binary;
    private StrictUtf8Decoder strict;

    /** The binary decoder set to the record after the header of {@code data}. */
    BinaryDecoder start(byte[] data) {
      BinaryDecoder decoder =
          DecoderFactory.get().binaryDecoder(data, HEADER_SIZE, data.length - HEADER_SIZE, binary);
      if (decoder != binary) {
        binary = decoder;
        strict = new StrictUtf8Decoder(decoder);
      }
      strict.start();
      return decoder;
    }
  }

  /** Each thread's buffer for the record it serializes (one at a time), grown as needed. */
  private static final ThreadLocal<Output> OUTPUT = ThreadLocal.withInitial(Output::new);

  /**
   * A growable byte buffer and the encoder writing into it, reused record after record by one
   * thread: nothing is allocated per record but the returned array.
   */
  private static final class Output extends OutputStream {
    private static final int INITIAL_BYTES = 1024;
    /** Larger than this, the buffer of an unusually large record is not kept for the next one. */
    private static final int MAX_KEPT_BYTES = 64 * 1024;

    private byte[] bytes = new byte[INITIAL_BYTES];
    private int size;
    private final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(this, null);

    /** Empties the buffer and writes the wire-format header of schema {@code id}. */
    void start(int id) {
      if (bytes.length > MAX_KEPT_BYTES) {
        bytes = new byte[INITIAL_BYTES];
      }
      size = 0;
      write(MAGIC_BYTE);
      write(id >>> 24);
      write(id >>> 16);
      write(id >>> 8);
      write(id);
    }

    @Override
    public void write(int b) {
      if (size == bytes.length) {
        bytes = Arrays.copyOf(bytes, bytes.length * 2);
      }
      bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (len > bytes.length - size) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + len));
      }
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }
  }

  private void requireConfigured() {
    if (registry == null) {
      throw new IllegalStateException("AvroSerde of " + type.getName() + " used before configure()");
    }
  }

  @Override
  public void close() {
    SchemaRegistryClient client = registry;
    if (client != null) {
      client.close();
    }
  }
}
