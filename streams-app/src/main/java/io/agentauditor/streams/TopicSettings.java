package io.agentauditor.streams;

import java.util.List;
import java.util.Objects;

/**
 * How {@link TopicsAdmin} creates and checks the auditor's topics: their names, partition count,
 * replication factor and retentions. The runtime builds it from its configuration; the key each
 * value comes from is named below because the admin's warnings name it too.
 *
 * @param names the five topic names ({@code topics.*})
 * @param partitions partitions of every created topic, at least 1 ({@code topics.partitions})
 * @param replicationFactor replication of every created topic, -1 for the broker default ({@code
 *     topics.replication.factor})
 * @param retentionMs {@code retention.ms} of the events, decisions and violations topics, -1 for
 *     ever ({@code topics.retention.ms})
 * @param deadLetterRetentionMs {@code retention.ms} of the dead-letter topic ({@code
 *     topics.dead.letters.retention.ms})
 * @param shadowTopics the shadow bundle's output topics, created like the decisions topic; empty
 *     without a shadow bundle
 * @throws NullPointerException when {@code names} is null
 * @throws IllegalArgumentException when {@code partitions} is below 1 or {@code replicationFactor}
 *     is neither -1 nor at least 1
 */
public record TopicSettings(
    TopicNames names,
    int partitions,
    short replicationFactor,
    long retentionMs,
    long deadLetterRetentionMs,
    List<String> shadowTopics) {

  public TopicSettings {
    Objects.requireNonNull(names, "names");
    shadowTopics = List.copyOf(shadowTopics);
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
    }
    if (replicationFactor != -1 && replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replicationFactor must be -1 (broker default) or at least 1: " + replicationFactor);
    }
  }

  /** Settings without a shadow bundle's topics. */
  public TopicSettings(
      TopicNames names,
      int partitions,
      short replicationFactor,
      long retentionMs,
      long deadLetterRetentionMs) {
    this(names, partitions, replicationFactor, retentionMs, deadLetterRetentionMs, List.of());
  }
}
