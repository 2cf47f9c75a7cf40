package io.agentauditor.testing;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The broker of the {@code *IT} tests, chosen once per test run: Testcontainers' {@code
 * apache/kafka} container when a Docker engine answers, else the in-JVM {@link
 * EmbeddedKafkaCluster}. The same tests run against either. Register it with
 * {@code @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();}.
 *
 * <p>The choice can be forced with {@code -Dauditor.it.broker=docker|embedded} (default {@code
 * auto}). One broker serves the whole run (stored in the root extension context and closed when the
 * run ends), so tests isolate themselves with {@link #uniqueName} topics and application ids.
 */
public final class KafkaBroker implements BeforeAllCallback {

  /** Docker image of the container path; same major line as our client. */
  public static final String KAFKA_IMAGE = "apache/kafka:4.1.0";

  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaBroker.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBroker.class);

  /** Which implementation serves the run. */
  public enum Kind {
    DOCKER,
    EMBEDDED
  }

  private volatile Running running;

  @Override
  public void beforeAll(ExtensionContext context) {
    running =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent("broker", key -> Running.start(), Running.class);
  }

  /** The bootstrap servers of the running broker. */
  public String bootstrapServers() {
    return running().bootstrapServers;
  }

  /** Which broker serves this run. */
  public Kind kind() {
    return running().kind;
  }

  /** A new admin client on the broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /** Creates a single-replica topic and waits for the broker to acknowledge it. */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create " + name, e);
    }
  }

  /** {@code prefix-<random>}: unique topic names and application ids per test. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private Running running() {
    if (running == null) {
      throw new IllegalStateException("KafkaBroker is not registered with @RegisterExtension");
    }
    return running;
  }

  /** True when Testcontainers finds a Docker engine. */
  public static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Kind chooseKind() {
    String forced = System.getProperty("auditor.it.broker", "auto").toLowerCase(Locale.ROOT);
    switch (forced) {
      case "docker":
        return Kind.DOCKER;
      case "embedded":
        return Kind.EMBEDDED;
      case "auto":
        return dockerAvailable() ? Kind.DOCKER : Kind.EMBEDDED;
      default:
        throw new IllegalArgumentException(
            "auditor.it.broker must be auto, docker or embedded, was " + forced);
    }
  }

  /** The run-wide broker; JUnit closes it with the root context. */
  static final class Running implements AutoCloseable {
    final Kind kind;
    final String bootstrapServers;
    private final AutoCloseable resource;

    private Running(Kind kind, String bootstrapServers, AutoCloseable resource) {
      this.kind = kind;
      this.bootstrapServers = bootstrapServers;
      this.resource = resource;
    }

    static Running start() {
      Kind kind = chooseKind();
      long start = System.nanoTime();
      Running running;
      if (kind == Kind.DOCKER) {
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
        container.start();
        running = new Running(kind, container.getBootstrapServers(), container);
      } else {
        EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start();
        running = new Running(kind, cluster.bootstrapServers(), cluster);
      }
      LOGGER.info(
          "IT broker: {} at {} (started in {} ms)",
          kind,
          running.bootstrapServers,
          Duration.ofNanos(System.nanoTime() - start).toMillis());
      return running;
    }

    @Override
    public void close() throws Exception {
      resource.close();
    }
  }
}
