package io.agentauditor.replay;

import io.agentauditor.model.EventType;
import io.agentauditor.streams.EventRecordDecoder;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The events topic, or a time range of it, as the input of {@code replay --topic} and {@code diff
 * --topic} (contract section 10): one {@link EventSource} per partition, since the live auditor
 * decides each partition in a task of its own, with its own chain state and stream time.
 *
 * <p><b>What a range selects.</b> {@code from} and {@code to} bound the records' Kafka timestamps
 * (the time the event was appended, which the clock-skew bound ties to its {@code occurredAt}),
 * both inclusive, partition by partition: a partition is read from the first offset whose timestamp
 * is at least {@code from} (its first offset without {@code from}) up to, not including, the first
 * offset whose timestamp is after {@code to} (its last stable offset when the replay starts, without
 * {@code to} or when there is none). The offsets are fixed before anything is read, so a replay of
 * a live topic ends. Records are read {@code read_committed}: what an aborted transaction wrote is
 * never decided, as the live auditor never sees it.
 *
 * <p><b>Sessions started before the range.</b> With {@code from}, a session whose first valid
 * event in the partition's range is not its {@code SESSION_STARTED} started before the range (or
 * never did): its events are skipped, counted and not decided, since deciding them without their
 * chain would only say the session is unknown. Which sessions started in range is kept in a scratch
 * RocksDB database per partition, so memory stays flat however many sessions there are.
 *
 * <p>Each record is decoded as the topology decodes it ({@link EventRecordDecoder}), so a record
 * the live auditor dead-letters is a dead letter here, with the same reason.
 */
public final class TopicSource {

  /** How long a partition may give no record before its reading is given up as stuck. */
  static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

  private static final Duration POLL = Duration.ofMillis(500);

  /** Block cache of the scratch store of the sessions started in range. */
  private static final long SESSIONS_CACHE_BYTES = 8L << 20;

  /** The offsets of one partition that a replay reads: {@code startOffset <= o < endOffset}. */
  public record Partition(int partition, long startOffset, long endOffset) {

    /** Records in the range, control records and aborted ones included. */
    public long offsets() {
      return Math.max(0, endOffset - startOffset);
    }
  }

  /** Work on one partition's source, run by {@link #eachPartition}. */
  @FunctionalInterface
  public interface PartitionWork<R> {
    R run(Partition partition, EventSource source) throws IOException;
  }

  private final Map<String, Object> consumerConfig;
  private final String topic;
  private final Instant from;
  private final Instant to;
  private final EventRecordDecoder decoder;

