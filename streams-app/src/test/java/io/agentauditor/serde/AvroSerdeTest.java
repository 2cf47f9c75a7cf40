package io.agentauditor.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.registry.SchemaRegistryClientConfig;
import io.agentauditor.registry.SchemaRegistryException;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.ToolCall;
import io.agentauditor.serde.AvroSerializationException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** AvroSerde on an in-memory ({@code mock://}) registry, and on a WireMock one for the foreign fixture. */
class AvroSerdeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "agent-events";

  private final String scope = "serde-test-" + UUID.randomUUID();
  private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.named(scope);

  @AfterEach
  void dropRegistry() {
    InMemorySchemaRegistry.drop(scope);
  }

  private Map<String, Object> config() {
    Map<String, Object> config = new HashMap<>();
    config.put(SchemaRegistryClientConfig.URL, "mock://" + scope);
    return config;
  }

  private AvroSerde<AgentEvent> eventSerde() {
    return AvroSerde.of(AgentEvent.class, config(), false);
  }

  static Stream<SpecificRecord> everyGeneratedRecord() {
    return Stream.concat(SampleRecords.everyEventType().stream(), Stream.of(
        SampleRecords.decision(),
        SampleRecords.credentialState(),
        SampleRecords.finding(),
        SampleRecords.sessionStarted(),
        SampleRecords.delegated(),
        SampleRecords.toolCall(),
        SampleRecords.credentialIssued(),
        SampleRecords.revoked(),
        SampleRecords.approval()));
  }

  @ParameterizedTest
  @MethodSource("everyGeneratedRecord")
  void shouldRoundTripEveryGeneratedRecordType(SpecificRecord record) {
    // Given
    AvroSerde<SpecificRecord> serde = serdeOf(record);

    // When
    byte[] bytes = serde.serialize(TOPIC, record);
    SpecificRecord back = serde.deserialize(TOPIC, bytes);

    // Then
    assertThat(back).isEqualTo(record).isNotSameAs(record);
  }

  @Test
  void shouldEncodeEachRecordAsAvrosOwnWriterDoesWhateverWasEncodedBefore() throws IOException {
    // Given records one after another on one thread: small ones around one far larger than the
    // buffer a thread keeps between records
    Map<String, String> large = new LinkedHashMap<>();
    large.put("content", "ünïcode ✓ ".repeat(20_000));
    AgentEvent huge =
        SampleRecords.event("e-large", EventType.TOOL_CALL)
            .setToolCall(ToolCall.newBuilder(SampleRecords.toolCall()).setArguments(large).build())
            .build();
    List<SpecificRecord> records = new java.util.ArrayList<>(everyGeneratedRecord().toList());
    records.add(records.size() / 2, huge);
    records.addAll(everyGeneratedRecord().toList());

    for (SpecificRecord record : records) {
      // When
      byte[] bytes = serdeOf(record).serialize(record.getSchema().getName(), record);

      // Then the frame is the header and what Avro's buffered encoder writes, byte for byte
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(expected, null);
      new org.apache.avro.specific.SpecificDatumWriter<SpecificRecord>(record.getSchema())
          .write(record, encoder);
      encoder.flush();
      assertThat(Arrays.copyOfRange(bytes, AvroSerde.HEADER_SIZE, bytes.length))
          .as(record.getSchema().getName())
          .isEqualTo(expected.toByteArray());
    }
  }

  @SuppressWarnings("unchecked")
  private AvroSerde<SpecificRecord> serdeOf(SpecificRecord record) {
    return AvroSerde.of((Class<SpecificRecord>) record.getClass(), config(), false);
  }

  @Test
  void shouldFrameWithMagicByteAndTheIdRegisteredUnderTheTopicValueSubject() {
    // Given
    AgentEvent event = SampleRecords.everyEventType().get(0);

    // When
    byte[] bytes = eventSerde().serialize(TOPIC, event);

    // Then
    int id = registry.getId("agent-events-value", AgentEvent.getClassSchema());
    assertThat(bytes[0]).isZero();
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
  }

  @Test
  void shouldRegisterAKeySerdeUnderTheTopicKeySubject() {
    // Given
    AvroSerde<ToolCall> keySerde = AvroSerde.of(ToolCall.class, config(), true);

    // When
    keySerde.serialize("calls", SampleRecords.toolCall());

    // Then
    assertThat(registry.subjects()).containsExactly("calls-key");
  }

  @Test
  void shouldDecodeAWriterSchemaWithAnExtraFieldWithDefaultIntoTheReaderClass() throws IOException {
    // Given: a newer producer added traceId (with a default) between agentId and occurredAt
    Schema writer = evolvedEventSchema(fields -> fields.insert(3, field("traceId", "[\"null\",\"string\"]", "null")));
    int id = registry.register(TOPIC + "-value", writer);
    AgentEvent expected = SampleRecords.everyEventType().get(2);
    GenericRecord written = genericCopy(expected, writer);
    written.put("traceId", "trace-77");

    // When
    AgentEvent decoded = eventSerde().deserialize(TOPIC, frame(id, writer, written));

    // Then
    assertThat(decoded).isEqualTo(expected);
  }

  @Test
  void shouldFillAFieldAnOlderWriterLackedWithItsDefault() throws IOException {
    // Given: an older ToolCall without credentialId
    Schema writer = evolvedEventSchema(fields -> {
      ObjectNode toolCall = (ObjectNode) fields.get(7).get("type").get(1);
      ((ArrayNode) toolCall.get("fields")).remove(2);
    });
    int id = registry.register("old-producer-value", writer);
    AgentEvent event = SampleRecords.everyEventType().get(2);
    GenericRecord written = genericCopy(event, writer);

    // When
    AgentEvent decoded = eventSerde().deserialize(TOPIC, frame(id, writer, written));

    // Then
    assertThat(decoded.getToolCall().getCredentialId()).isNull();
    assertThat(decoded.getToolCall().getArguments()).isEqualTo(event.getToolCall().getArguments());
  }

  @Test
  void shouldReadEachRecordWithItsOwnWriterSchemaWhenWritersAlternate() throws IOException {
    // Given: records of two writer schemas interleaved on one topic, read by one serde
    Schema older = evolvedEventSchema(fields -> {
      ObjectNode toolCall = (ObjectNode) fields.get(7).get("type").get(1);
      ((ArrayNode) toolCall.get("fields")).remove(2);
    });
    Schema newer = evolvedEventSchema(fields -> fields.insert(3, field("traceId", "[\"null\",\"string\"]", "null")));
    int olderId = registry.register("old-producer-value", older);
    int newerId = registry.register("new-producer-value", newer);
    AgentEvent event = SampleRecords.everyEventType().get(2);
    GenericRecord newerRecord = genericCopy(event, newer);
    newerRecord.put("traceId", "trace-77");
    byte[] fromOlder = frame(olderId, older, genericCopy(event, older));
    byte[] fromNewer = frame(newerId, newer, newerRecord);
    AvroSerde<AgentEvent> serde = eventSerde();

    // When
    List<AgentEvent> decoded = new ArrayList<>();
    for (byte[] bytes : List.of(fromOlder, fromNewer, fromNewer, fromOlder, fromNewer)) {
      decoded.add(serde.deserialize(TOPIC, bytes));
    }

    // Then: the older writer had no credentialId, the newer one kept it
    assertThat(decoded)
        .extracting(e -> e.getToolCall().getCredentialId())
        .containsExactly(
            null,
            event.getToolCall().getCredentialId(),
            event.getToolCall().getCredentialId(),
            null,
            event.getToolCall().getCredentialId());
  }

  @Test
  void shouldReadAnEventTypeAddedByANewerWriterAsUnrecognized() throws IOException {
    // Given
    Schema writer = evolvedEventSchema(fields -> {
      ArrayNode symbols = (ArrayNode) fields.get(4).get("type").get("symbols");
      symbols.add("AGENT_RETIRED");
    });
    int id = registry.register("new-producer-value", writer);
    GenericRecord written = genericCopy(SampleRecords.everyEventType().get(6), writer);
    written.put("type", new GenericData.EnumSymbol(writer.getField("type").schema(), "AGENT_RETIRED"));

    // When
    AgentEvent decoded = eventSerde().deserialize(TOPIC, frame(id, writer, written));

    // Then
    assertThat(decoded.getType()).isEqualTo(EventType.UNRECOGNIZED);
  }

  @Test
  void shouldDecodeTheHandAssembledForeignFixture() throws IOException {
    // Given: a registry (WireMock) that knows the fixture's writer schema as id 42
    byte[] bytes = resource("serde/tool-call-event.bin");
    WireMockServer wireMock = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wireMock.start();
    try {
      String writer = new String(resource("serde/agent-event-writer.avsc"), StandardCharsets.UTF_8);
      wireMock.stubFor(get("/schemas/ids/42").willReturn(okJson(JSON.writeValueAsString(Map.of("schema", writer)))));
      Map<String, Object> config = new HashMap<>();
      config.put(SchemaRegistryClientConfig.URL, "http://127.0.0.1:" + wireMock.port());
      AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, config, false);

      // When
      AgentEvent decoded = serde.deserialize(TOPIC, bytes);
      AgentEvent again = serde.deserialize(TOPIC, bytes);

      // Then
      AgentEvent expected = fixtureEvent();
      assertThat(decoded).isEqualTo(expected);
      assertThat(again).isEqualTo(expected);
      wireMock.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/42")));
    } finally {
      wireMock.stop();
    }
  }

  /** The event of serde/README.md, with the arguments in the fixture's order. */
  private static AgentEvent fixtureEvent() {
    Map<String, String> arguments = new LinkedHashMap<>();
    arguments.put("repo", "acme/api");
    arguments.put("path", "src/a.py");
    return AgentEvent.newBuilder()
        .setEventId("e3")
        .setSessionId("s1")
        .setAgentId("agent:coder")
        .setOccurredAt(Instant.parse("2026-11-26T10:00:02Z"))
        .setType(EventType.TOOL_CALL)
        .setToolCall(ToolCall.newBuilder()
            .setTool("repo.write_file")
            .setArguments(arguments)
            .setCredentialId("cred-1")
            .build())
        .build();
  }

  @Test
  void shouldKeepTheForeignFixtureEqualToItsRecipe() throws IOException {
    // Given
    String recipe = new String(resource("serde/tool-call-event.hex"), StandardCharsets.US_ASCII);

    // When: the recipe read as README.md says (comments stripped, hex pairs)
    String hex = recipe.lines().map(l -> l.replaceAll("#.*", "")).reduce("", String::concat).replaceAll("\\s", "");
    byte[] fromRecipe = new byte[hex.length() / 2];
    for (int i = 0; i < fromRecipe.length; i++) {
      fromRecipe[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }

    // Then
    assertThat(hex.length() % 2).isZero();
    assertThat(resource("serde/tool-call-event.bin")).isEqualTo(fromRecipe);
  }

  @Test
  void shouldEncodeTheFixtureRecordToTheSameBytesAsTheHandAssembledOne() throws IOException {
    // Given
    byte[] fixture = resource("serde/tool-call-event.bin");
    AgentEvent event = fixtureEvent();

    // When
    byte[] ours = eventSerde().serialize(TOPIC, event);

    // Then: the Avro bodies agree byte for byte (only the schema id differs)
    assertThat(Arrays.copyOfRange(ours, 5, ours.length)).isEqualTo(Arrays.copyOfRange(fixture, 5, fixture.length));
  }

  // --- bad bytes ---

  @Test
  void shouldRefuseNullAndEmptyPayloads() {
    AvroSerde<AgentEvent> serde = eventSerde();
    assertReason(() -> serde.deserialize(TOPIC, null), Reason.NULL_PAYLOAD, "null payload");
    assertReason(() -> serde.deserialize(TOPIC, new byte[0]), Reason.EMPTY_PAYLOAD, "empty payload");
  }

  @Test
  void shouldRefuseFewerThanFiveBytes() {
    assertReason(() -> eventSerde().deserialize(TOPIC, new byte[] {0, 0, 0, 1}), Reason.TOO_SHORT,
        "4 bytes, fewer than the 5");
  }

  @Test
  void shouldRefuseAWrongMagicByte() {
    byte[] bytes = validBytes();
    bytes[0] = 0x7b; // '{': a JSON record on an Avro topic
    assertReason(() -> eventSerde().deserialize(TOPIC, bytes), Reason.UNKNOWN_MAGIC_BYTE, "0x7b is not the magic byte");
  }

  @Test
  void shouldRefuseAnUnknownSchemaId() {
    byte[] bytes = validBytes();
    bytes[4] = 99;
    AvroSerializationException e = assertReason(() -> eventSerde().deserialize(TOPIC, bytes),
        Reason.UNKNOWN_SCHEMA_ID, "knows no schema 99");
    assertThat(e.schemaId()).isEqualTo(99);
    assertThat(e.topic()).isEqualTo(TOPIC);
  }

  @Test
  void shouldAskTheRegistryForAnUnknownIdOnlyOnceInTenSeconds() throws IOException {
    // Given a registry (WireMock) that knows no schema 77, and a serde on a clock of our own
    byte[] bytes = validBytes();
    bytes[4] = 77;
    WireMockServer wireMock = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wireMock.start();
    try {
      wireMock.stubFor(
          get("/schemas/ids/77")
              .willReturn(
                  aResponse()
                      .withStatus(404)
                      .withHeader("Content-Type", "application/vnd.schemaregistry.v1+json")
                      .withBody("{\"error_code\":40403,\"message\":\"Schema 77 not found\"}")));
      Map<String, Object> config = new HashMap<>();
      config.put(SchemaRegistryClientConfig.URL, "http://127.0.0.1:" + wireMock.port());
      AtomicLong nanos = new AtomicLong();
      AvroSerde<AgentEvent> serde = new AvroSerde<>(AgentEvent.class, nanos::get);
      serde.configure(config, false);

      // When 1,000 records name it within 10 s
      for (int i = 0; i < 1000; i++) {
        // each refused in the same words, whichever record asked
        assertReason(() -> serde.deserialize(TOPIC, bytes), Reason.UNKNOWN_SCHEMA_ID, "Schema 77 not found");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(9));
      }

      // Then the registry was asked once; and once more when 10 s have passed
      wireMock.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/77")));
      nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
      assertReason(() -> serde.deserialize(TOPIC, bytes), Reason.UNKNOWN_SCHEMA_ID, "Schema 77 not found");
      wireMock.verify(2, getRequestedFor(urlEqualTo("/schemas/ids/77")));
    } finally {
      wireMock.stop();
    }
  }

  @Test
  void shouldRefuseATruncatedPayload() {
    byte[] bytes = validBytes();
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 4);
    assertReason(() -> eventSerde().deserialize(TOPIC, cut), Reason.TRUNCATED_PAYLOAD, "ends inside the record");
  }

  @Test
  void shouldRefuseTrailingBytes() {
    byte[] bytes = validBytes();
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    assertReason(() -> eventSerde().deserialize(TOPIC, longer), Reason.TRAILING_BYTES, "3 bytes left after the record");
  }

  @Test
  void shouldRefuseAMalformedPayload() {
    // Given: the eventId length byte replaced by zigzag(-2), a negative length
    byte[] bytes = validBytes();
    bytes[5] = 0x03;

    // When / Then
    assertReason(() -> eventSerde().deserialize(TOPIC, bytes), Reason.MALFORMED_PAYLOAD, "not a valid encoding");
  }

  @Test
  void shouldRefuseAStringThatIsNotWellFormedUtf8AfterWellFormedOnes() {
    // Given: the agentId's "XY" (after a longer eventId and a sessionId) made a lone lead byte
    AgentEvent event = AgentEvent.newBuilder(SampleRecords.everyEventType().get(2))
        .setEventId("evt-0000000000000000000000000000000001")
        .setAgentId("agent-XY")
        .build();
    byte[] bytes = eventSerde().serialize(TOPIC, event);
    int at = indexOf(bytes, "agent-XY".getBytes(StandardCharsets.US_ASCII)) + "agent-".length();
    bytes[at] = (byte) 0xC3;
    bytes[at + 1] = (byte) 0x28;

    // When / Then
    assertReason(() -> eventSerde().deserialize(TOPIC, bytes), Reason.MALFORMED_PAYLOAD, "not valid UTF-8");
  }

  @Test
  void shouldDecodeEachStringOfARecordToItsOwnValue() {
    // Given: strings of falling and rising lengths in one record
    AgentEvent event = AgentEvent.newBuilder(SampleRecords.everyEventType().get(2))
        .setEventId("evt-0000000000000000000000000000000001")
        .setSessionId("s-1")
        .setAgentId("agent:é-coder")
        .build();

    // When
    AgentEvent decoded = eventSerde().deserialize(TOPIC, eventSerde().serialize(TOPIC, event));

    // Then
    assertThat(decoded).isEqualTo(event);
  }

  @Test
  void shouldDecodeEachRecordAsANewThreadDoesAfterLongBrokenAndCutRecordsOnTheSameThread()
      throws Exception {
    // Given: one serde, whose thread reuses its decoders, and records that leave them in every state
    AvroSerde<AgentEvent> serde = eventSerde();
    AgentEvent longer = AgentEvent.newBuilder(SampleRecords.everyEventType().get(2))
        .setEventId("evt-" + "7".repeat(100 * 1024))
        .build();
    AgentEvent shorter = AgentEvent.newBuilder(SampleRecords.everyEventType().get(2))
        .setEventId("evt-1")
        .setAgentId("agent:é")
        .build();
    byte[] malformed = validBytes();
    malformed[5] = 0x03;
    byte[] valid = validBytes();
    byte[] cut = Arrays.copyOf(valid, valid.length - 4);
    byte[] trailing = Arrays.copyOf(valid, valid.length + 3);
    List<byte[]> inputs = new ArrayList<>();
    for (AgentEvent event : SampleRecords.everyEventType()) {
      inputs.add(serde.serialize(TOPIC, event));
    }
    inputs.addAll(List.of(
        serde.serialize(TOPIC, longer), serde.serialize(TOPIC, shorter), malformed, valid, cut,
        serde.serialize(TOPIC, shorter), trailing, valid));

    for (byte[] input : inputs) {
      // When
      Object reused = outcome(() -> serde.deserialize(TOPIC, input));
      FutureTask<Object> onNewThread = new FutureTask<>(() -> outcome(() -> serde.deserialize(TOPIC, input)));
      new Thread(onNewThread, "fresh-decoders").start();
      Object fresh = onNewThread.get(30, TimeUnit.SECONDS);

      // Then
      assertThat(reused).isEqualTo(fresh);
    }
  }

  /** The record decoded, or the failure's reason and message; the thread's decoders are reused. */
  private static Object outcome(Supplier<AgentEvent> decode) {
    try {
      return decode.get();
    } catch (AvroSerializationException e) {
      return e.reason() + ": " + e.getMessage();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  @Test
  void shouldRefuseAWriterSchemaTheReaderCannotResolve() throws IOException {
    // Given: a writer whose AgentEvent lacks eventId, which the reader requires with no default
    Schema writer = evolvedEventSchema(fields -> fields.remove(0));
    int id = InMemorySchemaRegistry.named(scope).register("other-value", writer);
    GenericRecord written = genericCopy(SampleRecords.everyEventType().get(6), writer);
    byte[] bytes = frame(id, writer, written);
    AvroSerde<AgentEvent> serde = eventSerde();

    // When / Then: also on the second record, from the cached verdict
    assertReason(() -> serde.deserialize(TOPIC, bytes), Reason.INCOMPATIBLE_SCHEMA, "eventId");
    assertReason(() -> serde.deserialize(TOPIC, bytes), Reason.INCOMPATIBLE_SCHEMA, "READER_FIELD_MISSING_DEFAULT_VALUE");
  }

  @Test
  void shouldRefuseARecordOfAnotherName() {
    // Given
    int id = registry.register("x-value", Schema.createRecord("Other", null, "acme", false, List.of()));
    byte[] bytes = {0, 0, 0, 0, (byte) id};

    // When / Then
    assertReason(() -> eventSerde().deserialize(TOPIC, bytes), Reason.INCOMPATIBLE_SCHEMA, "NAME_MISMATCH");
  }

  @Test
  void shouldThrowARetriableRegistryErrorNotASerializationErrorWhenTheRegistryIsDown() throws IOException {
    // Given: a registry URL nobody listens on
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort();
    }
    Map<String, Object> config = new HashMap<>();
    config.put(SchemaRegistryClientConfig.URL, "http://127.0.0.1:" + deadPort);
    config.put(SchemaRegistryClientConfig.MAX_RETRIES, 0);
    AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, config, false);

    // When
    Throwable thrown = catchThrowableOfType(SchemaRegistryException.class, () -> serde.deserialize(TOPIC, validBytes()));

    // Then: the record may be fine, so it must not be dead-lettered as bad bytes
    assertThat(thrown).isNotInstanceOf(SerializationException.class);
    assertThat(((SchemaRegistryException) thrown).isRetriable()).isTrue();
  }

  // --- serializer modes ---

  @Test
  void shouldRefuseToSerializeAnUnregisteredSchemaWhenAutoRegisterIsOff() {
    // Given
    Map<String, Object> config = config();
    config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
    AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, config, false);
    AgentEvent event = SampleRecords.everyEventType().get(0);

    // When / Then
    assertReason(() -> serde.serialize(TOPIC, event), Reason.SCHEMA_NOT_REGISTERED, "agent-events-value");

    // And once registered, it is looked up
    int id = registry.register("agent-events-value", AgentEvent.getClassSchema());
    assertThat(ByteBuffer.wrap(serde.serialize(TOPIC, event), 1, 4).getInt()).isEqualTo(id);
  }

  @Test
  void shouldUseTheLatestVersionOnlyWhenItIsTheRecordsSchema() throws IOException {
    // Given
    Map<String, Object> config = config();
    config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
    config.put(AvroSerdeConfig.USE_LATEST_VERSION, true);
    AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, config, false);
    AgentEvent event = SampleRecords.everyEventType().get(0);
    int ours = registry.register("agent-events-value", AgentEvent.getClassSchema());

    // When
    byte[] bytes = serde.serialize(TOPIC, event);

    // Then
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(ours);

    // And when a newer version is the latest, the record is refused rather than written with it
    registry.register("agent-events-value", evolvedEventSchema(f -> f.add(field("extra", "\"int\"", "0"))));
    assertReason(() -> serde.serialize(TOPIC, event), Reason.SCHEMA_REJECTED, "latest version 2");
  }

  @Test
  void shouldReportASchemaTheRegistryRejectsAsIncompatible() {
    // Given: the subject's latest version has a required field our schema lacks a default for
    registry.register("agent-events-value",
        Schema.createRecord("AgentEvent", null, "io.agentauditor.schema", false, List.of(
            new Schema.Field("legacy", Schema.create(Schema.Type.INT)))));

    // When / Then
    assertReason(() -> eventSerde().serialize(TOPIC, SampleRecords.everyEventType().get(0)),
        Reason.SCHEMA_REJECTED, "incompatible");
  }

  @Test
  void shouldWriteATombstoneForANullRecord() {
    assertThat(eventSerde().serialize(TOPIC, null)).isNull();
  }

  @Test
  void shouldRefuseGenericReaderConfiguration() {
    Map<String, Object> config = config();
    config.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, "false");
    assertThatThrownBy(() -> AvroSerde.of(AgentEvent.class, config, false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("specific.avro.reader");
  }

  @Test
  void shouldRequireTheRegistryUrl() {
    assertThatThrownBy(() -> AvroSerde.of(AgentEvent.class, Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  // --- helpers ---

  private byte[] validBytes() {
    return eventSerde().serialize(TOPIC, SampleRecords.everyEventType().get(2));
  }

  private static AvroSerializationException assertReason(Runnable call, Reason reason, String inMessage) {
    AvroSerializationException e = catchThrowableOfType(AvroSerializationException.class, call::run);
    assertThat(e).as("expected %s", reason).isNotNull();
    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e).isInstanceOf(SerializationException.class);
    assertThat(e.getMessage()).startsWith(reason.name()).contains(inMessage);
    return e;
  }

  private interface FieldsEdit {
    void apply(ArrayNode fields);
  }

  /** AgentEvent's own schema, edited as JSON. */
  private static Schema evolvedEventSchema(FieldsEdit edit) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(AgentEvent.getClassSchema().toString());
    edit.apply((ArrayNode) root.get("fields"));
    return new Schema.Parser().parse(root.toString());
  }

  private static ObjectNode field(String name, String typeJson, String defaultJson) {
    try {
      ObjectNode field = JSON.createObjectNode();
      field.put("name", name);
      field.set("type", JSON.readTree(typeJson));
      field.set("default", JSON.readTree(defaultJson));
      return field;
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The specific record re-expressed under {@code writer}, via its own binary encoding and back. */
  private static GenericRecord genericCopy(AgentEvent event, Schema writer) throws IOException {
    GenericRecord generic = toGeneric(event);
    GenericRecordBuilder builder = new GenericRecordBuilder(writer);
    for (Schema.Field f : writer.getFields()) {
      Object value = generic.getSchema().getField(f.name()) == null ? null : generic.get(f.name());
      builder.set(f, retarget(value, f.schema()));
    }
    return builder.build();
  }

  private static GenericRecord toGeneric(AgentEvent event) throws IOException {
    byte[] body = AgentEvent.getEncoder().encode(event).array();
    // BinaryMessageEncoder adds its own single-object header (2 marker bytes + 8 fingerprint bytes)
    return new org.apache.avro.generic.GenericDatumReader<GenericRecord>(AgentEvent.getClassSchema())
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(body, 10, body.length - 10, null));
  }

  /** Moves a generic value onto the (possibly edited) writer schema, matching record fields by name. */
  private static Object retarget(Object value, Schema schema) {
    if (value == null) {
      return null;
    }
    switch (schema.getType()) {
      case UNION -> {
        for (Schema branch : schema.getTypes()) {
          if (branch.getType() != Schema.Type.NULL) {
            return retarget(value, branch);
          }
        }
        return value;
      }
      case RECORD -> {
        GenericRecord in = (GenericRecord) value;
        GenericRecordBuilder out = new GenericRecordBuilder(schema);
        for (Schema.Field f : schema.getFields()) {
          Object v = in.getSchema().getField(f.name()) == null ? null : in.get(f.name());
          if (v != null || !f.hasDefaultValue()) {
            out.set(f, retarget(v, f.schema()));
          }
        }
        return out.build();
      }
      case ENUM -> {
        return new GenericData.EnumSymbol(schema, value.toString());
      }
      default -> {
        return value;
      }
    }
  }

  private static byte[] frame(int id, Schema writer, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(writer).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = AvroSerdeTest.class.getClassLoader().getResourceAsStream(path)) {
      assertThat(in).as("test resource %s", path).isNotNull();
      return in.readAllBytes();
    }
  }
}
