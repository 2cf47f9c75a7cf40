package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.Verdict;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.testing.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./auditor run}'s wiring on a real broker: the production topology started by {@link
 * AuditorApp}, health following Streams, decisions out, the auditor's meters on {@code /metrics},
 * and a clean shutdown.
 */
class AuditorAppIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  static final AuditorApp.TopologyFactory TOPOLOGY = AuditorTopology::build;

  private static final String START =
      "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";
  private static final String READ =
      "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:01Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";
  private static final String WRITE =
      "{\"eventId\":\"e3\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:02Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/api\",\"content\":\"x\"}}}";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldServeHealthDecideEventsCountThemOnMetricsAndStopCleanly(@TempDir Path stateDir)
      throws Exception {
    // Given
    String prefix = KafkaBroker.uniqueName("app");
    AuditorConfig config = config(prefix, stateDir);
    Policy policy = PolicyBundleLoader.load(Path.of("../policies"));

    // When the auditor starts
    AuditorApp app = AuditorApp.start(config, policy, TOPOLOGY);
    List<Decision> decisions = new ArrayList<>();
    try {
      URI health = app.operationsUri().resolve("/health");
      await().atMost(Duration.ofSeconds(90)).until(() -> get(health).statusCode() == 200);
      assertThat(get(health).body()).contains("\"status\":\"UP\"");

      // ... and three events and one undecodable record arrive
      produce(config, prefix);

      // Then three decisions come out, in order
      try (KafkaConsumer<byte[], byte[]> consumer = consumer();
          AvroSerde<Decision> serde = AvroSerde.of(Decision.class, config.serdeConfig(), false)) {
        consumer.subscribe(List.of(config.topics().decisions()));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            decisions.add(serde.deserialize(r.topic(), r.value()));
          }
          return decisions.size() >= 3;
        });
      }
      assertThat(decisions).extracting(Decision::getEventId).containsExactly("e1", "e2", "e3");
      assertThat(decisions)
          .extracting(Decision::getVerdict)
          .containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.BLOCK);

      // ... and /metrics counts them, with the dead letter, the latency and Streams' own metrics
      URI metrics = app.operationsUri().resolve("/metrics");
      String events = config.topics().events();
      String out = config.topics().decisions();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(metrics).body())
          .contains("auditor_decisions_total{trigger=\"event\",verdict=\"ALLOW\"} 2.0")
          .contains("auditor_decisions_total{trigger=\"event\",verdict=\"BLOCK\"} 1.0")
          .contains("auditor_records_out_total{topic=\"" + out + "\"} 3.0")
          // the BLOCK's finding and the dead letter's invalid-event finding (contract 9.4)
          .contains("auditor_records_out_total{topic=\"" + config.topics().violations() + "\"} 2.0")
          .contains("auditor_dead_letters_total{reason=\"avro_serialization\"} 1.0")
          .contains("auditor_decision_latency_seconds_count 3")
          .contains("auditor_decision_latency_seconds_bucket{le=")
          .contains("auditor_records_in_total{topic=\"" + events + "\"} 4.0")
          .containsPattern("auditor_state_store_keys\\{task=\"0_[01]\"} [1-9]")
          .contains("kafka_stream_"));
    } finally {
      // Then it stops cleanly
      assertThat(app.close(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(app.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    assertThat(app.awaitTermination()).isEqualTo(AuditorApp.EXIT_OK);
  }

  private static AuditorConfig config(String prefix, Path stateDir) {
    return ItConfigs.config(KAFKA, prefix, stateDir, 2, Map.of());
  }


  private static void produce(AuditorConfig config, String prefix) {
    String topic = config.topics().events();
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all");
    try (AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, config.serdeConfig(), false);
        KafkaProducer<String, AgentEvent> events =
            new KafkaProducer<>(props, new StringSerializer(), serde);
        KafkaProducer<byte[], byte[]> raw =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String line : List.of(START, READ, WRITE)) {
        events.send(new ProducerRecord<>(topic, "s1", EventMapper.toAvro(EventJsonCodec.decode(line))));
      }
      events.flush();
      raw.send(new ProducerRecord<>(topic, "s1".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8)));
      raw.flush();
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer() {
    return ItConfigs.committedReader(KAFKA);
  }


  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