  /**
   * @param clientConfig Kafka client settings ({@code bootstrap.servers}, TLS, SASL...); the
   *     deserializers, {@code isolation.level} and offset settings are the source's own
   * @param topic the events topic
   * @param from the earliest Kafka timestamp read, or null for each partition's first offset
   * @param to the latest Kafka timestamp read, or null for the end of each partition
   * @param decoder decodes each record as the topology does
   */
  public TopicSource(
      Map<String, ?> clientConfig, String topic, Instant from, Instant to, EventRecordDecoder decoder) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.from = from;
    this.to = to;
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG); // partitions are assigned, never subscribed
    this.consumerConfig = config;
  }

  /** The topic read. */
  public String topic() {
    return topic;
  }

  /**
   * The offsets each partition is read from and to, in partition order.
   *
   * @throws IOException when the topic does not exist or the cluster does not answer
   */
  public List<Partition> partitions() throws IOException {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if (infos == null || infos.isEmpty()) {
        throw new IOException("topic " + topic + " does not exist or has no partitions");
      }
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo info : infos) {
        tps.add(new TopicPartition(topic, info.partition()));
      }
      tps.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      consumer.assign(tps); // offsets of unassigned partitions are looked up, then warned about
      Map<TopicPartition, Long> first = consumer.beginningOffsets(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      Map<TopicPartition, Long> start = from == null ? first : offsetsAt(consumer, tps, from, end);
      Map<TopicPartition, Long> stop =
          to == null ? end : offsetsAt(consumer, tps, to.plusMillis(1), end);
      List<Partition> partitions = new ArrayList<>();
      for (TopicPartition tp : tps) {
        long s = Math.max(start.get(tp), first.get(tp));
        long e = Math.min(stop.get(tp), end.get(tp));
        partitions.add(new Partition(tp.partition(), s, Math.max(s, e)));
      }
      return partitions;
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new IOException("cannot read the offsets of topic " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Per partition, the first offset with a timestamp at or after {@code at}, else its end. */
  private static Map<TopicPartition, Long> offsetsAt(
      KafkaConsumer<byte[], byte[]> consumer,
      List<TopicPartition> tps,
      Instant at,
      Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> query = new HashMap<>();
    for (TopicPartition tp : tps) {
      query.put(tp, at.toEpochMilli());
    }
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (TopicPartition tp : tps) {
      OffsetAndTimestamp o = found.get(tp);
      offsets.put(tp, o == null ? end.get(tp) : o.offset());
    }
    return offsets;
  }

  /**
   * Runs {@code work} on every partition's source, at most {@code parallelism} at a time, and
   * returns the results in partition order. The first failure stops the others and is thrown.
   *
   * @throws IOException what a partition's work or reading threw
   */
  public <R> List<R> eachPartition(List<Partition> partitions, int parallelism, PartitionWork<R> work)
      throws IOException {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(parallelism, partitions.size())),
            r -> {
              Thread t = new Thread(r, "replay-partition");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<R>> futures = new ArrayList<>();
      for (Partition partition : partitions) {
        futures.add(
            pool.submit(
                () -> {
                  try (PartitionSource source = new PartitionSource(partition)) {
                    return work.run(partition, source);
                  }
                }));
      }
      List<R> results = new ArrayList<>();
      for (Future<R> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("replay interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException(cause);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One partition's records in offset order, as an {@link EventSource}. */
  private final class PartitionSource implements EventSource, AutoCloseable {

    private final Partition partition;
    private final TopicPartition tp;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RocksDbStateStore sessions;
    private Iterator<ConsumerRecord<byte[], byte[]>> polled = java.util.Collections.emptyIterator();

    PartitionSource(Partition partition) {
      this.partition = partition;
      this.tp = new TopicPartition(topic, partition.partition());
      this.consumer = new KafkaConsumer<>(consumerConfig);
      consumer.assign(List.of(tp));
      consumer.seek(tp, partition.startOffset());
      this.sessions = from == null ? null : RocksDbStateStore.temporary(SESSIONS_CACHE_BYTES);
    }

    @Override
    public Record next() throws IOException {
      ConsumerRecord<byte[], byte[]> record = nextRecord();
      if (record == null) {
        return null;
      }
      int bytes =
          (record.key() == null ? 0 : record.key().length)
              + (record.value() == null ? 0 : record.value().length);
      EventRecordDecoder.Decoded decoded = decoder.decode(record);
      if (decoded.event() == null) {
        return Record.deadLetter(record.offset(), decoded.deadLetter(), bytes);
      }
      if (sessions != null && !startedInRange(decoded.event())) {
        return Record.skipped(record.offset(), bytes);
      }
      return Record.event(record.offset(), decoded.event(), bytes);
    }

    /** Whether the event's session started in the range (recorded at its first event). */
    private boolean startedInRange(io.agentauditor.model.Step event) {
      byte[] key = event.sessionId().getBytes(StandardCharsets.UTF_8);
      byte[] seen = sessions.get(key);
      if (seen == null) {
        seen = new byte[] {(byte) (event.type() == EventType.SESSION_STARTED ? 1 : 0)};
        sessions.put(key, seen);
      }
      return seen[0] == 1;
    }

    private ConsumerRecord<byte[], byte[]> nextRecord() throws IOException {
      long deadline = System.nanoTime() + STALL_TIMEOUT.toNanos();
      while (true) {
        while (polled.hasNext()) {
          ConsumerRecord<byte[], byte[]> record = polled.next();
          if (record.offset() < partition.endOffset()) {
            return record;
          }
        }
        if (consumer.position(tp) >= partition.endOffset()) {
          return null;
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "partition " + partition.partition() + " of " + topic + ": no record for "
                  + STALL_TIMEOUT.toSeconds() + " s at offset " + consumer.position(tp)
                  + " (reading up to " + partition.endOffset() + ")");
        }
        polled = consumer.poll(POLL).records(tp).iterator();
      }
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(5));
      if (sessions != null) {
        sessions.close();
      }
    }
  }
}
