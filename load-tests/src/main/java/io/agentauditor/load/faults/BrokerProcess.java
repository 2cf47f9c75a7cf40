package io.agentauditor.load.faults;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One node (broker and KRaft controller) of the fault-injection cluster, in a JVM of its own so
 * that it can be stopped with SIGTERM or {@code kill -9}. Formats its log directory on first start;
 * a restart reuses it.
 *
 * <p>Usage: {@code BrokerProcess NODE_ID CLUSTER_ID BROKER_PORT CONTROLLER_PORT VOTERS LOG_DIR},
 * {@code VOTERS} as {@code controller.quorum.voters} ({@code 0@127.0.0.1:PORT,...}).
 */
public final class BrokerProcess {

  private BrokerProcess() {}

  public static void main(String[] args) throws Exception {
    int node = Integer.parseInt(args[0]);
    String clusterId = args[1];
    int brokerPort = Integer.parseInt(args[2]);
    int controllerPort = Integer.parseInt(args[3]);
    String voters = args[4];
    Path logDir = Path.of(args[5]);
    Map<String, String> props = new LinkedHashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(node));
    props.put("listeners", "BROKER://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "BROKER://127.0.0.1:" + brokerPort);
    props.put("listener.security.protocol.map", "BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "BROKER");
    props.put("controller.listener.names", "CONTROLLER");
    props.put("controller.quorum.voters", voters);
    props.put("log.dirs", logDir.toString());
    props.put("metadata.log.dir", logDir.toString());
    props.putAll(EmbeddedKafkaCluster.brokerDefaults(3));
    props.put("min.insync.replicas", "2");
    props.put("unclean.leader.election.enable", "false");
    // A SIGTERM is a clean stop: leadership moves away before the broker goes.
    props.put("controlled.shutdown.enable", "true");
    props.put("num.io.threads", "2");
    props.put("num.replica.fetchers", "1");
    props.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
    // A broker that was killed comes back within seconds: keep it in the cluster meanwhile.
    props.put("broker.session.timeout.ms", "9000");
    props.put("broker.heartbeat.interval.ms", "1000");
    props.put("replica.lag.time.max.ms", "10000");
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      Files.createDirectories(logDir);
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
          .setNodeId(node)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      server.awaitShutdown();
    }, "broker-shutdown"));
    server.startup();
    System.out.println("BROKER READY " + node);
    server.awaitShutdown();
  }
}
