package io.agentauditor.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft Kafka cluster running inside this JVM: {@code N} combined broker+controller nodes
 * (N = 1 by default), each a {@link KafkaRaftServer} started directly from a storage directory
 * formatted with Kafka's own {@link Formatter}, as {@code kafka-storage.sh format} would. Every
 * listener, broker ({@code PLAINTEXT}) and controller ({@code CONTROLLER}), binds 127.0.0.1 only
 * and is advertised as such; data lives in a fresh temporary directory that {@link #close()}
 * deletes.
 *
 * <p>Ports: a static KRaft quorum must name each controller's port before the controller starts,
 * so the ports are chosen by binding 127.0.0.1:0 and releasing the socket just before the node
 * starts. Another process could take such a port in between; the node then fails to bind and the
 * whole start is retried with fresh ports (up to {@value #START_ATTEMPTS} attempts).
 *
 * <p>Broker defaults make a small cluster usable for Kafka Streams with exactly-once: internal
 * topics (offsets, transaction state, share state) are replicated {@code min(N, 3)} times with
 * {@code min.insync.replicas = min(N, 2)}, the initial group rebalance delay is 0 and topics are
 * never auto-created. Extra broker properties given to {@link #start(int, Map)} win over these
 * (listener, node id, quorum and directory settings excepted: they define the cluster).
 *
 * <p>Lifecycle: {@link #start} returns a running cluster or throws {@link EmbeddedKafkaException}
 * (after cleaning up); {@link #close()} is idempotent. Thread-safe.
 *
 * <p>It lives in the test-support module with the broker and test-kit dependencies it needs: the
 * integration tests, the load tests and {@code ./auditor demo} use it; the shipped application
 * never does.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final String LOOPBACK = "127.0.0.1";
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  static final int START_ATTEMPTS = 3;

  private final List<KafkaRaftServer> servers;
  private final Path dataDirectory;
  private final String bootstrapServers;
  private final List<Integer> controllerPorts;
  private final Duration startupTime;
  private final Admin admin;
  private boolean closed;

  private EmbeddedKafkaCluster(
      List<KafkaRaftServer> servers,
      Path dataDirectory,
      String bootstrapServers,
      List<Integer> controllerPorts,
      Duration startupTime,
      Admin admin) {
    this.servers = List.copyOf(servers);
    this.dataDirectory = dataDirectory;
    this.bootstrapServers = bootstrapServers;
    this.controllerPorts = List.copyOf(controllerPorts);
    this.startupTime = startupTime;
    this.admin = admin;
  }

  /** Starts a single-node cluster with the default broker configuration. */
  public static EmbeddedKafkaCluster start() {
    return start(1, Map.of());
  }

  /**
   * Starts a cluster of {@code nodes} combined broker+controller nodes and waits until every broker
   * is registered and serving.
   *
   * @param nodes number of nodes, at least 1
   * @param brokerOverrides broker properties applied to every node, over the defaults
   * @throws IllegalArgumentException if {@code nodes < 1}
   * @throws EmbeddedKafkaException if the cluster does not start; its data is deleted
   */
  public static EmbeddedKafkaCluster start(int nodes, Map<String, String> brokerOverrides) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be at least 1, was " + nodes);
    }
    long startNanos = System.nanoTime();
    EmbeddedKafkaException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return startOnce(nodes, brokerOverrides, startNanos);
      } catch (EmbeddedKafkaException e) {
        last = e;
        if (!causedByBindFailure(e)) {
          throw e;
        }
        LOGGER.warn("Embedded Kafka could not bind a port (attempt {} of {}): retrying", attempt, START_ATTEMPTS);
      }
    }
    throw last;
  }

  private static EmbeddedKafkaCluster startOnce(
      int nodes, Map<String, String> brokerOverrides, long startNanos) {
    Path dataDirectory;
    try {
      dataDirectory = Files.createTempDirectory("agent-auditor-kafka-");
    } catch (IOException e) {
      throw new EmbeddedKafkaException("cannot create the embedded Kafka data directory", e);
    }
    List<KafkaRaftServer> servers = new ArrayList<>();
    Admin admin = null;
    try {
      List<Integer> brokerPorts = freeLoopbackPorts(nodes);
      List<Integer> controllerPorts = freeLoopbackPorts(nodes);
      String voters =
          IntStream.range(0, nodes)
              .mapToObj(i -> i + "@" + LOOPBACK + ":" + controllerPorts.get(i))
              .collect(Collectors.joining(","));
      String clusterId = Uuid.randomUuid().toString();
      List<KafkaConfig> configs = new ArrayList<>();
      for (int node = 0; node < nodes; node++) {
        Path logDir = Files.createDirectories(dataDirectory.resolve("node-" + node));
        Map<String, String> props = new LinkedHashMap<>(brokerDefaults(nodes));
        props.putAll(brokerOverrides);
        props.putAll(
            nodeIdentity(node, logDir, brokerPorts.get(node), controllerPorts.get(node), voters));
        configs.add(new KafkaConfig(props, false));
        format(node, clusterId, logDir);
      }
      for (KafkaConfig config : configs) {
        servers.add(new KafkaRaftServer(config, Time.SYSTEM));
      }
      startAll(servers);
      String bootstrap =
          brokerPorts.stream().map(port -> LOOPBACK + ":" + port).collect(Collectors.joining(","));
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
      awaitBrokers(admin, nodes);
      Duration startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
      LOGGER.info(
          "Embedded Kafka ({} node(s)) ready at {} in {} ms, data in {}",
          nodes,
          bootstrap,
          startupTime.toMillis(),
          dataDirectory);
      return new EmbeddedKafkaCluster(
          servers, dataDirectory, bootstrap, controllerPorts, startupTime, admin);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(admin, servers, dataDirectory);
      throw new EmbeddedKafkaException("interrupted while starting embedded Kafka", e);
    } catch (Exception e) {
      closeQuietly(admin, servers, dataDirectory);
      throw e instanceof EmbeddedKafkaException embedded
          ? embedded
          : new EmbeddedKafkaException("embedded Kafka failed to start", e);
    }
  }

  /** The settings that make a node what it is; they win over defaults and overrides. */
  private static Map<String, String> nodeIdentity(
      int node, Path logDir, int brokerPort, int controllerPort, String voters) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(node));
    props.put(
        "listeners",
        BROKER_LISTENER + "://" + LOOPBACK + ":" + brokerPort + ","
            + CONTROLLER_LISTENER + "://" + LOOPBACK + ":" + controllerPort);
    props.put("advertised.listeners", BROKER_LISTENER + "://" + LOOPBACK + ":" + brokerPort);
    props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", BROKER_LISTENER);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("controller.quorum.voters", voters);
    props.put("log.dirs", logDir.toString());
    props.put("metadata.log.dir", logDir.toString());
    return props;
  }

  private static void format(int node, String clusterId, Path logDir) throws Exception {
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
        .setNodeId(node)
        .setClusterId(clusterId)
        .setDirectories(List.of(logDir.toString()))
        .setMetadataLogDirectory(logDir.toString())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .run();
  }

  // A node's startup blocks until its controller quorum forms, which takes every voter: start all
  // nodes of a multi-node cluster at once.
  private static void startAll(List<KafkaRaftServer> servers) throws Exception {
    if (servers.size() == 1) {
      servers.get(0).startup();
      return;
    }
    ExecutorService executor = Executors.newFixedThreadPool(servers.size());
    try {
      List<Future<?>> started = new ArrayList<>();
      for (KafkaRaftServer server : servers) {
        started.add(executor.submit(() -> server.startup()));
      }
      for (Future<?> future : started) {
        try {
          future.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }
    } finally {
      executor.shutdownNow();
    }
  }

  private static void awaitBrokers(Admin admin, int nodes)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        int registered = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
        if (registered == nodes) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        LOGGER.debug("Embedded Kafka not ready yet: {}", e.toString());
      }
      // Brokers register with the controller asynchronously after startup() returns.
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new TimeoutException("fewer than " + nodes + " brokers registered within " + READY_TIMEOUT);
  }

  /** Ports free on 127.0.0.1 right now, distinct. */
  public static List<Integer> freeLoopbackPorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  private static boolean causedByBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The broker settings every node of a cluster of {@code nodes} gets before overrides: internal
   * topics replicated {@code min(nodes, 3)} times, no automatic topic creation, few threads.
   */
  public static Map<String, String> brokerDefaults(int nodes) {
    String replication = Integer.toString(Math.min(nodes, 3));
    String minIsr = Integer.toString(Math.min(nodes, 2));
    Map<String, String> defaults = new LinkedHashMap<>();
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
    // A private cluster on a shared machine: small segments and buffers, few threads.
    defaults.put("num.network.threads", "2");
    defaults.put("num.io.threads", "4");
    defaults.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    defaults.put("controlled.shutdown.enable", "false");
    defaults.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
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
    return servers.size();
  }

  /** The controllers' (KRaft quorum) ports on 127.0.0.1, by node id. */
  public List<Integer> controllerPorts() {
    return controllerPorts;
  }

  /**
   * Creates a topic replicated {@code min(size, 3)} times and waits until every partition has a
   * leader.
   *
   * @throws EmbeddedKafkaException if the broker rejects it (e.g. it already exists) or times out
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
      throw new EmbeddedKafkaException("interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new EmbeddedKafkaException("cannot create topic " + name, e);
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
    closeQuietly(admin, servers, dataDirectory);
    LOGGER.info("Embedded Kafka at {} stopped", bootstrapServers);
  }

  private static void closeQuietly(Admin admin, List<KafkaRaftServer> servers, Path dataDirectory) {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    // Brokers first, so none is left waiting for a controller that is gone.
    for (KafkaRaftServer server : servers) {
      try {
        server.shutdown();
      } catch (RuntimeException e) {
        LOGGER.warn("Embedded Kafka node did not stop cleanly", e);
      }
    }
    for (KafkaRaftServer server : servers) {
      try {
        server.awaitShutdown();
      } catch (RuntimeException e) {
        LOGGER.warn("Embedded Kafka node did not stop cleanly", e);
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
