package io.agentauditor.streams;

import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.CredentialKey;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.serde.StrictStringSerde;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The auditor's Kafka topics with their serdes (contract sections 2 and 9), the one place they are
 * declared. Keys are plain UTF-8 strings but the credential ledger's; Avro keys and values are in
 * the Confluent wire format through {@link AvroSerde} with the given serde configuration (registry
 * URL, auto-registration...).
 *
 * <ul>
 *   <li>{@code events}: key sessionId, value Avro {@code AgentEvent} (the topology reads it through
 *       a validating deserializer);
 *   <li>{@code decisions}: key sessionId, value Avro {@code Decision};
 *   <li>{@code violations}: key sessionId, value an OCSF Detection Finding as a JSON string;
 *   <li>{@code credentials} (compacted): key Avro {@code CredentialKey} ({@code sessionId}, {@code
 *       credentialId}: contract 9.5, an id is unique only within its session; registered under
 *       {@code <topic>-key}), value Avro {@code CredentialState}.
 * </ul>
 *
 * The dead-letter topic has no serde: its records are the source records' raw bytes with error
 * headers ({@link DeadLetter}).
 *
 * <p>{@link #of} configures new serdes (and so registry clients) on every call; the producers of a
 * test or of the demo can use the same declarations as the topology.
 */
public record AuditorTopics(
    Topic<String, AgentEvent> events,
    Topic<String, Decision> decisions,
    Topic<String, String> violations,
    Topic<CredentialKey, CredentialState> credentials,
    String deadLetters) {

  public AuditorTopics {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(decisions, "decisions");
    Objects.requireNonNull(violations, "violations");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(deadLetters, "deadLetters");
  }

  /**
   * The topics named by {@code names}, with Avro serdes configured from {@code serdeConfig}.
   *
   * @throws org.apache.kafka.common.config.ConfigException when the serde configuration is invalid
   */
  public static AuditorTopics of(TopicNames names, Map<String, ?> serdeConfig) {
    return new AuditorTopics(
        new Topic<>(
            names.events(),
            StrictStringSerde.create(),
            AvroSerde.of(AgentEvent.class, serdeConfig, false)),
        new Topic<>(
            names.decisions(), Serdes.String(), AvroSerde.of(Decision.class, serdeConfig, false)),
        new Topic<>(names.violations(), Serdes.String(), Serdes.String()),
        new Topic<>(
            names.credentials(),
            AvroSerde.of(CredentialKey.class, serdeConfig, true),
            AvroSerde.of(CredentialState.class, serdeConfig, false)),
        names.deadLetters());
  }
}
