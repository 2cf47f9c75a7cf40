package io.agentauditor.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the auditor's five topics exist before the topology starts: creates the missing ones
 * with explicit configurations and checks the existing ones.
 *
 * <ul>
 *   <li>events, decisions, violations, and the shadow bundle's decisions and disagreements when
 *       there is one: {@code cleanup.policy=delete}, {@code retention.ms} from {@code
 *       topics.retention.ms};
 *   <li>credentials: {@code cleanup.policy=compact} (latest lifecycle record per credential);
 *   <li>dead letters: {@code cleanup.policy=delete}, the longer {@code
 *       topics.dead.letters.retention.ms}.
 * </ul>
 *
 * Every topic also gets {@code max.message.bytes} from {@link OutputLimits}, so that no broker
 * default decides which of the auditor's records fit (the broker's default, 1 MiB + 12 bytes, is
 * short of a 1 MiB record and its framing); an existing output topic with a smaller one is
 * reported.
 *
 * All are created with {@code topics.partitions} partitions and {@code topics.replication.factor}
 * (-1: broker default). Existing topics are never altered: a mismatch is reported as a warning in
 * the returned {@link Result} and logged, since changing a live topic is an operator's decision.
 * The one mismatch that matters for correctness is the events topic's partition count, because
 * sessions are assigned to stream tasks by partition.
 *
 * <p>The caller owns the {@link Admin} client. Not thread-safe; call once at startup.
 */
public final class TopicsAdmin {

  private static final Logger LOGGER = LoggerFactory.getLogger(TopicsAdmin.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Admin admin;
  private final TopicSettings settings;

  /**
   * @param admin the client to use; the caller closes it
   * @param settings the topics' names and how to create them
   * @throws NullPointerException when an argument is null
   */
  public TopicsAdmin(Admin admin, TopicSettings settings) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** What {@link #ensureTopics()} found and did. */
  public record Result(List<String> created, List<String> existing, List<String> warnings) {
    public Result {
      created = List.copyOf(created);
      existing = List.copyOf(existing);
      warnings = List.copyOf(warnings);
    }
  }

  /** The topics as they should be created, by name, in the order events, decisions, ... */
  public Map<String, NewTopic> desiredTopics() {
    TopicNames names = settings.names();
    String retention = Long.toString(settings.retentionMs());
    String maxMessage = Integer.toString(OutputLimits.TOPIC_MAX_MESSAGE_BYTES);
    Map<String, NewTopic> topics = new LinkedHashMap<>();
    topics.put(names.events(), newTopic(names.events(), deleteConfig(retention, maxMessage)));
    topics.put(names.decisions(), newTopic(names.decisions(), deleteConfig(retention, maxMessage)));
    topics.put(names.violations(), newTopic(names.violations(), deleteConfig(retention, maxMessage)));
    for (String shadow : settings.shadowTopics()) {
      topics.put(shadow, newTopic(shadow, deleteConfig(retention, maxMessage)));
    }
    topics.put(
        names.credentials(),
        newTopic(
            names.credentials(),
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessage)));
    topics.put(
        names.deadLetters(),
        newTopic(
            names.deadLetters(),
            deleteConfig(
                Long.toString(settings.deadLetterRetentionMs()),
                Integer.toString(OutputLimits.DEAD_LETTER_TOPIC_MAX_MESSAGE_BYTES))));
    return topics;
  }

  private NewTopic newTopic(String name, Map<String, String> configs) {
    short replication = settings.replicationFactor();
    return new NewTopic(
            name,
            Optional.of(settings.partitions()),
            replication == -1 ? Optional.empty() : Optional.of(replication))
        .configs(configs);
  }

  private static Map<String, String> deleteConfig(String retentionMs, String maxMessageBytes) {
    return Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.RETENTION_MS_CONFIG, retentionMs,
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessageBytes);
  }

