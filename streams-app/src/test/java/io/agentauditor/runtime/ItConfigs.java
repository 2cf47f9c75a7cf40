package io.agentauditor.runtime;

import io.agentauditor.testing.KafkaBroker;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The auditor configuration and the topic reader that the runtime's integration tests share. */
final class ItConfigs {

  private ItConfigs() {}

  /**
   * An auditor on {@code kafka} under {@code prefix} (application id, topic names, an in-memory
   * registry), its state in {@code stateDir}, free ports, with {@code extra} keys on top.
   */
  static AuditorConfig config(
      KafkaBroker kafka, String prefix, Path stateDir, int partitions, Map<String, String> extra) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("bootstrap.servers", kafka.bootstrapServers());
    values.put("schema.registry.url", "mock://" + prefix);
    values.put("application.id", prefix);
    values.put("topics.events", prefix + "-events");
    values.put("topics.decisions", prefix + "-decisions");
    values.put("topics.violations", prefix + "-violations");
    values.put("topics.credentials", prefix + "-credentials");
    values.put("topics.dead.letters", prefix + "-dead-letters");
    values.put("topics.partitions", Integer.toString(partitions));
    values.put("topics.replication.factor", "1");
    // The test events are stamped on fixed past dates, and so are the decisions (event time):
    // with the default 7-day retention the broker may delete them before they are read, once the
    // wall clock is 7 days past the data.
    values.put("topics.retention.ms", "-1");
    values.put("state.dir", stateDir.toString());
    values.put("rocksdb.memory.bytes", Long.toString(32L * 1024 * 1024));
    values.put("http.port", "0");
    values.putAll(extra);
    return AuditorConfig.fromMap(values, Map.of());
  }

  /**
   * The keys that turn the decision API on, on a free port, with a deadline generous enough for a
   * shared CI machine (the first request also waits for the task's start); gRPC on {@code grpcPort}.
   */
  static Map<String, String> gateway(String grpcPort) {
    return Map.of(
        "gateway.enabled", "true",
        "gateway.port", "0",
        "gateway.grpc.port", grpcPort,
        "gateway.timeout.ms", "30000");
  }

  /** A consumer of committed records from the start, in a group of its own. */
  static KafkaConsumer<byte[], byte[]> committedReader(KafkaBroker kafka) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, KafkaBroker.uniqueName("reader"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
  }
}
