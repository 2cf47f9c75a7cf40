package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.avro.AgentEventDecoder;
import io.agentauditor.codec.EventSamples;
import io.agentauditor.model.Limits;
import io.agentauditor.model.Step;
import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.registry.SchemaRegistryClientConfig;
import io.agentauditor.schema.AgentDelegated;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.ApprovalGranted;
import io.agentauditor.schema.CredentialIssued;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialRevoked;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.SessionStarted;
import io.agentauditor.schema.ToolCall;
import io.agentauditor.serde.AvroSerde;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The events topic's direct decoder ({@link AgentEventDecoder}, taken by {@link
 * ValidatingEventDeserializer} for records of the class's own schema) against the general path
 * (Avro's reader, then {@code EventMapper}): over generated events of every type, with fields at,
 * just under and just over each limit of contract section 2, and over corruptions of their bytes,
 * both give an equal step (arguments in the same order) or the same exception type and message,
 * which is what a dead letter records.
 */
class DirectEventDecodingPropertyTest {

  private static final String TOPIC = "agent-events";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCOPE = "direct-decoding-" + UUID.randomUUID();
  private static final Map<String, String> CONFIG =
      Map.of(SchemaRegistryClientConfig.URL, "mock://" + SCOPE);
  private static final int OWN_ID =
      InMemorySchemaRegistry.named(SCOPE).register(TOPIC + "-value", AgentEvent.getClassSchema());

  private final ValidatingEventDeserializer direct =
      new ValidatingEventDeserializer(AvroSerde.of(AgentEvent.class, CONFIG, false));
  /** The same deserializer over a serde it can't see through: the general path only. */
  private final ValidatingEventDeserializer general = generalPath();

  @AfterContainer
  static void dropRegistry() {
    InMemorySchemaRegistry.drop(SCOPE);
  }

  static ValidatingEventDeserializer generalPath() {
    AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, CONFIG, false);
    return new ValidatingEventDeserializer((topic, data) -> serde.deserialize(topic, data));
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 3000)
  void shouldDecodeEveryEventAsTheGeneralPathDoes(@ForAll("events") AgentEvent event) {
    // Given an event in its canonical encoding, valid or refused by section 2
    byte[] bytes = frame(event);

    // When both paths decode it
    Object expected = outcome(general, bytes);
    Object actual = outcome(direct, bytes);

    // Then they agree, and every event the general path accepts is read directly
    assertThat(actual).isEqualTo(expected);
    if (expected instanceof Decoded) {
      assertThat(AgentEventDecoder.decode(bytes, AvroSerde.HEADER_SIZE, bytes.length - AvroSerde.HEADER_SIZE))
          .isEqualTo(((Decoded) expected).step());
    }
  }

  @Property(tries = 3000)
  void shouldAgreeWithTheGeneralPathOnCorruptedBytes(@ForAll("corrupted") byte[] bytes) {
    assertThat(outcome(direct, bytes)).isEqualTo(outcome(general, bytes));
  }

  @Property(tries = 150)
  void shouldAgreeWithTheGeneralPathOnEveryPrefix(@ForAll("events") AgentEvent event) {
    // Given an encoding cut at every length, header included (of a long one, at every length of
    // its first and last 2 KiB, and at every 97th between)
    byte[] bytes = frame(event);
    for (int cut = 0; cut < bytes.length; cut += cut < 2048 || cut >= bytes.length - 2048 ? 1 : 97) {
      byte[] prefix = Arrays.copyOf(bytes, cut);
      // Then both paths say the same of each prefix
      assertThat(outcome(direct, prefix)).as("cut at %d", cut).isEqualTo(outcome(general, prefix));
    }
  }

  // ------------------------------------------------------------------ other writer schemas

  @Example
  void shouldReadARecordOfAnotherWriterSchemaByTheGeneralPath() throws IOException {
    // Given a writer schema with eventId and sessionId in the other order, and a record of it
    ObjectNode root = (ObjectNode) JSON.readTree(AgentEvent.getClassSchema().toString());
    ArrayNode fields = (ArrayNode) root.get("fields");
    JsonNode first = fields.get(0);
    fields.set(0, fields.get(1));
    fields.set(1, first);
    Schema swapped = new Schema.Parser().parse(root.toString());
    int id = InMemorySchemaRegistry.named(SCOPE).register("old-producer-value", swapped);
    AgentEvent event = event("e1", "s1");
    // its encoding is that of the event with the two ids exchanged, in the own schema
    byte[] bytes = frame(id, event("s1", "e1"));
    AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, CONFIG, false);

    // When
    Object read = outcome(new ValidatingEventDeserializer(serde), bytes);

    // Then the writer schema is not taken for the own one, and the fields are matched by name
    assertThat(serde.isWrittenWithOwnSchema(TOPIC, bytes)).isFalse();
    assertThat(serde.isWrittenWithOwnSchema(TOPIC, frame(event))).isTrue();
    assertThat(read).isEqualTo(outcome(general, bytes));
    assertThat(((Decoded) read).step().eventId()).isEqualTo("e1");
    assertThat(((Decoded) read).step().sessionId()).isEqualTo("s1");
  }

  @Example
  void shouldTakeTheGeneralPathForTheSameLayoutWithOtherSchemaProperties() throws IOException {
    // Given the events schema as another producer registers it: same layout, no Java string type
    Schema foreign;
    try (InputStream in = getClass().getResourceAsStream("/serde/agent-event-writer.avsc")) {
      foreign = new Schema.Parser().parse(in);
    }
    int id = InMemorySchemaRegistry.named(SCOPE).register("foreign-producer-value", foreign);
    byte[] bytes = frame(id, event("e1", "s1"));
    AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, CONFIG, false);

    // When / Then: not read directly, and read alike
    assertThat(foreign).isNotEqualTo(AgentEvent.getClassSchema());
    assertThat(serde.isWrittenWithOwnSchema(TOPIC, bytes)).isFalse();
    assertThat(outcome(new ValidatingEventDeserializer(serde), bytes))
        .isEqualTo(outcome(general, bytes))
        .isInstanceOf(Decoded.class);
  }

  @Example
  void shouldLeaveFramesRefusedByTheirHeaderToTheGeneralPath() {
    // Given frames without a usable header: null, empty, cut inside the header, another magic byte
    AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, CONFIG, false);
    byte[] good = frame(event("e1", "s1"));
    byte[] otherMagic = good.clone();
    otherMagic[0] = 1;

    for (byte[] bytes : Arrays.asList((byte[]) null, new byte[0], Arrays.copyOf(good, 4), otherMagic)) {
      // Then none is taken for the own schema, and both paths refuse it alike
      assertThat(serde.isWrittenWithOwnSchema(TOPIC, bytes)).isFalse();
      assertThat(outcome(direct, bytes)).isEqualTo(outcome(general, bytes)).isInstanceOf(String.class);
    }
  }

  private static AgentEvent event(String eventId, String sessionId) {
    return new AgentEvent(eventId, sessionId, "agent:a", Instant.ofEpochMilli(1_780_000_000_000L),
        EventType.TOOL_CALL, null, null,
        new ToolCall("repo.read_file", new LinkedHashMap<>(Map.of("path", "a.py")), null),
        null, null, null);
  }

  // ------------------------------------------------------------------ outcomes

  /** A step, with its arguments in iteration order (the map's equality ignores order). */
  record Decoded(Step step, List<Map.Entry<String, String>> arguments) {}

  /** What a deserializer makes of {@code bytes}: a {@link Decoded}, or the exception's type and message. */
  private static Object outcome(ValidatingEventDeserializer deserializer, byte[] bytes) {
    try {
      Step step = deserializer.deserialize(TOPIC, bytes);
      return new Decoded(
          step,
          step instanceof Step.ToolCall call ? List.copyOf(call.arguments().entrySet()) : List.of());
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  // ------------------------------------------------------------------ encoding

  private static final SpecificDatumWriter<AgentEvent> WRITER = new SpecificDatumWriter<>(AgentEvent.class);

  /** The Confluent-framed encoding of {@code event} with the registered own schema's id. */
  static byte[] frame(AgentEvent event) {
    return frame(OWN_ID, event);
  }

  static byte[] frame(int id, AgentEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(AvroSerde.MAGIC_BYTE);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      WRITER.write(event, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<AgentEvent> events() {
    return Arbitraries.randomValue(DirectEventDecodingPropertyTest::event);
  }

  @Provide
  Arbitrary<byte[]> corrupted() {
    return Arbitraries.randomValue(r -> corrupt(frame(event(r)), r));
  }

  /** Flipped, replaced, cut, inserted or appended bytes; varints and UTF-8 made bad on purpose. */
  static byte[] corrupt(byte[] bytes, Random r) {
    int rounds = 1 + r.nextInt(3);
    for (int k = 0; k < rounds && bytes.length > AvroSerde.HEADER_SIZE; k++) {
      int at = r.nextInt(bytes.length);
      // mostly after the header: a bad header is refused before decoding starts
      if (at < AvroSerde.HEADER_SIZE && r.nextInt(8) != 0) {
        at = AvroSerde.HEADER_SIZE + r.nextInt(bytes.length - AvroSerde.HEADER_SIZE);
      }
      switch (r.nextInt(9)) {
        case 0 -> bytes[at] ^= (byte) (1 << r.nextInt(8));
        case 1 -> bytes[at] = (byte) r.nextInt(256);
        case 2 -> bytes = Arrays.copyOf(bytes, Math.max(1, at));
        case 3 -> bytes = append(bytes, randomBytes(r, 1 + r.nextInt(4)));
        case 4 -> bytes[at] = pick(r, (byte) 0x01, (byte) 0x03, (byte) 0x7f, (byte) 0xff, (byte) 0x80);
        // bytes that are never, or not here, well-formed UTF-8: a lone continuation, an overlong
        // lead, a surrogate's lead, an out-of-range lead
        case 5 -> bytes[at] = pick(r, (byte) 0x80, (byte) 0xc0, (byte) 0xed, (byte) 0xf5, (byte) 0xe2);
        case 6 -> bytes = insert(bytes, at, randomBytes(r, 1 + r.nextInt(3)));
        // a non-shortest varint: a continuation bit on a byte followed by a zero byte
        case 7 -> bytes = insert(bytes, at + 1, new byte[] {0}, (byte) (bytes[at] | 0x80), at);
        default -> bytes = Arrays.copyOf(bytes, Math.max(0, bytes.length - 1 - r.nextInt(8)));
      }
    }
    return bytes;
  }

  private static byte pick(Random r, byte... choices) {
    return choices[r.nextInt(choices.length)];
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static byte[] append(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] insert(byte[] a, int at, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, at);
    System.arraycopy(b, 0, out, at, b.length);
    System.arraycopy(a, at, out, at + b.length, a.length - at);
    return out;
  }

  /** {@code b} inserted at {@code at} after byte {@code replaced} of {@code a} is set to {@code value}. */
  private static byte[] insert(byte[] a, int at, byte[] b, byte value, int replaced) {
    byte[] out = insert(a, at, b);
    out[replaced] = value;
    return out;
  }

  /** An event of any type, mostly valid; fields sometimes at, under or over their limits. */
  static AgentEvent event(Random r) {
    EventType type = r.nextInt(40) == 0
        ? EventType.UNRECOGNIZED
        : EventType.values()[r.nextInt(EventType.values().length - 1)];
    AgentEvent e = new AgentEvent(
        id(r), id(r), id(r), Instant.ofEpochMilli(millis(r)), type, null, null, null, null, null, null);
    EventType payload = r.nextInt(40) == 0 ? EventType.values()[r.nextInt(6)] : type;
    switch (payload) {
      case SESSION_STARTED -> e.setSession(new SessionStarted(text(r), scopes(r), optional(r)));
      case AGENT_DELEGATED -> e.setDelegation(new AgentDelegated(id(r), scopes(r), optional(r)));
      case TOOL_CALL -> e.setToolCall(new ToolCall(tool(r), arguments(r), r.nextBoolean() ? id(r) : null));
      case CREDENTIAL_ISSUED -> e.setCredential(new CredentialIssued(id(r), id(r), scopes(r),
          r.nextInt(30) == 0 ? CredentialKind.UNRECOGNIZED
              : CredentialKind.values()[r.nextInt(CredentialKind.values().length - 1)],
          r.nextInt(4) == 0 ? null : integer(r),
          r.nextInt(30) == 0 ? CredentialStorage.UNRECOGNIZED
              : CredentialStorage.values()[r.nextInt(CredentialStorage.values().length - 1)]));
      case CREDENTIAL_REVOKED -> e.setRevocation(new CredentialRevoked(id(r), optional(r)));
      case APPROVAL_GRANTED -> e.setApproval(new ApprovalGranted(id(r), text(r), scopes(r), integer(r)));
      default -> { }
    }
    if (r.nextInt(40) == 0) { // a second payload, or none where one is due
      switch (r.nextInt(3)) {
        case 0 -> e.setRevocation(new CredentialRevoked(id(r), null));
        case 1 -> e.setSession(new SessionStarted(text(r), List.of(), null));
        default -> {
          e.setToolCall(null);
          e.setSession(null);
        }
      }
    }
    return e;
  }

  static long millis(Random r) {
    return switch (r.nextInt(12)) {
      case 0 -> pick(r, Step.MIN_OCCURRED_AT - 1, Step.MIN_OCCURRED_AT, Step.MAX_OCCURRED_AT,
          Step.MAX_OCCURRED_AT + 1, Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L);
      case 1 -> Step.MIN_OCCURRED_AT + (long) (r.nextDouble() * (Step.MAX_OCCURRED_AT - Step.MIN_OCCURRED_AT));
      default -> 1_700_000_000_000L + r.nextInt(1_000_000_000);
    };
  }

  private static long pick(Random r, long... choices) {
    return choices[r.nextInt(choices.length)];
  }

  static int integer(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> (int) pick(r, Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE);
      default -> r.nextInt(100_000);
    };
  }

  /** Mostly a short id; sometimes one around the id limit, empty, or with the reserved suffix. */
  static String id(Random r) {
    return switch (r.nextInt(30)) {
      case 0 -> around(r, Limits.MAX_ID_BYTES);
      case 1 -> "";
      case 2 -> text(r) + Step.IDLE_TIMEOUT_SUFFIX;
      default -> "x" + text(r);
    };
  }

  static String tool(Random r) {
    return r.nextInt(20) == 0 ? around(r, Limits.MAX_TOOL_BYTES) : text(r);
  }

  static String optional(Random r) {
    return r.nextBoolean() ? null : text(r);
  }

  /** Short text, ASCII or any Unicode (two-, three- and four-byte forms); sometimes at its limit. */
  static String text(Random r) {
    if (r.nextInt(25) == 0) {
      return around(r, Limits.MAX_TEXT_BYTES);
    }
    return EventSamples.text(r);
  }

  /**
   * A string of {@code limit - 1}, {@code limit} or {@code limit + 1} bytes of UTF-8, in ASCII or
   * in two-byte characters (so that characters and bytes differ).
   */
  static String around(Random r, int limit) {
    int bytes = limit - 1 + r.nextInt(3);
    if (r.nextBoolean()) {
      return "a".repeat(bytes);
    }
    return "é".repeat(bytes / 2) + "a".repeat(bytes % 2);
  }

  static List<String> scopes(Random r) {
    List<String> out = new ArrayList<>();
    switch (r.nextInt(25)) {
      case 0 -> { // around the count limit
        int n = Limits.MAX_SCOPES - 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
          out.add("read:s" + i);
        }
      }
      case 1 -> out.add("read:" + "a".repeat(Limits.MAX_SCOPE_BYTES - 6 + r.nextInt(3)));
      case 2 -> out.add("read:" + "a/".repeat(Limits.MAX_SCOPE_SEGMENTS - 2 + r.nextInt(3)) + "a");
      case 3 -> out.add(pick(r, "no-colon", "read:", ":x", "read:a//b", "read:**/x"));
      default -> {
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.add(pick(r, "read:repo/**", "write:repo/src/*", "*:*", "exec:ci/job-" + r.nextInt(9),
              "read:é/ü/" + r.nextInt(99)));
        }
      }
    }
    return out;
  }

  private static String pick(Random r, String... choices) {
    return choices[r.nextInt(choices.length)];
  }

  /** Arguments in a chosen order: few, or around the count limit; names and values near theirs. */
  static Map<String, String> arguments(Random r) {
    Map<String, String> m = new LinkedHashMap<>();
    int n = switch (r.nextInt(12)) {
      case 0 -> Limits.MAX_ARGUMENTS - 1 + r.nextInt(3);
      case 1 -> 8 + r.nextInt(30);
      default -> r.nextInt(6);
    };
    for (int i = 0; i < n; i++) {
      m.put(r.nextInt(3) == 0 ? text(r) : "arg" + i, text(r));
    }
    switch (r.nextInt(30)) {
      case 0 -> m.put(around(r, Limits.MAX_ARGUMENT_NAME_BYTES), "v");
      case 1 -> m.put("big", around(r, Limits.MAX_ARGUMENT_VALUE_BYTES));
      default -> { }
    }
    return m;
  }
}
