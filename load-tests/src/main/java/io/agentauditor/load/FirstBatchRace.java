package io.agentauditor.load;

import io.agentauditor.testing.EmbeddedKafkaCluster;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reproduces an idempotent producer whose first batch to a partition is refused for good with
 * {@code OUT_OF_ORDER_SEQUENCE_NUMBER} ("0 (incoming seq. number), N (current end sequence
 * number)"), the records of that batch never written while later ones are.
 *
 * <p>Each round creates a new topic of 2 partitions on the in-JVM broker, with {@code others} more
 * in the same request (as {@code ./auditor run} creates its topics), and without waiting for the
 * broker to lead them (a producer started right after), a new producer sends {@code records}
 * records to the topic's partition 0 at once, in several batches ({@code
 * batch} bytes each, so up to {@code inflight} requests are in flight). When the broker answers
 * the first request {@code NOT_LEADER_OR_FOLLOWER} (its metadata already names it leader, its
 * replica manager is not leading yet) and a later request reaches it once it leads, the later
 * batch is written first: the broker has no state for the new producer id on that partition and
 * accepts any sequence for it. The first batch's retries are then refused until the producer's
 * {@code delivery.timeout.ms} expires it.
 *
 * <p>After each round a consumer reads the partition and the round is classified: {@code ok} (every
 * record once, in order), or {@code refused} (a send failed: the exception is counted) with how
 * many records were written and whether they are out of order. The broker's own error counters
 * give how many {@code NOT_LEADER_OR_FOLLOWER} and {@code OUT_OF_ORDER_SEQUENCE_NUMBER} refusals
 * there were.
 *
 * <p>Usage: {@code FirstBatchRace [rounds=50] [records=20] [batch=400] [linger=0] [inflight=5]
 * [idempotence=true] [await=false] [request=3000] [delivery=10000] [others=6] [gap=500]}: {@code await=true} waits
 * until the topic has a leader before producing (as the tests' {@code createTopic} does); {@code
 * request} and {@code delivery} are the producer's {@code request.timeout.ms} and {@code
 * delivery.timeout.ms}; {@code gap} is the pause between two sends, in microseconds. Exit code 1 if a round lost or reordered a record.
 */
public final class FirstBatchRace {

  private static final int VALUE_BYTES = 100;

  private FirstBatchRace() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = TopologyThroughput.parse(args);
    int rounds = Integer.parseInt(options.getOrDefault("rounds", "50"));
    int records = Integer.parseInt(options.getOrDefault("records", "20"));
    int batch = Integer.parseInt(options.getOrDefault("batch", "400"));
    int linger = Integer.parseInt(options.getOrDefault("linger", "0"));
    int inFlight = Integer.parseInt(options.getOrDefault("inflight", "5"));
    boolean idempotence = Boolean.parseBoolean(options.getOrDefault("idempotence", "true"));
    boolean await = Boolean.parseBoolean(options.getOrDefault("await", "false"));
    int requestTimeout = Integer.parseInt(options.getOrDefault("request", "3000"));
    int deliveryTimeout = Integer.parseInt(options.getOrDefault("delivery", "10000"));
    int others = Integer.parseInt(options.getOrDefault("others", "6"));
    long gapMicros = Long.parseLong(options.getOrDefault("gap", "500"));

    Map<String, Integer> outcomes = new TreeMap<>();
    Map<String, Integer> failures = new TreeMap<>();
    List<String> bad = new ArrayList<>();
    Map<String, Long> brokerErrors;
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start();
        Admin admin =
            Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<String, Object> props = new HashMap<>();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotence);
      props.put(ProducerConfig.BATCH_SIZE_CONFIG, batch);
      props.put(ProducerConfig.LINGER_MS_CONFIG, linger);
      props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, inFlight);
      props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeout);
      for (int round = 0; round < rounds; round++) {
        String topic = "first-batch-" + round;
        List<NewTopic> created = new ArrayList<>();
        created.add(new NewTopic(topic, 2, (short) 1));
        for (int o = 0; o < others; o++) {
          created.add(new NewTopic(topic + "-other-" + o, 2, (short) 1));
        }
        admin.createTopics(created).all().get(30, TimeUnit.SECONDS);
        if (await) {
          awaitLeader(admin, topic);
        }
        Map<String, Integer> failed = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
          for (int r = 0; r < records; r++) {
            if (r > 0) {
              // Events arrive spread out, as a gateway's do: batches leave one after another.
              java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(gapMicros));
            }
            byte[] value = ByteBuffer.allocate(VALUE_BYTES).putLong(r).array();
            producer.send(
                new ProducerRecord<>(topic, 0, null, value),
                (metadata, e) -> {
                  if (e != null) {
                    failed.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                  }
                });
          }
          producer.flush();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        List<Long> written = read(kafka.bootstrapServers(), new TopicPartition(topic, 0));
        boolean inOrder = true;
        for (int i = 0; i < written.size(); i++) {
          inOrder &= written.get(i) == i;
        }
        String outcome;
        if (failed.isEmpty() && inOrder && written.size() == records) {
          outcome = "ok";
        } else {
          outcome = failed.isEmpty() ? "wrong" : "refused";
          String line =
              String.format(
                  Locale.ROOT,
                  "round %d: %s after %d ms, failed sends %s, written %d of %d: %s",
                  round, outcome, millis, failed, written.size(), records, abbreviate(written));
          bad.add(line);
          System.out.println(line);
        }
        outcomes.merge(outcome, 1, Integer::sum);
        failed.forEach((k, v) -> failures.merge(k, v, Integer::sum));
      }
      brokerErrors = SequenceErrors.brokerProduceErrors();
    }
    System.out.printf(
        Locale.ROOT,
        "%d rounds x %d records, batch.size %d, linger.ms %d, max.in.flight %d, idempotence %s,"
            + " await leader %s, request.timeout.ms %d, delivery.timeout.ms %d, other topics %d, gap %d us:%n"
            + "  rounds: %s%n  failed sends: %s%n  broker Produce errors: %s%n",
        rounds, records, batch, linger, inFlight, idempotence, await, requestTimeout, deliveryTimeout,
        others, gapMicros, outcomes, failures, brokerErrors);
    if (!bad.isEmpty()) {
      System.exit(1);
    }
  }

  private static void awaitLeader(Admin admin, String topic) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        if (admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
            .allMatch(p -> p.leader() != null)) {
          return;
        }
      } catch (java.util.concurrent.ExecutionException e) {
        // not known to the broker's metadata yet
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IllegalStateException("no leader for " + topic);
  }

  private static List<Long> read(String bootstrap, TopicPartition tp) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    List<Long> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
          values.add(ByteBuffer.wrap(record.value()).getLong());
        }
      }
    }
    return values;
  }

  private static String abbreviate(List<Long> values) {
    return values.size() <= 12 ? values.toString() : values.subList(0, 12) + "...";
  }
}
