package io.agentauditor.load;

import io.agentauditor.testing.EmbeddedKafkaCluster;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reproduces the broker's {@code OutOfOrderSequenceException} "Expected sequence 0 for transactions
 * v2 idempotent producer with no existing state" with a plain transactional producer, and checks
 * that every record still lands exactly once and in order.
 *
 * <p>One in-JVM broker, one topic of {@code P} partitions created once (no reuse, no deletion).
 * One transactional producer (transactions v2, the default of Kafka 4.x on a 4.3 broker) runs
 * {@code T} transactions back to back, each sending {@code N} records to every partition in small
 * batches, as a Kafka Streams task under {@code exactly_once_v2} does with its outputs. Afterwards a
 * {@code read_committed} consumer reads the topic and checks that each partition holds the numbers
 * 0, 1, 2, ... once each, in order. The broker's own error counters
 * ({@code kafka.network:type=RequestMetrics,name=ErrorsPerSec,request=Produce,error=...}) and the
 * producer's {@code record-retry-total} show how often the broker refused a batch and the producer
 * sent it again.
 *
 * <p>Usage: {@code SequenceErrors [transactions=200] [records=200] [partitions=2] [batch=1024]
 * [inflight=5]}: {@code inflight} is the producer's {@code max.in.flight.requests.per.connection}.
 * Exit code 1 if a record is missing, duplicated or out of order.
 */
public final class SequenceErrors {

  private SequenceErrors() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = TopologyThroughput.parse(args);
    int transactions = Integer.parseInt(options.getOrDefault("transactions", "200"));
    int records = Integer.parseInt(options.getOrDefault("records", "200"));
    int partitions = Integer.parseInt(options.getOrDefault("partitions", "2"));
    int batch = Integer.parseInt(options.getOrDefault("batch", "1024"));
    int inFlight = Integer.parseInt(options.getOrDefault("inflight", "5"));
    String topic = "sequence-errors";
    long retries;
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      kafka.createTopic(topic, partitions, Map.of());
      Map<String, Object> props = new HashMap<>();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sequence-errors-probe");
      props.put(ProducerConfig.BATCH_SIZE_CONFIG, batch);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, inFlight);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.initTransactions();
        long next = 0;
        for (int t = 0; t < transactions; t++) {
          producer.beginTransaction();
          for (int r = 0; r < records; r++, next++) {
            for (int p = 0; p < partitions; p++) {
              // 100 bytes of value, so that a batch holds a handful of records.
              producer.send(new ProducerRecord<>(topic, p, null, ByteBuffer.allocate(100).putLong(next).array()));
            }
          }
          producer.commitTransaction();
        }
        retries = (long) metric(producer.metrics(), "record-retry-total");
      }
      Map<String, Long> errors = brokerProduceErrors();
      long expected = (long) transactions * records;
      long[] bad = verify(kafka.bootstrapServers(), topic, partitions, expected);
      System.out.printf(
          Locale.ROOT,
          "%d transactions x %d records x %d partition(s), batch.size %d, max.in.flight %d:%n"
              + "  broker Produce errors: %s%n"
              + "  producer record-retry-total: %d%n"
              + "  read_committed: %d records per partition expected; missing %d, duplicated %d, out of order %d%n",
          transactions, records, partitions, batch, inFlight, errors, retries, expected, bad[0], bad[1], bad[2]);
      if (bad[0] + bad[1] + bad[2] > 0) {
        System.exit(1);
      }
    }
  }

  /** {missing, duplicated, out of order} over every partition. */
  private static long[] verify(String bootstrap, String topic, int partitions, long expected) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    long[] bad = new long[3];
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        long want = 0;
        Set<Long> seen = new java.util.HashSet<>();
        while (consumer.position(tp) < end) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
            long n = ByteBuffer.wrap(record.value()).getLong();
            if (!seen.add(n)) {
              bad[1]++;
            } else if (n != want) {
              bad[2]++;
            }
            want = n + 1;
          }
        }
        bad[0] += expected - seen.size();
      }
    }
    return bad;
  }

  private static double metric(Map<org.apache.kafka.common.MetricName, ? extends Metric> metrics, String name) {
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .findFirst()
        .orElse(Double.NaN);
  }

  /** The in-JVM broker's count of Produce responses by error code, from its JMX meters. */
  static Map<String, Long> brokerProduceErrors() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Map<String, Long> counts = new LinkedHashMap<>();
    for (ObjectName name :
        server.queryNames(
            new ObjectName("kafka.network:type=RequestMetrics,name=ErrorsPerSec,request=Produce,error=*"), null)) {
      counts.put(name.getKeyProperty("error"), ((Number) server.getAttribute(name, "Count")).longValue());
    }
    return counts;
  }
}
