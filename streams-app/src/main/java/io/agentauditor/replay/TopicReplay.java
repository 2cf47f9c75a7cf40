package io.agentauditor.replay;

import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.policy.Policy;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code replay --topic} (contract section 10): decides each partition of a {@link TopicSource} on
 * its own, as the live auditor's task for that partition does (its own engine, its own chain state
 * and stream time in a scratch RocksDB store deleted afterwards), so a partition replayed from its
 * first offset with the live bundle gives the live decisions byte for byte. Partitions are decided
 * in parallel, at most {@code parallelism} at a time, each through a {@link Replayer} (bounded
 * batches, flat memory).
 *
 * <p><b>Output order.</b> Grouped by partition in partition order, and within a partition in offset
 * order, each decision followed by the idle-timeout decisions it triggered: exactly the order of the
 * live decisions topic read partition by partition. Each partition's outputs are spooled to a
 * scratch file while the partitions are decided, and copied out in that order once all are done.
 */
public final class TopicReplay {

  /** Receives the dead letters of a partition (called from that partition's writer thread). */
  @FunctionalInterface
  public interface PartitionDeadLetters {
    void deadLetter(int partition, long offset, String reason);
  }

  /** Makes the listener of one partition, writing to that partition's spools of the extra outputs. */
  @FunctionalInterface
  public interface Listeners {
    ReplayListener of(int partition, List<OutputStream> extraOutputs);
  }

  private final Policy policy;
  private final TopicSource source;
  private final int parallelism;
  private final long stateCacheBytes;

  /**
   * @param policy the bundle every partition decides with
   * @param source the topic range to decide
   * @param parallelism partitions decided at once, at least 1
   * @param stateCacheBytes block cache of all the partitions' stores together
   */
  public TopicReplay(Policy policy, TopicSource source, int parallelism, long stateCacheBytes) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
    }
    this.policy = Objects.requireNonNull(policy, "policy");
    this.source = Objects.requireNonNull(source, "source");
    this.parallelism = parallelism;
    this.stateCacheBytes = stateCacheBytes;
  }

  /**
   * Decides the topic range, writing the decisions to {@code decisions} and, through {@code
   * listeners}, what else is asked to {@code extraOutputs}; no stream is closed.
   *
   * @return the counts of all partitions together
   * @throws IOException when reading the topic, a scratch file or writing an output fails
   */
  public Replayer.Counts run(
      OutputStream decisions,
      List<OutputStream> extraOutputs,
      PartitionDeadLetters dead,
      Listeners listeners)
      throws IOException {
    List<TopicSource.Partition> partitions = source.partitions();
    int running = Math.max(1, Math.min(parallelism, partitions.size()));
    long cachePerPartition = Math.max(8L << 20, stateCacheBytes / running);
    Path spoolDir = Files.createTempDirectory("auditor-replay-spool-");
    Thread cleanup = new Thread(() -> RocksDbStateStore.deleteDirectory(spoolDir));
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      List<Replayer.Counts> counts =
          source.eachPartition(
              partitions,
              running,
              (partition, events) ->
                  decide(partition, events, spoolDir, extraOutputs.size(), cachePerPartition, dead, listeners));
      List<OutputStream> outputs = new ArrayList<>();
      outputs.add(decisions);
      outputs.addAll(extraOutputs);
      for (TopicSource.Partition partition : partitions) {
        for (int i = 0; i < outputs.size(); i++) {
          Path spool = spool(spoolDir, partition, i);
          try (InputStream in = Files.newInputStream(spool)) {
            in.transferTo(outputs.get(i));
          }
          Files.delete(spool);
        }
      }
      for (OutputStream out : outputs) {
        out.flush();
      }
      Replayer.Counts total = new Replayer.Counts(0, 0, 0, 0);
      for (Replayer.Counts c : counts) {
        total = total.plus(c);
      }
      return total;
    } finally {
      RocksDbStateStore.deleteDirectory(spoolDir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // shutting down: the hook runs and finds the directory gone
      }
    }
  }

  private Replayer.Counts decide(
      TopicSource.Partition partition,
      EventSource events,
      Path spoolDir,
      int extras,
      long cacheBytes,
      PartitionDeadLetters dead,
      Listeners listeners)
      throws IOException {
    List<OutputStream> spools = new ArrayList<>();
    try (RocksDbStateStore store = RocksDbStateStore.temporary(cacheBytes)) {
      for (int i = 0; i <= extras; i++) {
        spools.add(new BufferedOutputStream(Files.newOutputStream(spool(spoolDir, partition, i)), 1 << 16));
      }
      ReplayListener listener = listeners.of(partition.partition(), spools.subList(1, spools.size()));
      int p = partition.partition();
      Replayer.Counts counts =
          new Replayer(new AuditEngine(policy))
              .run(
                  events,
                  spools.get(0),
                  new CachingStateStore(store),
                  (offset, reason) -> dead.deadLetter(p, offset, reason),
                  listener);
      for (OutputStream spool : spools) {
        spool.flush();
      }
      return counts;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      for (OutputStream spool : spools) {
        spool.close();
      }
    }
  }

  private static Path spool(Path dir, TopicSource.Partition partition, int output) {
    return dir.resolve(partition.partition() + "-" + output);
  }
}
