package io.agentauditor.runtime;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft Kafka cluster running inside this JVM, built on Kafka's own test kit ({@link
 * KafkaClusterTestKit}): {@code N} combined broker+controller nodes (N = 1 by default) on
 * ephemeral ports advertised as 127.0.0.1, data in a fresh temporary directory that {@link
 * #close()} deletes.
 *
 * <p>Known limit: the test kit pre-binds every listener socket on the wildcard address (it opens
 * {@code new InetSocketAddress(0)} before the broker starts), so the ports are reachable from other
 * hosts while the cluster runs, whatever {@code listeners} says. Clients are only ever given
 * 127.0.0.1 addresses.
 *
 * <p>Broker defaults make a small cluster usable for Kafka Streams with exactly-once: internal
 * topics (offsets, transaction state, share state) are replicated {@code min(N, 3)} times with
 * {@code min.insync.replicas = min(N, 2)}, the initial group rebalance delay is 0 and topics are
 * never auto-created. Extra broker properties given to {@link #start(int, Map)} win over these.
 *
 * <p>Lifecycle: {@link #start} returns a running cluster or throws {@link InfrastructureException}
 * (after cleaning up); {@link #close()} is idempotent. Thread-safe.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaClusterTestKit cluster;
  private final Path dataDirectory;
  private final String bootstrapServers;
  private final Duration startupTime;
  private final Admin admin;
  private boolean closed;

  private EmbeddedKafkaCluster(
      KafkaClusterTestKit cluster, Path dataDirectory, String bootstrapServers, Duration startupTime) {
    this.cluster = cluster;
    this.dataDirectory = dataDirectory;
    this.bootstrapServers = bootstrapServers;
    this.startupTime = startupTime;
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /** Starts a single-node cluster with the default broker configuration. */
  public static EmbeddedKafkaCluster start() {
    return start(1, Map.of());
  }

  /**
   * Starts a cluster of {@code nodes} combined broker+controller nodes and waits until every broker
   * is ready.
   *
   * @param nodes number of nodes, at least 1
   * @param brokerOverrides broker properties applied to every node, over the defaults
   * @throws IllegalArgumentException if {@code nodes < 1}
   * @throws InfrastructureException if the cluster does not start; its data is deleted
   */
  public static EmbeddedKafkaCluster start(int nodes, Map<String, String> brokerOverrides) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be at least 1, was " + nodes);
    }
    long startNanos = System.nanoTime();
    Path dataDirectory;
    try {
      dataDirectory = Files.createTempDirectory("agent-auditor-kafka-");
    } catch (IOException e) {
      throw new InfrastructureException("cannot create the embedded Kafka data directory", e);
    }
    KafkaClusterTestKit cluster = null;
    try {
      TestKitNodes testKitNodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumBrokerNodes(nodes)
              .setNumControllerNodes(nodes)
              .setBaseDirectory(dataDirectory)
              .build();
      KafkaClusterTestKit.Builder builder =
          new KafkaClusterTestKit.Builder(testKitNodes).setDeleteOnClose(true);
      brokerDefaults(nodes, testKitNodes).forEach(builder::setConfigProp);
      brokerOverrides.forEach(builder::setConfigProp);
      cluster = builder.build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      Duration startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
      String bootstrap = loopbackBootstrap(cluster);
      LOGGER.info(
          "Embedded Kafka ({} node(s)) ready at {} in {} ms, data in {}",
          nodes,
          bootstrap,
          startupTime.toMillis(),
          dataDirectory);
      return new EmbeddedKafkaCluster(cluster, dataDirectory, bootstrap, startupTime);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(cluster, dataDirectory);
      throw new InfrastructureException("interrupted while starting embedded Kafka", e);
    } catch (Exception e) {
      closeQuietly(cluster, dataDirectory);
      throw new InfrastructureException("embedded Kafka failed to start", e);
    }
  }

  // The test kit's own bootstrapServers() says "localhost" whatever the listeners are bound to.
  private static String loopbackBootstrap(KafkaClusterTestKit cluster) {
    ListenerName listener = cluster.nodes().brokerListenerName();
    return cluster.brokers().values().stream()
        .map(broker -> "127.0.0.1:" + broker.boundPort(listener))
        .collect(Collectors.joining(","));
  }

  private static Map<String, String> brokerDefaults(int nodes, TestKitNodes testKitNodes) {
    String replication = Integer.toString(Math.min(nodes, 3));
    String minIsr = Integer.toString(Math.min(nodes, 2));
    Map<String, String> defaults = new LinkedHashMap<>();
    // The test kit advertises "localhost", which may resolve to ::1 or to an external interface on
    // odd hosts; advertise 127.0.0.1. (The sockets themselves are pre-bound by the test kit.)
    defaults.put(
        "listeners",
        String.format(
            "%s://127.0.0.1:0,%s://127.0.0.1:0",
            testKitNodes.brokerListenerName().value(),
            testKitNodes.controllerListenerName().value()));
    defaults.put("offsets.topic.replication.factor", replication);
    defaults.put("offsets.topic.num.partitions", "5");
    defaults.put("transaction.state.log.replication.factor", replication);
    defaults.put("transaction.state.log.min.isr", minIsr);
    defaults.put("transaction.state.log.num.partitions", "5");
    defaults.put("share.coordinator.state.topic.replication.factor", replication);
    defaults.put("share.coordinator.state.topic.min.isr", minIsr);
    defaults.put("default.replication.factor", replication);
    defaults.put("min.insync.replicas", "1");
    // Streams waits this long before its first assignment; nothing to wait for on a private cluster.
    defaults.put("group.initial.rebalance.delay.ms", "0");
    // Every topic of the product is created explicitly; a typo must fail, not create a topic.
    defaults.put("auto.create.topics.enable", "false");
    return defaults;
  }

  /** The client bootstrap string, e.g. {@code 127.0.0.1:40123}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Wall-clock time {@link #start} took, from creating the data directory to brokers ready. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Number of broker nodes. */
  public int size() {
    return cluster.brokers().size();
  }

  /**
   * Creates a topic replicated {@code min(size, 3)} times and waits until every partition has a
   * leader.
   *
   * @throws InfrastructureException if the broker rejects it (e.g. it already exists) or times out
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    short replication = (short) Math.min(size(), 3);
    NewTopic topic = new NewTopic(name, partitions, replication).configs(configs);
    try {
      admin
          .createTopics(List.of(topic))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      awaitLeaders(name, partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InfrastructureException("interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new InfrastructureException("cannot create topic " + name, e);
    }
  }

  private void awaitLeaders(String name, int partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<TopicDescription> description = describe(name);
      if (description.isPresent()
          && description.get().partitions().size() == partitions
          && description.get().partitions().stream().allMatch(p -> p.leader() != null)) {
        return;
      }
      // Metadata propagates asynchronously from the controller to the brokers.
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new TimeoutException("topic " + name + " has no leader for every partition");
  }

  private Optional<TopicDescription> describe(String name)
      throws InterruptedException, TimeoutException {
    try {
      return Optional.of(
          admin
              .describeTopics(List.of(name))
              .allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(name));
    } catch (ExecutionException e) {
      return Optional.empty();
    }
  }

  /** Stops every node and deletes the data directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    admin.close(Duration.ofSeconds(5));
    closeQuietly(cluster, dataDirectory);
    LOGGER.info("Embedded Kafka at {} stopped", bootstrapServers);
  }

  private static void closeQuietly(KafkaClusterTestKit cluster, Path dataDirectory) {
    if (cluster != null) {
      try {
        cluster.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOGGER.warn("Interrupted while stopping embedded Kafka", e);
      } catch (Exception e) {
        LOGGER.warn("Embedded Kafka did not stop cleanly", e);
      }
    }
    deleteRecursively(dataDirectory);
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOGGER.warn("Cannot delete embedded Kafka data in {}", root, e);
    }
  }

  /** The directory holding every node's logs and metadata; gone after {@link #close()}. */
  public Path dataDirectory() {
    return dataDirectory;
  }
}
