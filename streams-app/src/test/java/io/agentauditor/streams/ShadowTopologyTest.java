package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.replay.ReplayRuns;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.CredentialKey;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shadow bundle in the production topology (contract section 12), on {@link
 * TopologyTestDriver}: a rule changed in the shadow bundle is caught on live traffic, the live
 * outputs stay those of the live bundle alone, and a shadow that fails changes none of them.
 */
class ShadowTopologyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TopicNames TOPICS = AuditTestData.topicNames("shadow-ttd");
  private static final String SHADOW_DECISIONS = "shadow-ttd-shadow-decisions";
  private static final String DISAGREEMENTS = "shadow-ttd-disagreements";

  @TempDir Path tmp;

  private TopologyTestDriver driver;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void shouldCatchARuleChangedInTheShadowBundleAndLeaveTheLiveDecisionsAsTheyAre() throws IOException {
    // Given the live default bundle, and a shadow copy where approval-required only flags
    Policy shadow = approvalOnlyFlags();
    String registry = "mock://shadow-ttd-" + UUID.randomUUID();
    Map<String, Object> serdeConfig = start(registry, shadow, Map.of());
    List<String> lines = AuditTestData.demoScenario();

    // When the demo scenario goes through the topology
    pipe(serdeConfig, lines);

    // Then the live decisions are those of the live bundle alone
    List<String> live =
        decisions(serdeConfig, TOPICS.decisions()).stream().map(AuditTestData::json).toList();
    assertThat(live).containsExactlyElementsOf(AuditTestData.replay(lines));
    // and the shadow's are those of a replay with the shadow bundle, from its own chain state
    List<String> shadowDecisions =
        decisions(serdeConfig, SHADOW_DECISIONS).stream().map(AuditTestData::json).toList();
    assertThat(shadowDecisions).hasSameSizeAs(live).isNotEqualTo(live);
    assertThat(shadowDecisions)
        .containsExactlyElementsOf(ReplayRuns.decisions(shadow, ReplayRuns.input(lines)));
    assertThat(entries(AuditorTopology.SHADOW_CHAIN_STATE_STORE)).isPositive();
    // and the disagreements are exactly diff's lines for the two bundles, keyed by session
    TestOutputTopic<String, byte[]> disagreements =
        driver.createOutputTopic(DISAGREEMENTS, new StringDeserializer(), new ByteArrayDeserializer());
    List<KeyValue<String, byte[]>> caught = disagreements.readKeyValuesToList();
    List<String> expected =
        ReplayRuns.differences(AuditTestData.defaultPolicy(), shadow, ReplayRuns.input(lines));
    assertThat(caught).isNotEmpty();
    assertThat(caught).extracting(kv -> kv.key).containsOnly(AuditTestData.DEMO_SESSION);
    assertThat(caught)
        .extracting(kv -> new String(kv.value, StandardCharsets.UTF_8))
        .containsExactlyElementsOf(expected);
    JsonNode first = JSON.readTree(caught.get(0).value);
    assertThat(first.get("base").asText()).isEqualTo("BLOCK");
    assertThat(first.get("candidate").asText()).isEqualTo("FLAG");
    assertThat(failures()).isZero();
  }

  @Test
  void shouldKeepEveryLiveOutputWhenTheShadowFailsOnEveryEvent() {
    // Given a registry that knows the live topics' schemas but refuses to register the shadow's
    Policy shadow = approvalOnlyFlags();
    String name = "shadow-ttd-" + UUID.randomUUID();
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.named(name);
    registry.register(TOPICS.events() + "-value", AgentEvent.getClassSchema());
    registry.register(TOPICS.decisions() + "-value", Decision.getClassSchema());
    registry.register(TOPICS.credentials() + "-key", CredentialKey.getClassSchema());
    registry.register(TOPICS.credentials() + "-value", CredentialState.getClassSchema());
    Map<String, Object> serdeConfig =
        start("mock://" + name, shadow, Map.of(AuditorConfig.AUTO_REGISTER_SCHEMAS, "false"));
    List<String> lines = AuditTestData.demoScenario();

    // When
    pipe(serdeConfig, lines);

    // Then the live decisions are all there, no dead letter, and each shadow failure is counted
    List<String> live =
        decisions(serdeConfig, TOPICS.decisions()).stream().map(AuditTestData::json).toList();
    assertThat(live).containsExactlyElementsOf(AuditTestData.replay(lines));
    assertThat(
            driver
                .createOutputTopic(
                    TOPICS.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .isEmpty())
        .isTrue();
    assertThat(
            driver
                .createOutputTopic(
                    SHADOW_DECISIONS, new StringDeserializer(), new ByteArrayDeserializer())
                .isEmpty())
        .isTrue();
    assertThat(failures()).isEqualTo(lines.size());
  }

  private Map<String, Object> start(String registry, Policy shadow, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", "unused:9092");
    settings.put("schema.registry.url", registry);
    settings.put("state.dir", tmp.resolve("state").toString());
    settings.put("topics.events", TOPICS.events());
    settings.put("topics.decisions", TOPICS.decisions());
    settings.put("topics.violations", TOPICS.violations());
    settings.put("topics.credentials", TOPICS.credentials());
    settings.put("topics.dead.letters", TOPICS.deadLetters());
    settings.putAll(extra);
    AuditorConfig config = AuditorConfig.fromMap(settings, Map.of());
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    Map<String, Object> serdeConfig = config.serdeConfig();
    driver =
        new TopologyTestDriver(
            AuditorTopology.build(
                config.topics(),
                serdeConfig,
                AuditTestData.defaultPolicy(),
                16,
                DecisionListener.NONE,
                new ShadowBundle(shadow, SHADOW_DECISIONS, DISAGREEMENTS)),
            props);
    return serdeConfig;
  }

  private Policy approvalOnlyFlags() {
    Path dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("shadow-bundle"));
    String rules = TestBundles.read(dir, "rules.yaml");
    String changed =
        rules.replace(
            "  - id: approval-required\n    action: BLOCK\n",
            "  - id: approval-required\n    action: FLAG\n");
    assertThat(changed).isNotEqualTo(rules);
    TestBundles.write(dir, "rules.yaml", changed);
    return PolicyBundleLoader.load(dir);
  }

  private void pipe(Map<String, Object> serdeConfig, List<String> lines) {
    // The input's own serde registers its schema whatever the auditor's serdes may do.
    Map<String, Object> producer = new HashMap<>(serdeConfig);
    producer.put(AuditorConfig.AUTO_REGISTER_SCHEMAS, true);
    TestInputTopic<String, AgentEvent> events =
        driver.createInputTopic(
            TOPICS.events(), new StringSerializer(), AvroSerde.of(AgentEvent.class, producer, false));
    for (AgentEvent e : AuditTestData.decode(lines)) {
      events.pipeInput(e.getSessionId(), e);
    }
  }

  private List<Decision> decisions(Map<String, Object> serdeConfig, String topic) {
    return driver
        .createOutputTopic(
            topic, new StringDeserializer(), AvroSerde.of(Decision.class, serdeConfig, false))
        .readValuesToList();
  }

  private long entries(String store) {
    KeyValueStore<Bytes, byte[]> kv = driver.getKeyValueStore(store);
    long n = 0;
    try (KeyValueIterator<Bytes, byte[]> it = kv.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  private double failures() {
    return driver.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(ShadowProcessor.FAILURES))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }
}
