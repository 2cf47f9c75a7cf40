package io.agentauditor.runtime;

import io.agentauditor.gateway.CommittedDecisions;
import io.agentauditor.gateway.DecisionApi;
import io.agentauditor.gateway.DecisionService;
import io.agentauditor.gateway.ExtAuthzServer;
import io.agentauditor.gateway.ExtAuthzService;
import io.agentauditor.gateway.GatewaySettings;
import io.agentauditor.gateway.KafkaEventLog;
import io.agentauditor.gateway.PendingDecisions;
import io.agentauditor.gateway.Router;
import io.agentauditor.gateway.StreamsRouter;
import io.agentauditor.policy.Policy;
import io.agentauditor.streams.DecisionListener;
import io.agentauditor.streams.InfrastructureException;
import io.agentauditor.streams.PolicySource;
import io.agentauditor.streams.ShadowBundle;
import io.agentauditor.streams.TopicNames;
import io.agentauditor.streams.TopicsAdmin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming auditor wired together, and nothing more (the topology is built elsewhere, by a
 * pure builder): topics ensured, the topology built from typed config, {@code KafkaStreams} started
 * with the thread-failure policy, the bounded-memory RocksDB setter and the dead-letter handlers
 * (all through {@link AuditorConfig#streamsProperties()}), a state listener, metrics, and the
 * operations endpoint ({@code /health}, {@code /metrics}).
 *
 * <p>Lifecycle: {@link #start} returns a started instance (Streams may still be rebalancing; see
 * {@link #state()}); {@link #close(Duration)} stops Streams within the timeout, then the endpoint;
 * it is idempotent. {@link #awaitTermination()} blocks until Streams stops by itself (error or
 * shutdown) or {@link #close} is called. Thread-safe.
 */
public final class AuditorApp implements AutoCloseable {

  /**
   * Builds the audit topology; production passes {@code AuditorTopology::build}. The listener is
   * told of every decision (the decision API's waiting requests); {@link DecisionListener#NONE}
   * when the API is off.
   */
  @FunctionalInterface
  public interface TopologyFactory {
    Topology build(
        TopicNames topics,
        Map<String, ?> serdeConfig,
        PolicySource policy,
        int cachedRecordsPerTask,
        DecisionListener listener,
        ShadowBundle shadow);
  }

  /** Exit code of {@code ./auditor run} after a requested shutdown. */
  public static final int EXIT_OK = 0;
  /** Exit code when Kafka Streams stopped by itself (fatal error, thread policy gave up). */
  public static final int EXIT_STREAMS_FAILED = 1;

  private static final Logger LOGGER = LoggerFactory.getLogger(AuditorApp.class);
  static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final OperationsServer operations;
  private final DecisionApi gateway;
  private final ExtAuthzServer extAuthz;
  private final KafkaEventLog eventLog;
  private final CommittedDecisions committed;
  private final PrometheusMeterRegistry registry;
  private final AuditorMetrics metrics;
  private final PolicyReloader policy;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean failed;
  private boolean closed;

  private AuditorApp(
      KafkaStreams streams,
      OperationsServer operations,
      DecisionApi gateway,
      ExtAuthzServer extAuthz,
      KafkaEventLog eventLog,
      CommittedDecisions committed,
      PrometheusMeterRegistry registry,
      AuditorMetrics metrics,
      PolicyReloader policy) {
    this.streams = streams;
    this.operations = operations;
    this.gateway = gateway;
    this.extAuthz = extAuthz;
    this.eventLog = eventLog;
    this.committed = committed;
    this.registry = registry;
    this.metrics = metrics;
    this.policy = policy;
  }

  /**
   * Ensures the topics, builds the topology with {@code factory} and starts Kafka Streams and the
   * operations endpoint.
   *
   * @param config the validated configuration
   * @param policy the loaded policy bundle, from {@code config.policiesDir()}, which is watched for
   *     new versions
   * @param factory the topology builder
   * @throws InfrastructureException if the topics cannot be ensured or the endpoint not bound;
   *     nothing is left running
   * @throws InvalidConfigException if the bundle's digest is not one {@code
   *     policy.expected.digests} allows
   */
  public static AuditorApp start(AuditorConfig config, Policy policy, TopologyFactory factory) {
    return start(config, policy, config.policiesDir(), null, factory);
  }

  /**
   * As {@link #start(AuditorConfig, Policy, TopologyFactory)}, with {@code shadowPolicy} (null for
   * none) deciding every event too, to the topics {@code topics.shadow.*} (contract section 12).
   */
  public static AuditorApp start(
      AuditorConfig config, Policy policy, Policy shadowPolicy, TopologyFactory factory) {
    return start(config, policy, config.policiesDir(), shadowPolicy, factory);
  }

  /**
   * As {@link #start(AuditorConfig, Policy, TopologyFactory)}, the bundle loaded from (and watched
   * in) {@code bundleDir}.
   */
  public static AuditorApp start(
      AuditorConfig config, Policy policy, Path bundleDir, TopologyFactory factory) {
    return start(config, policy, bundleDir, null, factory);
  }

  /**
   * As {@link #start(AuditorConfig, Policy, Path, TopologyFactory)}, with {@code shadowPolicy}
   * (null for none) deciding every event too (contract section 12). The shadow bundle is not
   * reloaded: a new one needs a restart.
   */
  public static AuditorApp start(
      AuditorConfig config,
      Policy policy,
      Path bundleDir,
      Policy shadowPolicy,
      TopologyFactory factory) {
    PolicyGate gate = new PolicyGate(config.policyExpectedDigests());
    List<String> refused = gate.refuseDigest(policy);
    if (!refused.isEmpty()) {
      throw new InvalidConfigException(
          List.of("policy " + policy.identity() + " may not run: " + String.join("; ", refused)));
    }
    LOGGER.info(
        "Starting agent-auditor {} with policy {} against {}",
        config.applicationId(),
        policy.identity(),
        String.join(",", config.bootstrapServers()));
    // A built-in the bundle leaves out runs with the contract's default; say so once, at start.
    policy.warnings().forEach(w -> LOGGER.warn("Policy bundle: {}", w));
    ShadowBundle shadow = null;
    if (shadowPolicy != null) {
      LOGGER.info(
          "Shadow bundle {}: decisions to {}, disagreements to {}",
          shadowPolicy.identity(),
          config.shadowDecisionsTopic(),
          config.shadowDisagreementsTopic());
      shadowPolicy.warnings().forEach(w -> LOGGER.warn("Shadow policy bundle: {}", w));
      shadow =
          new ShadowBundle(
              shadowPolicy, config.shadowDecisionsTopic(), config.shadowDisagreementsTopic());
    }
    try (Admin admin = Admin.create(config.adminProperties())) {
      awaitCluster(admin, config);
      TopicsAdmin.Result topics = new TopicsAdmin(admin, config.topicSettings()).ensureTopics();
      LOGGER.info("Topics created {}, existing {}", topics.created(), topics.existing());
    }
    Map<String, Object> serdeConfig = config.serdeConfig();
    PendingDecisions pending = config.gatewayEnabled() ? new PendingDecisions() : null;
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuditorMetrics metrics =
        new AuditorMetrics(
            registry, config.topics(), shadow == null ? null : shadow.disagreementsTopic());
    PolicyReloader reloader = new PolicyReloader(bundleDir, policy, gate, registry);
    // Answering once committed, requests are completed by the decisions read back read_committed,
    // never by the processor: what it decides may still be aborted with its transaction.
    boolean whenCommitted = pending != null && config.gatewayAnswersWhenCommitted();
    Topology topology =
        factory.build(
            config.topics(),
            serdeConfig,
            reloader,
            config.engineCachedRecords(),
            pending == null || whenCommitted
                ? metrics.listener()
                : DecisionListener.both(pending, metrics.listener()),
            shadow);
    LOGGER.debug("Topology:\n{}", topology.describe());

    Properties props = metrics.instrument(config.streamsProperties());
    KafkaStreams streams = new KafkaStreams(topology, props);
    AuditorApp app;
    try {
      streams.setUncaughtExceptionHandler(StreamThreadFailurePolicy.from(config, registry));
      metrics.bind(streams);
      OperationsServer operations =
          OperationsServer.start(
              config.httpBindAddress(),
              config.httpPort(),
              HealthReport.of(streams, reloader),
              registry,
              metrics::refresh);
      DecisionApi gateway = null;
      ExtAuthzServer extAuthz = null;
      KafkaEventLog eventLog = null;
      CommittedDecisions committed = null;
      if (pending != null) {
        try {
          if (whenCommitted) {
            committed =
                CommittedDecisions.start(
                    config.adminProperties(), serdeConfig, config.topics().decisions(), pending);
          }
          GatewaySettings settings = config.gatewaySettings();
          eventLog =
              new KafkaEventLog(
                  config.adminProperties(), serdeConfig, config.topics().events(), settings.timeout());
          Router router =
              new StreamsRouter(
                  streams, new HostInfo(config.gatewayAdvertisedHost(), settings.port()));
          DecisionService decisions =
              new DecisionService(
                  eventLog,
                  pending,
                  router,
                  settings.timeout(),
                  Duration.ofSeconds(policy.settings().maxClockSkewSeconds()),
                  java.time.Clock.systemUTC());
          GatewayMeters meters = new GatewayMeters(registry);
          gateway = DecisionApi.start(settings, decisions, List.of(meters));
          if (config.gatewayGrpcPort() >= 0) {
            extAuthz =
                ExtAuthzServer.start(
                    settings,
                    config.gatewayGrpcPort(),
                    new ExtAuthzService(
                        decisions,
                        settings,
                        config.gatewayAgentHeader(),
                        config.gatewayCredentialHeader()),
                    List.of(meters.grpc()));
          }
        } catch (RuntimeException e) {
          operations.close();
          if (gateway != null) {
            gateway.close();
          }
          if (eventLog != null) {
            eventLog.close();
          }
          if (committed != null) {
            committed.close();
          }
          throw e;
        }
      }
      app =
          new AuditorApp(
              streams,
              operations,
              gateway,
              extAuthz,
              eventLog,
              committed,
              registry,
              metrics,
              reloader);
    } catch (RuntimeException e) {
      streams.close(Duration.ZERO);
      metrics.close();
      registry.close();
      throw e;
    }
    streams.setStateListener(app::onStateChange);
    streams.start();
    reloader.start(config.policyReloadInterval());
    return app;
  }

  /**
   * Fails in one line naming {@code bootstrap.servers} when no broker answers within {@code
   * startup.timeout.ms}, instead of a flood of connection warnings and a timeout that names
   * neither.
   */
  private static void awaitCluster(Admin admin, AuditorConfig config) {
    Duration timeout = config.startupTimeout();
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .clusterId()
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InfrastructureException("interrupted while reaching the Kafka cluster", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new InfrastructureException(
          "no Kafka broker answered at "
              + AuditorConfig.BOOTSTRAP_SERVERS
              + "="
              + String.join(",", config.bootstrapServers())
              + " within "
              + timeout.toMillis()
              + " ms ("
              + AuditorConfig.STARTUP_TIMEOUT_MS
              + "): "
              + cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
          cause);
    }
  }

  private void onStateChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
    LOGGER.info("Kafka Streams {} -> {}", oldState, newState);
    switch (newState) {
      case PENDING_ERROR, ERROR -> {
        failed = true;
        stopped.countDown();
      }
      case PENDING_SHUTDOWN, NOT_RUNNING -> {
        // SHUTDOWN_CLIENT from the thread-failure policy also lands here, without close().
        if (!closedByUs()) {
          failed = true;
        }
        stopped.countDown();
      }
      default -> {}
    }
  }

  private synchronized boolean closedByUs() {
    return closed;
  }

  /** The current Kafka Streams state. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The operations endpoint's base URI, e.g. {@code http://127.0.0.1:8080}. */
  public URI operationsUri() {
    return operations.baseUri();
  }

  /** The decision API's base URI, when it is enabled. */
  public java.util.Optional<URI> decisionApiUri() {
    return gateway == null ? java.util.Optional.empty() : java.util.Optional.of(gateway.baseUri());
  }

  /** The ext_authz gRPC port, when it is served. */
  public java.util.OptionalInt extAuthzPort() {
    return extAuthz == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(extAuthz.port());
  }

  /** The policy bundle in force now. */
  public Policy policy() {
    return policy.current();
  }

  /** The registry behind {@code /metrics}. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Blocks until Kafka Streams stops by itself or {@link #close} is called.
   *
   * @return {@link #EXIT_OK} after {@link #close}, {@link #EXIT_STREAMS_FAILED} when Streams failed
   * @throws InterruptedException if interrupted while waiting
   */
  public int awaitTermination() throws InterruptedException {
    stopped.await();
    return failed ? EXIT_STREAMS_FAILED : EXIT_OK;
  }

  /**
   * Runs until the JVM is asked to stop (SIGTERM, SIGINT) or Streams fails: a shutdown hook closes
   * the auditor within {@code closeTimeout}. The caller exits with the returned code.
   */
  public int runUntilShutdown(Duration closeTimeout) throws InterruptedException {
    Thread hook = new Thread(() -> close(closeTimeout), "auditor-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = awaitTermination();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook is the one closing us.
      return code;
    }
    close(closeTimeout);
    return code;
  }

  /**
   * Closes Kafka Streams (committing and leaving the group) within {@code timeout}, then the
   * endpoint and the metrics. Idempotent.
   *
   * @return true if Streams closed within the timeout
   */
  public boolean close(Duration timeout) {
    synchronized (this) {
      if (closed) {
        return true;
      }
      closed = true;
    }
    LOGGER.info("Stopping agent-auditor (timeout {})", timeout);
    policy.close();
    // Leave the group: by default Streams stays in it on close, and a successor would wait out the
    // session timeout (45 s) before it is given the partitions.
    boolean clean =
        streams.close(
            CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
    if (!clean) {
      LOGGER.warn("Kafka Streams did not close within {}", timeout);
    }
    if (gateway != null) {
      gateway.close();
      if (extAuthz != null) {
        extAuthz.close();
      }
      eventLog.close();
      if (committed != null) {
        committed.close();
      }
    }
    operations.close();
    metrics.close();
    registry.close();
    stopped.countDown();
    LOGGER.info("agent-auditor stopped");
    return clean;
  }

  @Override
  public void close() {
    close(DEFAULT_CLOSE_TIMEOUT);
  }

  /** Waits up to {@code timeout} for Streams to reach RUNNING; for launchers that print readiness. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      KafkaStreams.State current = streams.state();
      if (current == KafkaStreams.State.RUNNING) {
        return true;
      }
      if (!current.isRunningOrRebalancing() && current != KafkaStreams.State.CREATED) {
        return false;
      }
      if (stopped.await(50, TimeUnit.MILLISECONDS)) {
        return false;
      }
    }
    return false;
  }
}