  /**
   * Creates missing topics and verifies existing ones.
   *
   * @throws InfrastructureException if the cluster cannot be reached or refuses a creation (other
   *     than "already exists", which counts as existing)
   */
  public Result ensureTopics() {
    Map<String, NewTopic> desired = desiredTopics();
    try {
      Collection<String> present = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing =
          desired.values().stream().filter(t -> !present.contains(t.name())).toList();
      List<String> created = new ArrayList<>();
      List<String> existing =
          desired.keySet().stream().filter(present::contains).collect(Collectors.toList());
      if (!missing.isEmpty()) {
        CreateTopicsResult result = admin.createTopics(missing);
        Map<String, KafkaFuture<Void>> futures = result.values();
        for (NewTopic topic : missing) {
          try {
            futures.get(topic.name()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            created.add(topic.name());
            LOGGER.info("Created topic {}: {}", topic.name(), describe(topic));
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw e;
            }
            // Another instance created it between our list and create: verify it like any other.
            existing.add(topic.name());
          }
        }
      }
      List<String> warnings = verify(existing, desired);
      warnings.forEach(w -> LOGGER.warn("Topic check: {}", w));
      return new Result(created, existing, warnings);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InfrastructureException("interrupted while checking topics", e);
    } catch (ExecutionException e) {
      throw new InfrastructureException("cannot create or check topics: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new InfrastructureException("timed out after " + TIMEOUT + " checking topics", e);
    }
  }

  private List<String> verify(List<String> existing, Map<String, NewTopic> desired)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> warnings = new ArrayList<>();
    if (existing.isEmpty()) {
      return warnings;
    }
    List<ConfigResource> resources =
        existing.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    // A topic created a moment ago (by us or another instance) may not have reached every broker's
    // metadata yet: its describe fails with a retriable error for a short while.
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Map<String, TopicDescription> descriptions;
    Map<ConfigResource, Config> configs;
    while (true) {
      try {
        descriptions =
            admin.describeTopics(existing).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        configs = admin.describeConfigs(resources).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        break;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        LOGGER.debug("Topics not described yet, retrying: {}", e.getCause().getMessage());
        Thread.sleep(100);
      }
    }
    String events = settings.names().events();
    for (String name : existing) {
      NewTopic want = desired.get(name);
      int partitions = descriptions.get(name).partitions().size();
      if (partitions != settings.partitions()) {
        warnings.add(
            name.equals(events)
                ? String.format(
                    "events topic %s has %d partitions, the auditor expects %d (topics.partitions):"
                        + " fix one of them, sessions are spread over stream tasks by partition",
                    name, partitions, settings.partitions())
                : String.format(
                    "topic %s has %d partitions, topics.partitions is %d",
                    name, partitions, settings.partitions()));
      }
      Config actual = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
      String wantPolicy = want.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
      ConfigEntry policy = actual.get(TopicConfig.CLEANUP_POLICY_CONFIG);
      if (policy == null || !policy.value().equals(wantPolicy)) {
        warnings.add(
            String.format(
                "topic %s has cleanup.policy=%s, expected %s",
                name, policy == null ? "(unknown)" : policy.value(), wantPolicy));
      }
      // An output topic smaller than the auditor's records: a send the broker refuses (fatal under
      // exactly-once). A smaller events topic only refuses larger input, which is no harm.
      int wantMax = Integer.parseInt(want.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
      ConfigEntry max = actual.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (!name.equals(events)
          && max != null
          && max.value() != null
          && Long.parseLong(max.value()) < wantMax) {
        warnings.add(
            String.format(
                "topic %s has max.message.bytes=%s, the auditor's records take up to %d",
                name, max.value(), wantMax));
      }
    }
    return warnings;
  }

  private static String describe(NewTopic topic) {
    return topic.numPartitions() + " partitions, replication "
        + (topic.replicationFactor() == -1 ? "broker default" : topic.replicationFactor())
        + ", " + new java.util.TreeMap<>(topic.configs());
  }
}
