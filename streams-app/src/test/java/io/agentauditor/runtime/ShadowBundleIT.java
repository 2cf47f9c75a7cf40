package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.replay.ReplayRuns;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.testing.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shadow bundle on a real broker (contract section 12), through {@link AuditorApp} as {@code
 * ./auditor run} starts it with {@code shadow.policies}: a rule disabled in the shadow bundle is
 * caught on live traffic, in the disagreements topic in {@code diff}'s line format and on {@code
 * /metrics}, while the live decisions stay the live bundle's.
 */
class ShadowBundleIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldCatchARuleDisabledInTheShadowBundleOnLiveTraffic(@TempDir Path tmp) throws Exception {
    // Given the live default bundle and a shadow copy with credential-reuse disabled
    Path shadowDir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("shadow"));
    String rules = TestBundles.read(shadowDir, "rules.yaml");
    String changed =
        rules.replace(
            "  - id: credential-reuse\n", "  - id: credential-reuse\n    enabled: false\n");
    assertThat(changed).isNotEqualTo(rules);
    TestBundles.write(shadowDir, "rules.yaml", changed);
    Policy live = PolicyBundleLoader.load(TestBundles.defaultBundle());
    Policy shadow = PolicyBundleLoader.load(shadowDir);
    String prefix = KafkaBroker.uniqueName("shadow");
    AuditorConfig config =
        ItConfigs.config(
            KAFKA,
            prefix,
            tmp.resolve("state"),
            2,
            Map.of(
                AuditorConfig.SHADOW_POLICIES, shadowDir.toString(),
                AuditorConfig.TOPIC_SHADOW_DECISIONS, prefix + "-shadow-decisions",
                AuditorConfig.TOPIC_SHADOW_DISAGREEMENTS, prefix + "-disagreements"));
    byte[] scenario = scenario();
    List<String> expected = ReplayRuns.differences(live, shadow, scenario);
    assertThat(expected).isNotEmpty();

    // When the auditor runs with the shadow and the demo scenario arrives
    AuditorApp app = AuditorApp.start(config, live, shadow, AuditorTopology::build);
    try {
      produce(config, scenario);

      // Then the disagreements topic holds exactly diff's lines, in order
      List<String> caught = new ArrayList<>();
      List<Decision> liveDecisions = new ArrayList<>();
      List<Decision> shadowDecisions = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = ItConfigs.committedReader(KAFKA);
          AvroSerde<Decision> serde = AvroSerde.of(Decision.class, config.serdeConfig(), false)) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic :
            List.of(
                config.shadowDisagreementsTopic(),
                config.topics().decisions(),
                config.shadowDecisionsTopic())) {
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .forEach(partitions::add);
        }
        // Assigned, not subscribed: the reading waits on no group coordination
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        try {
          await()
              .atMost(Duration.ofMinutes(3))
              .until(
                  () -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                      if (r.topic().equals(config.shadowDisagreementsTopic())) {
                        caught.add(new String(r.value(), StandardCharsets.UTF_8));
                      } else if (r.topic().equals(config.shadowDecisionsTopic())) {
                        shadowDecisions.add(serde.deserialize(r.topic(), r.value()));
                      } else {
                        liveDecisions.add(serde.deserialize(r.topic(), r.value()));
                      }
                    }
                    return caught.size() >= expected.size()
                        && liveDecisions.size() >= 17
                        && shadowDecisions.size() >= 17;
                  });
        } catch (ConditionTimeoutException e) {
          throw new AssertionError(
              String.format(
                  "%d of %d disagreements, %d of 17 live and %d of 17 shadow decisions arrived;"
                      + " Streams %s; /metrics on the shadow: %s",
                  caught.size(),
                  expected.size(),
                  liveDecisions.size(),
                  shadowDecisions.size(),
                  app.state(),
                  get(app.operationsUri().resolve("/metrics")).body().lines()
                      .filter(line -> line.contains("shadow"))
                      .toList()),
              e);
        }
      }
      assertThat(caught).containsExactlyElementsOf(expected);
      // ... the live decisions are the live bundle's: e11 is still blocked for credential-reuse
      Decision e11 =
          liveDecisions.stream().filter(d -> d.getEventId().equals("e11")).findFirst().orElseThrow();
      assertThat(e11.getVerdict().name()).isEqualTo("BLOCK");
      assertThat(e11.getFindings()).extracting(f -> f.getRuleId()).contains("credential-reuse");
      assertThat(shadowDecisions.get(0).getPolicy()).isEqualTo(shadow.identity());

      // ... and /metrics counts the disagreements by transition and by rule
      URI metrics = app.operationsUri().resolve("/metrics");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(get(metrics).body())
                      .contains("auditor_shadow_disagreements_total{transition=\"BLOCK->ALLOW\"} 1.0")
                      .contains(
                          "auditor_shadow_disagreement_rules_total{change=\"removed\",rule=\"credential-reuse\"} 1.0"));
    } finally {
      assertThat(app.close(Duration.ofSeconds(30))).isTrue();
    }
  }

  private static byte[] scenario() throws IOException {
    try (InputStream in =
        ShadowBundleIT.class.getClassLoader().getResourceAsStream("scenarios/demo-session.jsonl")) {
      return in.readAllBytes();
    }
  }

  private static void produce(AuditorConfig config, byte[] scenario) {
    // As ./auditor produce sends: idempotent, one request in flight. With five, the events topic
    // just created, the first batch was once refused NOT_LEADER_OR_FOLLOWER, overtaken by the
    // second, then refused as out of order (0 against an end sequence of 16) until it expired
    // (KAFKA-14359, docs/RELIABILITY.md).
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, config.serdeConfig(), false);
        KafkaProducer<String, AgentEvent> events =
            new KafkaProducer<>(props, new StringSerializer(), serde)) {
      for (String line : new String(scenario, StandardCharsets.UTF_8).lines().toList()) {
        if (!line.isBlank()) {
          AgentEvent event = EventMapper.toAvro(EventJsonCodec.decode(line));
          events.send(new ProducerRecord<>(config.topics().events(), event.getSessionId(), event));
        }
      }
      events.flush();
    }
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
