package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.runtime.OperationsServer;
import io.agentauditor.runtime.StreamThreadFailurePolicy;
import io.agentauditor.testing.KafkaBroker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The infrastructure together on a real broker, ahead of the real topology: typed config to
 * Streams properties, topics created by {@link TopicsAdmin}, exactly-once processing with a
 * RocksDB store under the bounded-memory setter, undecodable records routed to the dead-letter
 * topic, and the health endpoint following the Streams state.
 */
class StreamsInfrastructureIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @Test
  void shouldProcessExactlyOnceAndDeadLetterUndecodableRecords(@TempDir Path stateDir) throws Exception {
    // Given
    String prefix = KafkaBroker.uniqueName("infra");
    AuditorConfig config =
        AuditorConfig.fromMap(
            Map.ofEntries(
                Map.entry("bootstrap.servers", KAFKA.bootstrapServers()),
                Map.entry("schema.registry.url", "mock://infra"),
                Map.entry("application.id", prefix),
                Map.entry("topics.events", prefix + "-events"),
                Map.entry("topics.decisions", prefix + "-decisions"),
                Map.entry("topics.violations", prefix + "-violations"),
                Map.entry("topics.credentials", prefix + "-credentials"),
                Map.entry("topics.dead.letters", prefix + "-dead-letters"),
                Map.entry("topics.partitions", "2"),
                Map.entry("topics.replication.factor", "1"),
                Map.entry("topics.retention.ms", "-1"),
                Map.entry("state.dir", stateDir.toString()),
                Map.entry("rocksdb.memory.bytes", Long.toString(32L * 1024 * 1024))),
            Map.of());
    try (Admin admin = KAFKA.admin()) {
      new TopicsAdmin(admin, config.topicSettings()).ensureTopics();
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KafkaStreams streams = new KafkaStreams(countingTopology(config), config.streamsProperties());
    streams.setUncaughtExceptionHandler(StreamThreadFailurePolicy.from(config, registry));
    HttpClient http = HttpClient.newHttpClient();
    try (OperationsServer ops = OperationsServer.start("127.0.0.1", 0, streams::state, registry)) {
      HttpRequest health = HttpRequest.newBuilder(ops.baseUri().resolve("/ready")).build();
      assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);

      // When
      streams.start();
      await().atMost(Duration.ofSeconds(60))
          .until(() -> http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
      try (KafkaProducer<String, String> producer = producer()) {
        producer.send(new ProducerRecord<>(config.topics().events(), "s1", "e1"));
        producer.send(new ProducerRecord<>(config.topics().events(), "s1", "bad-e2"));
        producer.send(new ProducerRecord<>(config.topics().events(), "s1", "e3"));
        producer.flush();
      }

      // Then: two counted events (read_committed: only what the transaction committed) ...
      List<ConsumerRecord<byte[], byte[]>> decisions = new ArrayList<>();
      List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
        consumer.subscribe(List.of(config.topics().decisions(), config.topics().deadLetters()));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            (r.topic().equals(config.topics().decisions()) ? decisions : deadLetters).add(r);
          }
          return decisions.size() >= 2 && deadLetters.size() >= 1;
        });
      }
      assertThat(decisions).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
          .containsExactly("1", "2");
      // ... and one dead letter with the raw bytes and source position
      DeadLetter letter = DeadLetter.fromRecord(deadLetters.get(0));
      assertThat(letter.rawValue()).asString(StandardCharsets.UTF_8).isEqualTo("bad-e2");
      assertThat(letter.sourceTopic()).isEqualTo(config.topics().events());
      assertThat(letter.sourceOffset()).isEqualTo(1);
      assertThat(letter.reason()).isEqualTo("undecodable event: bad-e2");
      assertThat(BoundedMemoryRocksDBConfig.openStores()).isPositive();
    } finally {
      streams.close(Duration.ofSeconds(30));
      registry.close();
    }
    assertThat(BoundedMemoryRocksDBConfig.openStores()).isZero();
  }

  /** Counts events per session in a RocksDB store; rejects values starting with "bad". */
  private static Topology countingTopology(AuditorConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    builder
        .stream(
            config.topics().events(),
            Consumed.with(Serdes.String(),
                    Serdes.serdeFrom(new StringSerializer(), new DeadLetterTopologyTest.RejectingDeserializer()))
                .withName("events"))
        .groupByKey(Grouped.with("by-session", Serdes.String(), Serdes.String()))
        .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("session-counts")
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()).withCachingDisabled())
        .toStream()
        .mapValues(Object::toString)
        .to(config.topics().decisions(), Produced.with(Serdes.String(), Serdes.String()).withName("decisions"));
    return builder.build();
  }

  private static KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
  }

  private static KafkaConsumer<byte[], byte[]> consumer() {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, KafkaBroker.uniqueName("reader"),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
  }
}
