package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

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

  @Test
  void shouldDescribeTheCommittedTopology() throws IOException {
    // Given the production builder with the default topic names
    TopologyDescription description =
        AuditorTopology.build(
                new TopicNames(
                    "agent-events",
                    "agent-decisions",
                    "agent-violations",
                    "agent-credentials",
                    "agent-dead-letters"),
                Map.of("schema.registry.url", "mock://description"),
                AuditTestData.defaultPolicy())
            .describe();

    // When / Then
    assertThat(description.toString()).isEqualTo(expected());
  }

  private static String expected() throws IOException {
    try (InputStream in =
        AuditorTopologyDescriptionTest.class.getClassLoader().getResourceAsStream(EXPECTED)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
