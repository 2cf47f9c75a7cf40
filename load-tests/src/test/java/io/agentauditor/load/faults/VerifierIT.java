package io.agentauditor.load.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.load.SessionGenerator;
import io.agentauditor.load.Workload;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.replay.Replayer;
import io.agentauditor.schema.AgentEvent;
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
 * another written twice (one lost, one duplicated, and the partition's sequence no longer replay's).
 */
class VerifierIT {

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
    for (String topic : List.of(topics.events(), topics.decisions(), topics.deadLetters())) {
      kafka.createTopic(topic, 1, Map.of("retention.ms", "-1"));
    }
    return topics;
  }

  /** Writes 30 generated events and one undecodable record; returns the decisions replay gives. */
  private List<Decision> writeInput(TopicNames topics, KafkaProducer<byte[], byte[]> producer,
      AvroSerde<AgentEvent> serde) throws Exception {
    List<AgentEvent> events = SessionGenerator.smallArguments(3).take(30);
    StringBuilder lines = new StringBuilder();
    for (AgentEvent event : events) {
      producer.send(new ProducerRecord<>(topics.events(), null, event.getOccurredAt().toEpochMilli(),
          event.getSessionId().getBytes(StandardCharsets.UTF_8), serde.serialize(topics.events(), event))).get();
      lines.append(EventJsonCodec.encode(EventMapper.toStep(event))).append('\n');
    }
    RecordMetadata garbage =
        producer.send(new ProducerRecord<>(topics.events(), "s".getBytes(StandardCharsets.UTF_8), new byte[] {9, 9}))
            .get();
    producer.send(DeadLetter.invalidInput("not Avro", "io.agentauditor.serde.AvroSerializationException",
        topics.events(), 0, garbage.offset(), garbage.timestamp(), "s".getBytes(StandardCharsets.UTF_8),
        new byte[] {9, 9}).toProducerRecord(topics.deadLetters(), List.of())).get();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Replayer(new AuditEngine(Workload.defaultPolicy()))
        .run(new ByteArrayInputStream(lines.toString().getBytes(StandardCharsets.UTF_8)), out,
            new InMemoryStateStore(), (line, reason) -> {
              throw new AssertionError(reason);
            });
    List<Decision> decisions = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      decisions.add(DecisionMapper.toAvro(DecisionJsonCodec.decode(line)));
    }
    return decisions;
  }

  private Verifier.Result verifyWith(boolean spoil) throws Exception {
    TopicNames topics = topics();
    Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url());
    try (AvroSerde<AgentEvent> events = AvroSerde.of(AgentEvent.class, serdeConfig, false);
        AvroSerde<Decision> decisions = AvroSerde.of(Decision.class, serdeConfig, false);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Decision> expected = writeInput(topics, producer, events);
      List<Decision> written = new ArrayList<>(expected);
      if (spoil) {
        written.remove(5);
        written.add(12, written.get(11));
      }
      for (Decision decision : written) {
        producer.send(new ProducerRecord<>(topics.decisions(), decision.getSessionId().getBytes(StandardCharsets.UTF_8),
            decisions.serialize(topics.decisions(), decision))).get();
      }
    }
    return new Verifier(kafka.bootstrapServers(), serdeConfig, topics, work, Path.of("../policies").toAbsolutePath())
        .verify();
  }

  @Test
  void shouldReportNothingWhenTheTopicsHoldWhatReplayDecides() throws Exception {
    // Given outputs exactly as replay decides; When verified
    Verifier.Result result = verifyWith(false);

    // Then
    assertThat(result.inputs()).isEqualTo(31);
    assertThat(result.deadLetters()).isEqualTo(1);
    assertThat(result.ok()).as(Verifier.describe(result) + result.examples()).isTrue();
  }

  @Test
  void shouldReportALostAndADuplicatedDecision() throws Exception {
    // Given one decision missing and another written twice; When verified
    Verifier.Result result = verifyWith(true);

    // Then
    assertThat(result.lost()).isEqualTo(1);
    assertThat(result.duplicated()).isEqualTo(1);
    assertThat(result.mismatched()).isPositive();
    assertThat(result.ok()).isFalse();
  }
}
