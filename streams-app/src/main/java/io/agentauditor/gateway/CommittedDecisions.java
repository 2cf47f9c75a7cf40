package io.agentauditor.gateway;

import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.schema.Decision;
import io.agentauditor.serde.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decisions topic read back {@code read_committed}, for the decision API's "answer once
 * committed" mode (contract section 11): a waiting request is completed only by a decision that a
 * {@code read_committed} consumer of the decisions topic can read, so an answer is never given
 * for a transaction that is then aborted; the cost is up to the commit interval.
 *
 * <p>One consumer on a thread of its own, assigned every partition of the topic (no group), so a
 * request is answered whichever instance decides its session, also after a rebalance. It starts at
 * the end of each partition, fixed before {@link #start} returns: every request registered after
 * that sees its decision. Lifecycle: {@link #start}, then {@link #close()}.
 */
public final class CommittedDecisions implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(CommittedDecisions.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroSerde<Decision> serde;
  private final PendingDecisions pending;
  private final String topic;
  private final Thread thread;
  private volatile boolean running = true;

  private CommittedDecisions(
      KafkaConsumer<String, byte[]> consumer,
      AvroSerde<Decision> serde,
      PendingDecisions pending,
      String topic) {
    this.consumer = consumer;
    this.serde = serde;
    this.pending = pending;
    this.topic = topic;
    this.thread = new Thread(this::run, "decision-api-committed-reader");
    this.thread.setDaemon(true);
  }

  /**
   * Assigns every partition of {@code topic} at its end and starts reading.
   *
   * @param clientProperties bootstrap servers and client settings (TLS, SASL)
   * @param serdeConfig the Avro serde's configuration (schema registry)
   * @throws IllegalStateException when the topic has no partitions (it is created before)
   */
  public static CommittedDecisions start(
      Map<String, Object> clientProperties,
      Map<String, ?> serdeConfig,
      String topic,
      PendingDecisions pending) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "agent-auditor-decision-api-committed");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    AvroSerde<Decision> serde = AvroSerde.of(Decision.class, serdeConfig, false);
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      if (partitions.isEmpty()) {
        throw new IllegalStateException("the decisions topic " + topic + " has no partitions");
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      for (TopicPartition tp : partitions) {
        consumer.position(tp, Duration.ofSeconds(30)); // fixed now, not at the first poll
      }
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      serde.close();
      throw e;
    }
    CommittedDecisions reader = new CommittedDecisions(consumer, serde, pending, topic);
    reader.thread.start();
    LOGGER.info("Decision API answers once decisions are committed on {}", topic);
    return reader;
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
          if (r.key() == null || r.value() == null || !pending.mayWaitFor(r.key())) {
            continue; // no request of this session waits: skip decoding
          }
          try {
            pending.decided(DecisionMapper.fromAvro(serde.deserialize(topic, r.value())));
          } catch (RuntimeException e) {
            LOGGER.warn(
                "Decision API: unreadable decision at {}-{}@{}: {}",
                r.topic(),
                r.partition(),
                r.offset(),
                e.toString());
          }
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      // Requests then time out (504, fail closed) rather than get an uncommitted answer.
      LOGGER.error("Decision API: reading committed decisions stopped", e);
    } finally {
      consumer.close(Duration.ZERO);
      serde.close();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
