package io.agentauditor.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proves the IT harness: whichever broker {@link KafkaBroker} picked, clients and EOS work. */
class KafkaHarnessIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @Test
  void shouldDeliverAProducedRecordToAConsumer() throws Exception {
    // Given
    String topic = KafkaBroker.uniqueName("harness-plain");
    KAFKA.createTopic(topic, 1, Map.of());

    // When
    try (KafkaProducer<String, String> producer = producer(Map.of())) {
      producer.send(new ProducerRecord<>(topic, "s1", "hello")).get();
    }

    // Then
    List<ConsumerRecord<String, String>> records = consumeAll(topic, "read_uncommitted", 1);
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("s1");
      assertThat(r.value()).isEqualTo("hello");
    });
  }

  @Test
  void shouldExposeOnlyCommittedTransactionsToReadCommittedConsumers() throws Exception {
    // Given
    String topic = KafkaBroker.uniqueName("harness-tx");
    KAFKA.createTopic(topic, 1, Map.of());

    // When
    try (KafkaProducer<String, String> producer =
        producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaBroker.uniqueName("tx")))) {
      producer.initTransactions();
      producer.beginTransaction();
      // Written to the log before the abort, or the abort would just drop it client-side.
      producer.send(new ProducerRecord<>(topic, "s1", "aborted")).get();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "s1", "committed"));
      producer.commitTransaction();
    }

    // Then: the log holds both and two transaction markers; read_committed sees one record.
    List<ConsumerRecord<String, String>> committed = consumeAll(topic, "read_committed", 1);
    assertThat(committed).extracting(ConsumerRecord::value).containsExactly("committed");
    List<ConsumerRecord<String, String>> everything = consumeAll(topic, "read_uncommitted", 2);
    assertThat(everything).extracting(ConsumerRecord::value)
        .containsExactly("aborted", "committed");
  }

  private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
    Map<String, Object> config = new java.util.HashMap<>(extra);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(config);
  }

  /** Polls from the beginning until {@code expected} records arrived, then a little more. */
  private static List<ConsumerRecord<String, String>> consumeAll(
      String topic, String isolation, int expected) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, KafkaBroker.uniqueName("harness"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      // One more poll: a record beyond the expected count would be a failure, not a flake.
      consumer.poll(Duration.ofMillis(300)).forEach(records::add);
    }
    return records;
  }
}
