package io.agentauditor.load.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.avro.CredentialStateMapper;
import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.load.SessionGenerator;
import io.agentauditor.load.Workload;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.replay.JsonLinesSource;
import io.agentauditor.replay.ReplayListener;
import io.agentauditor.replay.ReplayOutputs;
import io.agentauditor.replay.Replayer;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.CredentialKey;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.DeadLetter;
import io.agentauditor.streams.TopicNames;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier of the fault-injection run finds what it must: outputs written by hand to a real
 * broker, once as replay decides them (nothing to report), once with one decision missing and
 * another written twice (one lost, one duplicated, and the partition's sequence no longer replay's),
 * once with one violation changed, once with a wrong last entry of a credential in the ledger.
 */
class VerifierIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static EmbeddedKafkaCluster kafka;
  private static RegistryServer registry;

  @TempDir Path work;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafkaCluster.start();
    registry = new RegistryServer();
  }

  @AfterAll
  static void stopBroker() {
    registry.close();
    kafka.close();
  }

  private TopicNames topics() {
    String p = "verifier-" + UUID.randomUUID();
    TopicNames topics = new TopicNames(p + "-events", p + "-decisions", p + "-violations", p + "-credentials",
        p + "-dead-letters");
    for (String topic : List.of(topics.events(), topics.decisions(), topics.violations(), topics.credentials(),
        topics.deadLetters())) {
      kafka.createTopic(topic, 1, Map.of("retention.ms", "-1"));
    }
    return topics;
  }

  /** How the outputs are spoiled before they are written. */
  private enum Spoil { NONE, DECISIONS, VIOLATION, LEDGER }

  /** What replay gives for the input: decisions, violations, and each ledger change as key and value. */
  private record Outputs(List<Decision> decisions, List<String> violations, List<CredentialKey> ledgerKeys,
      List<CredentialState> ledgerValues) {}

  /**
   * Writes 800 generated events, two sessions at a time (so that sessions grow, end, and some
   * break a rule), and one undecodable record (its dead letter and invalid-event finding); returns
   * what replay gives.
   */
  private Outputs writeInput(TopicNames topics, KafkaProducer<byte[], byte[]> producer,
      AvroSerde<AgentEvent> serde) throws Exception {
    List<AgentEvent> events = new SessionGenerator(3, 2, 50, 200, 20, 60).take(800);
    StringBuilder lines = new StringBuilder();
    for (AgentEvent event : events) {
      producer.send(new ProducerRecord<>(topics.events(), null, event.getOccurredAt().toEpochMilli(),
          event.getSessionId().getBytes(StandardCharsets.UTF_8), serde.serialize(topics.events(), event)));
      lines.append(EventJsonCodec.encode(EventMapper.toStep(event))).append('\n');
    }
    RecordMetadata garbage =
        producer.send(new ProducerRecord<>(topics.events(), "s".getBytes(StandardCharsets.UTF_8), new byte[] {9, 9}))
            .get();
    String error = "io.agentauditor.serde.AvroSerializationException";
    producer.send(DeadLetter.invalidInput("not Avro", error, topics.events(), 0, garbage.offset(), garbage.timestamp(),
        "s".getBytes(StandardCharsets.UTF_8), new byte[] {9, 9}).toProducerRecord(topics.deadLetters(), List.of()))
        .get();
    producer.send(new ProducerRecord<>(topics.violations(), "s".getBytes(StandardCharsets.UTF_8),
        OcsfDetectionFindings.withInstalledVersion().invalidEvent("not Avro", error, topics.events(), 0,
            garbage.offset(), garbage.timestamp()).getBytes(StandardCharsets.UTF_8))).get();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream violations = new ByteArrayOutputStream();
    List<CredentialKey> ledgerKeys = new ArrayList<>();
    List<CredentialState> ledgerValues = new ArrayList<>();
    ReplayListener ledger = new ReplayListener() {
      @Override
      public void decided(StepResult result) {
        for (CredentialChange change : result.credentialChanges()) {
          ledgerKeys.add(new CredentialKey(change.sessionId(), change.credentialId()));
          ledgerValues.add(CredentialStateMapper.toAvro(change));
        }
      }
    };
    new Replayer(new AuditEngine(Workload.defaultPolicy()))
        .run(new JsonLinesSource(new ByteArrayInputStream(lines.toString().getBytes(StandardCharsets.UTF_8))), out,
            new InMemoryStateStore(), (line, reason) -> {
              throw new AssertionError(reason);
            }, ReplayListener.both(new ReplayOutputs(violations, null), ledger));
    List<Decision> decisions = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      decisions.add(DecisionMapper.toAvro(DecisionJsonCodec.decode(line)));
    }
    return new Outputs(decisions, List.of(violations.toString(StandardCharsets.UTF_8).split("\n")), ledgerKeys,
        ledgerValues);
  }

  private Verifier.Result verifyWith(Spoil spoil) throws Exception {
    TopicNames topics = topics();
    Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url());
    try (AvroSerde<AgentEvent> events = AvroSerde.of(AgentEvent.class, serdeConfig, false);
        AvroSerde<Decision> decisions = AvroSerde.of(Decision.class, serdeConfig, false);
        AvroSerde<CredentialKey> credentialKeys = AvroSerde.of(CredentialKey.class, serdeConfig, true);
        AvroSerde<CredentialState> credentials = AvroSerde.of(CredentialState.class, serdeConfig, false);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      Outputs expected = writeInput(topics, producer, events);
      assertThat(expected.violations()).as("violations to compare").hasSizeGreaterThan(2);
      assertThat(expected.ledgerKeys()).as("ledger changes to compare").hasSizeGreaterThan(2);
      List<Decision> written = new ArrayList<>(expected.decisions());
      List<String> violations = new ArrayList<>(expected.violations());
      List<CredentialKey> ledgerKeys = new ArrayList<>(expected.ledgerKeys());
      List<CredentialState> ledgerValues = new ArrayList<>(expected.ledgerValues());
      switch (spoil) {
        case DECISIONS -> {
          written.remove(5);
          written.add(12, written.get(11));
        }
        case VIOLATION -> {
          ObjectNode changed = (ObjectNode) JSON.readTree(violations.get(1));
          violations.set(1, JSON.writeValueAsString(changed.put("message", changed.path("message").asText() + ".")));
        }
        case LEDGER -> {
          // The last entry of the first credential, again, with one use more than replay counts.
          int last = ledgerKeys.lastIndexOf(ledgerKeys.get(0));
          CredentialState wrong = CredentialState.newBuilder(ledgerValues.get(last))
              .setUseCount(ledgerValues.get(last).getUseCount() + 1).build();
          ledgerKeys.add(last + 1, ledgerKeys.get(last));
          ledgerValues.add(last + 1, wrong);
        }
        case NONE -> { }
      }
      for (Decision decision : written) {
        producer.send(new ProducerRecord<>(topics.decisions(), decision.getSessionId().getBytes(StandardCharsets.UTF_8),
            decisions.serialize(topics.decisions(), decision)));
      }
      for (String violation : violations) {
        String session = JSON.readTree(violation).at("/actor/session/uid").asText();
        producer.send(new ProducerRecord<>(topics.violations(), session.getBytes(StandardCharsets.UTF_8),
            violation.getBytes(StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < ledgerKeys.size(); i++) {
        producer.send(new ProducerRecord<>(topics.credentials(),
            credentialKeys.serialize(topics.credentials(), ledgerKeys.get(i)),
            credentials.serialize(topics.credentials(), ledgerValues.get(i))));
      }
      producer.flush();
    }
    return new Verifier(kafka.bootstrapServers(), serdeConfig, topics, work, Path.of("../policies").toAbsolutePath())
        .verify();
  }

  @Test
  void shouldReportNothingWhenTheTopicsHoldWhatReplayDecides() throws Exception {
    // Given outputs exactly as replay decides; When verified
    Verifier.Result result = verifyWith(Spoil.NONE);

    // Then
    assertThat(result.inputs()).isEqualTo(801);
    assertThat(result.deadLetters()).isEqualTo(1);
    assertThat(result.violations()).isGreaterThan(3);
    assertThat(result.ledgerKeys()).isPositive();
    assertThat(result.ok()).as(Verifier.describe(result) + result.examples()).isTrue();
  }

  @Test
  void shouldReportALostAndADuplicatedDecision() throws Exception {
    // Given one decision missing and another written twice; When verified
    Verifier.Result result = verifyWith(Spoil.DECISIONS);

    // Then
    assertThat(result.lost()).isEqualTo(1);
    assertThat(result.duplicated()).isEqualTo(1);
    assertThat(result.mismatched()).isPositive();
    assertThat(result.ok()).isFalse();
  }

  @Test
  void shouldReportAViolationThatIsNotReplays() throws Exception {
    // Given one violation whose message differs from replay's by a character; When verified
    Verifier.Result result = verifyWith(Spoil.VIOLATION);

    // Then only that violation is reported
    assertThat(result.violationsMismatched()).as(Verifier.describe(result)).isEqualTo(1);
    assertThat(result.lost() + result.duplicated() + result.mismatched() + result.ledgerMismatched()).isZero();
    assertThat(result.ok()).isFalse();
  }

  @Test
  void shouldReportAWrongLastEntryOfTheCredentialLedger() throws Exception {
    // Given a credential whose last ledger record counts one use more than replay; When verified
    Verifier.Result result = verifyWith(Spoil.LEDGER);

    // Then only that credential is reported
    assertThat(result.ledgerMismatched()).as(Verifier.describe(result)).isEqualTo(1);
    assertThat(result.lost() + result.duplicated() + result.mismatched() + result.violationsMismatched()).isZero();
    assertThat(result.ok()).isFalse();
  }
}
