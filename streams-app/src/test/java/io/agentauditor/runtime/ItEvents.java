package io.agentauditor.runtime;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.testing.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Input records and decision reading for the runtime's integration tests. */
final class ItEvents {

  private ItEvents() {}

  /** The 17 lines of the demo scenario: one session, every kind of step, 5 violating steps. */
  static List<String> demoScenario() {
    try (InputStream in =
        ItEvents.class.getClassLoader().getResourceAsStream("scenarios/demo-session.jsonl")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Avro encoding of the event in JSON {@code line}, as the auditor's serde writes it. */
  static byte[] avro(AuditorConfig config, String line) {
    try (AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, config.serdeConfig(), false)) {
      return serde.serialize(
          config.topics().events(), EventMapper.toAvro(EventJsonCodec.decode(line)));
    }
  }

  /** Sends {@code records} (key, value) to the events topic, in order, and waits for the acks. */
  static void produce(KafkaBroker kafka, AuditorConfig config, List<Map.Entry<String, byte[]>> records) {
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Map.Entry<String, byte[]> record : records) {
        producer.send(
            new ProducerRecord<>(
                config.topics().events(),
                record.getKey().getBytes(StandardCharsets.UTF_8),
                record.getValue()));
      }
      producer.flush();
    }
  }

  /** Reads committed decisions until {@code count} have come, or fails after {@code timeout}. */
  static List<Decision> awaitDecisions(
      KafkaBroker kafka, AuditorConfig config, int count, Duration timeout) {
    List<Decision> decisions = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = ItConfigs.committedReader(kafka);
        AvroSerde<Decision> serde = AvroSerde.of(Decision.class, config.serdeConfig(), false)) {
      consumer.subscribe(List.of(config.topics().decisions()));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (decisions.size() < count) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "only " + decisions.size() + " of " + count + " decisions within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          decisions.add(serde.deserialize(r.topic(), r.value()));
        }
      }
      // Anything more than expected is a duplicate: one more poll shows it.
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        decisions.add(serde.deserialize(r.topic(), r.value()));
      }
    }
    return decisions;
  }
}
