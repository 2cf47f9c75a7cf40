package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.schema.CredentialKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Pins the shape of the production topology: node names, the store name (hence its changelog topic)
 * and the topics. A rename here orphans the changelog of every deployed instance, so it must be a
 * visible change of {@code streams/auditor-topology.txt}, never an accident.
 */
class AuditorTopologyDescriptionTest {

  private static final String EXPECTED = "streams/auditor-topology.txt";
  private static final TopicNames DEFAULT_TOPICS =
      new TopicNames(
          "agent-events",
          "agent-decisions",
          "agent-violations",
          "agent-credentials",
          "agent-dead-letters");
  private static final String EXPECTED_WITH_SHADOW = "streams/auditor-shadow-topology.txt";

  @Test
  void shouldDescribeTheCommittedTopology() throws IOException {
    // Given the production builder with the default topic names
    TopologyDescription description =
        AuditorTopology.build(
                DEFAULT_TOPICS,
                Map.of("schema.registry.url", "mock://description"),
                AuditTestData.defaultPolicy())
            .describe();

    // When / Then
    assertThat(description.toString()).isEqualTo(expected(EXPECTED));
  }

  @Test
  void shouldDescribeTheCommittedTopologyWithAShadowBundle() throws IOException {
    // Given the production builder with the default topic names and a shadow bundle
    TopologyDescription description =
        AuditorTopology.build(
                DEFAULT_TOPICS,
                Map.of("schema.registry.url", "mock://description"),
                AuditTestData.defaultPolicy(),
                16,
                DecisionListener.NONE,
                new ShadowBundle(
                    AuditTestData.defaultPolicy(),
                    "agent-shadow-decisions",
                    "agent-shadow-disagreements"))
            .describe();

    // When / Then: the live part as without it, the shadow below the audit processor
    assertThat(description.toString()).isEqualTo(expected(EXPECTED_WITH_SHADOW));
  }

  @Test
  void shouldKeyTheCredentialLedgerByAnAvroRecordOfSessionAndCredentialRegisteredAsAKey() {
    // Given the topics as the production builder declares them, on an in-memory registry
    String registry = "description-" + java.util.UUID.randomUUID();
    AuditorTopics topics =
        AuditorTopics.of(
            AuditTestData.topicNames("description"), Map.of("schema.registry.url", "mock://" + registry));
    Topic<CredentialKey, ?> ledger = topics.credentials();
    CredentialKey key = new CredentialKey("s1", "k1");

    // When a key is written and read back
    byte[] bytes = ledger.keySerde().serializer().serialize(ledger.name(), key);
    CredentialKey back = ledger.keySerde().deserializer().deserialize(ledger.name(), bytes);

    // Then it is the pair (contract 9.5), under the topic's key subject, and the other topics keep
    // their sessionId string keys
    try {
      assertThat(back).isEqualTo(key);
      assertThat(InMemorySchemaRegistry.named(registry).subjects())
          .containsExactly(ledger.name() + "-key");
      assertThat(
              topics.decisions().keySerde().serializer().serialize(topics.decisions().name(), "s1"))
          .isEqualTo("s1".getBytes(StandardCharsets.UTF_8));
    } finally {
      InMemorySchemaRegistry.drop(registry);
    }
  }

  private static String expected(String resource) throws IOException {
    try (InputStream in =
        AuditorTopologyDescriptionTest.class.getClassLoader().getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
