package io.agentauditor.streams;

import io.agentauditor.avro.EventMapper;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.ApprovalGranted;
import io.agentauditor.schema.CredentialIssued;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.SessionStarted;
import io.agentauditor.serde.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract 9.2 and 9.4 on the production topology, beyond {@link AuditorTopologyTest}: an unknown
 * schema id, Avro events that break section 2 (malformed scope, ttl out of range, an invalid repeat
 * of a decided eventId), a tombstone and a null key, each a dead letter with its raw bytes while
 * the counts hold; violations valid, unique and identical across two runs.
 *
 * <p>Also what the Avro path must refuse as the JSON form does: bytes that are not well-formed
 * UTF-8, in a string or in the key (decoded lossily, each bad byte a U+FFFD, two distinct ids would
 * collapse into one and share a chain), and an enum symbol of a newer writer the auditor doesn't
 * know (section 2: "an enum value is unknown"; the reader's default, UNRECOGNIZED, is refused).
 */
class StreamingConformanceTopologyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TopicNames TOPICS = AuditTestData.topicNames("rvd");
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  @TempDir Path stateDir;

  private final String registryName = "rvd-" + UUID.randomUUID();

  private TopologyTestDriver driver;
  private AvroSerde<AgentEvent> eventSerde;
  private TestInputTopic<String, AgentEvent> events;
  private TestInputTopic<byte[], byte[]> raw;
  private TestOutputTopic<String, Decision> decisions;
  private TestOutputTopic<String, String> violations;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void startDriver() {
    driver = newDriver(stateDir.resolve("a"), "mock://" + registryName);
  }

  private TopologyTestDriver newDriver(Path dir, String registry) {
    AuditorConfig config =
        AuditTestData.driverConfig(TOPICS, registry, dir);
    Map<String, Object> serdeConfig = config.serdeConfig();
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    TopologyTestDriver d =
        new TopologyTestDriver(
            AuditorTopology.build(config.topics(), serdeConfig, AuditTestData.defaultPolicy()), props);
    eventSerde = AvroSerde.of(AgentEvent.class, serdeConfig, false);
    events = d.createInputTopic(TOPICS.events(), new StringSerializer(), eventSerde);
    raw = d.createInputTopic(TOPICS.events(), new ByteArraySerializer(), new ByteArraySerializer());
    decisions =
        d.createOutputTopic(
            TOPICS.decisions(), new StringDeserializer(), AvroSerde.of(Decision.class, serdeConfig, false));
    violations =
        d.createOutputTopic(TOPICS.violations(), new StringDeserializer(), new StringDeserializer());
    deadLetters =
        d.createOutputTopic(TOPICS.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    return d;
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldDeadLetterAnUnknownSchemaIdAndKeepDeciding() {
    // Given a Confluent frame naming a schema id the registry never issued
    byte[] valid = eventSerde.serialize(TOPICS.events(), started("s1", "e1"));
    byte[] unknownId = valid.clone();
    unknownId[1] = 0x7f;
    byte[] key = "s1".getBytes(StandardCharsets.UTF_8);

    // When
    raw.pipeInput(key, unknownId);
    raw.pipeInput(key, valid);

    // Then
    DeadLetter letter = readDeadLetter();
    assertThat(letter.reason()).startsWith("UNKNOWN_SCHEMA_ID");
    assertThat(letter.sourceOffset()).isZero();
    assertThat(letter.rawKey()).isEqualTo(key);
    assertThat(letter.rawValue()).isEqualTo(unknownId);
    assertThat(decisions.readValuesToList()).extracting(Decision::getEventId).containsExactly("e1");
  }

  @Test
  void shouldDeadLetterSectionTwoViolationsWithRawBytesAndHoldTheCounts() {
    // Given a valid session, then Avro events that break section 2, a tombstone, a null key, a
    // repeat of a decided eventId made invalid, and valid steps in between
    AgentEvent start = started("s1", "e1");
    AgentEvent badScope =
        AgentEvent.newBuilder(started("s2", "e1"))
            .setSession(
                SessionStarted.newBuilder(start.getSession())
                    .setGrantedScopes(List.of("read:repo//acme"))
                    .build())
            .build();
    AgentEvent repeatBadScope =
        AgentEvent.newBuilder(start)
            .setSession(
                SessionStarted.newBuilder(start.getSession())
                    .setGrantedScopes(List.of("READ:repo"))
                    .build())
            .build();
    AgentEvent negativeTtl =
        event(
            AuditTestData.line("s1", "e2", "agent:a", T0.plusSeconds(1), "CREDENTIAL_ISSUED",
                "\"credential\":{\"credentialId\":\"c1\",\"subjectAgentId\":\"agent:a\","
                    + "\"scopes\":[\"read:repo/acme/api\"],\"kind\":\"SHORT_LIVED_TOKEN\","
                    + "\"ttlSeconds\":60,\"storage\":\"MEMORY\"}"));
    negativeTtl =
        AgentEvent.newBuilder(negativeTtl)
            .setCredential(CredentialIssued.newBuilder(negativeTtl.getCredential()).setTtlSeconds(-1).build())
            .build();
    AgentEvent zeroApproval =
        event(
            AuditTestData.line("s1", "e3", "agent:a", T0.plusSeconds(2), "APPROVAL_GRANTED",
                "\"approval\":{\"approvalId\":\"a1\",\"approver\":\"user:bob\","
                    + "\"scopes\":[\"read:repo/acme/api\"],\"ttlSeconds\":60}"));
    zeroApproval =
        AgentEvent.newBuilder(zeroApproval)
            .setApproval(ApprovalGranted.newBuilder(zeroApproval.getApproval()).setTtlSeconds(0).build())
            .build();
    List<byte[][]> inputs = new ArrayList<>();
    inputs.add(rec("s1", start));
    inputs.add(rec("s2", badScope));
    inputs.add(rec("s1", repeatBadScope));
    inputs.add(rec("s1", negativeTtl));
    inputs.add(rec("s1", zeroApproval));
    inputs.add(new byte[][] {"s1".getBytes(StandardCharsets.UTF_8), null});
    inputs.add(new byte[][] {null, eventSerde.serialize(TOPICS.events(), ended("s1", "e4", 3))});
    inputs.add(rec("s1", ended("s1", "e5", 4)));

    // When
    for (byte[][] kv : inputs) {
      raw.pipeInput(kv[0], kv[1]);
    }

    // Then
    List<Decision> decided = decisions.readValuesToList();
    assertThat(decided).extracting(Decision::getEventId).containsExactly("e1", "e5");
    List<DeadLetter> letters = new ArrayList<>();
    while (!deadLetters.isEmpty()) {
      letters.add(readDeadLetter());
    }
    assertThat(letters).extracting(DeadLetter::sourceOffset).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    for (DeadLetter l : letters) {
      byte[][] source = inputs.get((int) l.sourceOffset());
      assertThat(l.rawKey()).isEqualTo(source[0]);
      assertThat(l.rawValue()).isEqualTo(source[1]);
      assertThat(l.sourceTopic()).isEqualTo(TOPICS.events());
      assertThat(l.reason()).isNotBlank();
    }
    assertThat(letters.get(0).reason()).contains("grantedScopes");
    assertThat(letters.get(2).reason()).contains("ttlSeconds");
    assertThat(letters.get(3).reason()).contains("ttlSeconds");
    assertThat(decided.size() + letters.size()).isEqualTo(inputs.size());
  }

  @Test
  void shouldGiveEveryViolationValidOcsfClassificationAndAUidUniqueAndStableAcrossRuns()
      throws Exception {
    // Given the demo scenario plus a session closed by the idle timeout
    List<AgentEvent> scenario = new ArrayList<>(AuditTestData.decode(AuditTestData.demoScenario()));

    // When run twice on fresh drivers
    List<String> first = run(scenario);
    driver.close();
    driver = newDriver(stateDir.resolve("b"), "mock://rvd-" + UUID.randomUUID());
    List<String> second = run(scenario);

    // Then
    assertThat(second).isEqualTo(first);
    Set<String> uids = new HashSet<>();
    for (String v : first) {
      JsonNode e = JSON.readTree(v);
      assertThat(e.get("class_uid").asInt()).isEqualTo(2004);
      assertThat(e.get("category_uid").asInt()).isEqualTo(2);
      assertThat(e.get("type_uid").asInt()).isEqualTo(2004 * 100 + e.get("activity_id").asInt());
      assertThat(e.get("severity_id").asInt()).isBetween(1, 5);
      assertThat(e.get("time").isIntegralNumber()).isTrue();
      assertThat(e.at("/metadata/product/name").asText()).isNotBlank();
      assertThat(e.at("/metadata/product/vendor_name").asText()).isNotBlank();
      assertThat(e.at("/metadata/version").asText()).isEqualTo(OcsfDetectionFindings.OCSF_VERSION);
      assertThat(e.at("/finding_info/title").asText()).isNotBlank();
      assertThat(e.at("/unmapped/agent_auditor/path").isArray()).isTrue();
      assertThat(e.at("/unmapped/agent_auditor/decision_summary/finding_count").asInt()).isPositive();
      assertThat(e.at("/unmapped/agent_auditor/finding/ruleId").asText()).isNotBlank();
      assertThat(uids.add(e.at("/finding_info/uid").asText())).isTrue();
    }
  }

  @Test
  void shouldDeadLetterAnAvroEventWhoseSessionIdBytesAreNotUtf8() {
    // Given two different sessions whose ids differ only in one byte that is not UTF-8
    byte[] sessionA = withByte(serialize(started("sX", "e1")), "sX", (byte) 0xFF);
    byte[] sessionB = withByte(serialize(started("sX", "e1")), "sX", (byte) 0xFE);

    // When
    raw.pipeInput(new byte[] {'s', (byte) 0xFF}, sessionA);
    raw.pipeInput(new byte[] {'s', (byte) 0xFE}, sessionB);

    // Then both are undecodable: two dead letters and no decision (decoded lossily, both would be
    // session "s\uFFFD", and B's start would get A's stored decision as if it were a retry)
    assertThat(decisions.readValuesToList()).extracting(Decision::getSessionId).isEmpty();
    assertThat(deadLetters.readRecordsToList()).hasSize(2);
  }

  @Test
  void shouldDeadLetterARecordWhoseKeyBytesAreNotItsSessionId() {
    // Given an event of session "s\uFFFD" (valid UTF-8: 73 EF BF BD) under the key bytes 73 FF
    byte[] value = serialize(started("s\uFFFD", "e1"));
    byte[] key = {'s', (byte) 0xFF};
    assertThat(key).isNotEqualTo("s\uFFFD".getBytes(StandardCharsets.UTF_8));

    // When
    raw.pipeInput(key, value);

    // Then the key is not the sessionId: a dead letter (decoded lossily, the key would read
    // "s\uFFFD" too and the event be decided)
    assertThat(decisions.readValuesToList()).isEmpty();
    assertThat(deadLetters.readRecordsToList()).hasSize(1);
  }

  @Test
  void shouldDeadLetterAnEventWhoseStorageIsASymbolTheAuditorDoesNotKnow() throws Exception {
    // Given a producer on a newer schema whose CredentialStorage has one more symbol, VAULT
    String ours = AgentEvent.getClassSchema().toString();
    String newer =
        ours.replace("\"UNKNOWN\",\"UNRECOGNIZED\"]", "\"UNKNOWN\",\"UNRECOGNIZED\",\"VAULT\"]");
    assertThat(newer).isNotEqualTo(ours);
    Schema writer = new Schema.Parser().parse(newer);
    int id = InMemorySchemaRegistry.named(registryName).register(TOPICS.events() + "-value", writer);
    GenericRecord event =
        new GenericData.Record(writer);
    AgentEvent issued = issued();
    for (Schema.Field f : writer.getFields()) {
      Object v = issued.get(f.name());
      event.put(f.name(), v);
    }
    GenericRecord credential = new GenericData.Record(writer.getField("credential").schema().getTypes().get(1));
    credential.put("credentialId", "c1");
    credential.put("subjectAgentId", "agent:a");
    credential.put("scopes", java.util.List.of("read:repo/acme/api"));
    credential.put("kind", new GenericData.EnumSymbol(credential.getSchema().getField("kind").schema(), "SHORT_LIVED_TOKEN"));
    credential.put("ttlSeconds", 60);
    credential.put("storage", new GenericData.EnumSymbol(credential.getSchema().getField("storage").schema(), "VAULT"));
    event.put("credential", credential);
    event.put("type", new GenericData.EnumSymbol(writer.getField("type").schema(), "CREDENTIAL_ISSUED"));
    event.put("occurredAt", T0.plusSeconds(1).toEpochMilli());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(writer).write(event, encoder);
    encoder.flush();
    raw.pipeInput("s1".getBytes(StandardCharsets.UTF_8), serialize(started("s1", "e1")));

    // When
    raw.pipeInput("s1".getBytes(StandardCharsets.UTF_8), out.toByteArray());

    // Then storage VAULT is an unknown enum value (section 2; the JSON form dead-letters it): the
    // reader's default UNRECOGNIZED, which the validator refuses, so a dead letter
    assertThat(decisions.readValuesToList()).extracting(Decision::getEventId).containsExactly("e1");
    assertThat(deadLetters.readRecordsToList()).hasSize(1);
  }

  private List<String> run(List<AgentEvent> scenario) {
    for (AgentEvent e : scenario) {
      events.pipeInput(e.getSessionId(), e);
    }
    // Far ahead, to close the scenario's session idle; its record is stamped alike (clock skew)
    Instant late = T0.plusSeconds(400L * 24 * 3600);
    events.pipeInput(new TestRecord<>("late", started("late", "e1", late), null, late));
    return violations.readValuesToList();
  }

  // ---- helpers

  private byte[][] rec(String key, AgentEvent e) {
    return new byte[][] {key.getBytes(StandardCharsets.UTF_8), eventSerde.serialize(TOPICS.events(), e)};
  }

  private static byte[] withByte(byte[] frame, String marker, byte replacement) {
    byte[] m = marker.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + m.length <= frame.length; i++) {
      boolean hit = true;
      for (int j = 0; j < m.length; j++) {
        hit &= frame[i + j] == m[j];
      }
      if (hit) {
        byte[] out = frame.clone();
        out[i + m.length - 1] = replacement;
        return out;
      }
    }
    throw new AssertionError("marker " + marker + " not in the frame");
  }

  private byte[] serialize(AgentEvent event) {
    return eventSerde.serialize(TOPICS.events(), event);
  }

  private static AgentEvent issued() {
    return EventMapper.toAvro(EventJsonCodec.decode(
        AuditTestData.line("s1", "e2", "agent:a", T0.plusSeconds(1), "CREDENTIAL_ISSUED",
            "\"credential\":{\"credentialId\":\"c1\",\"subjectAgentId\":\"agent:a\","
                + "\"scopes\":[\"read:repo/acme/api\"],\"kind\":\"SHORT_LIVED_TOKEN\","
                + "\"ttlSeconds\":60,\"storage\":\"MEMORY\"}")));
  }

  private static AgentEvent event(String json) {
    return EventMapper.toAvro(EventJsonCodec.decode(json));
  }

  private static AgentEvent started(String sessionId, String eventId) {
    return started(sessionId, eventId, T0);
  }

  private static AgentEvent started(String sessionId, String eventId, Instant at) {
    return event(
        AuditTestData.line(sessionId, eventId, "agent:a", at, "SESSION_STARTED",
            "\"session\":{\"initiator\":\"user:bob\",\"grantedScopes\":[\"read:repo/acme/**\"]}"));
  }

  private static AgentEvent ended(String sessionId, String eventId, int seconds) {
    return event(
        AuditTestData.line(sessionId, eventId, "agent:a", T0.plusSeconds(seconds), "SESSION_ENDED", null));
  }

  private DeadLetter readDeadLetter() {
    TestRecord<byte[], byte[]> record = deadLetters.readRecord();
    return DeadLetter.fromRecord(
        new ConsumerRecord<>(TOPICS.deadLetters(), 0, 0L, record.timestamp(), TimestampType.CREATE_TIME,
            -1, -1, record.key(), record.value(), record.headers(), java.util.Optional.empty()));
  }
}
