package io.agentauditor.cli;

import io.agentauditor.codec.Rfc3339;
import io.agentauditor.registry.SchemaRegistryClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * The options that name the events topic on a cluster, shared by {@code replay}, {@code diff} and
 * {@code produce} (contract section 10): the cluster, the topic, the schema registry, a time range,
 * and the Kafka client settings (TLS, SASL) from a properties file, as Kafka's own tools take them
 * ({@code --command-config}). The file may also carry the registry client's settings ({@code
 * basic.auth.user.info}, {@code schema.registry.ssl.*}...); an option wins over the file.
 */
final class TopicOptions {

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Kafka cluster to read from (or write to).")
  String bootstrapServers;

  @Option(names = "--topic", paramLabel = "NAME", description = "The events topic (Avro AgentEvent).")
  String topic;

  @Option(
      names = "--schema-registry",
      paramLabel = "URL",
      description = "Schema registry of the topic's Avro records (Confluent REST API).")
  String schemaRegistry;

  @Option(
      names = "--from",
      paramLabel = "RFC3339",
      description =
          "Read each partition from its first record whose Kafka timestamp is at or after this "
              + "time (default: its first offset); events of sessions started before it are "
              + "skipped and counted.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "RFC3339",
      description =
          "Read each partition up to its first record whose Kafka timestamp is after this time "
              + "(default: its end when the command starts).")
  String to;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description = "Kafka client properties (security.protocol, ssl.*, sasl.*...), as Kafka's tools take them.")
  Path kafkaConfig;

  /** Whether any option of a topic was given. */
  boolean given() {
    return topic != null
        || bootstrapServers != null
        || schemaRegistry != null
        || from != null
        || to != null
        || kafkaConfig != null;
  }

  /** Thrown for an option that is missing or wrong, with the message to print. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * The Kafka client settings: the {@code --kafka-config} file's, then {@code --bootstrap-servers}.
   *
   * @throws UsageException when the file can't be read or no bootstrap servers are given
   */
  Map<String, Object> clientConfig() throws UsageException {
    Map<String, Object> config = new LinkedHashMap<>();
    if (kafkaConfig != null) {
      Properties properties = new Properties();
      try (InputStream in = Files.newInputStream(kafkaConfig)) {
        properties.load(in);
      } catch (IOException e) {
        throw new UsageException("--kafka-config " + kafkaConfig + ": cannot read it: " + e);
      }
      properties.stringPropertyNames().forEach(k -> config.put(k, properties.getProperty(k)));
    }
    if (bootstrapServers != null) {
      config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }
    if (config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
      throw new UsageException("--bootstrap-servers is required with --topic");
    }
    if (topic == null) {
      throw new UsageException("--topic is required with --bootstrap-servers");
    }
    return config;
  }

  /**
   * The Avro serde's settings: the client settings and {@code --schema-registry}.
   *
   * @throws UsageException when no registry is given
   */
  Map<String, Object> serdeConfig() throws UsageException {
    Map<String, Object> config = clientConfig();
    if (schemaRegistry != null) {
      config.put(SchemaRegistryClientConfig.URL, schemaRegistry);
    }
    if (config.get(SchemaRegistryClientConfig.URL) == null) {
      throw new UsageException("--schema-registry is required with --topic");
    }
    return config;
  }

  /** {@code --from}, or null. */
  Instant from() throws UsageException {
    return instant("--from", from);
  }

  /** {@code --to}, or null. */
  Instant to() throws UsageException {
    Instant end = instant("--to", to);
    Instant start = from();
    if (start != null && end != null && end.isBefore(start)) {
      throw new UsageException("--to " + to + " is before --from " + from);
    }
    return end;
  }

  private static Instant instant(String option, String text) throws UsageException {
    if (text == null) {
      return null;
    }
    try {
      return Rfc3339.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          option + " " + text + " is not an RFC 3339 date-time (e.g. 2026-11-26T10:00:00Z)");
    }
  }
}
