package io.agentauditor.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class EmbeddedKafkaClusterIT {

  private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedKafkaClusterIT.class);

  @Test
  void shouldStartOnLoopbackCreateTopicsAndDeleteItsDataOnClose() throws Exception {
    // Given
    Path data;
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      data = kafka.dataDirectory();
      LOGGER.info("Single-node embedded KRaft started in {} ms", kafka.startupTime().toMillis());

      // When
      kafka.createTopic("creds", 3, Map.of("cleanup.policy", "compact"));

      // Then
      assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
      assertThat(kafka.startupTime()).isLessThan(Duration.ofSeconds(60));
      assertThat(data).isDirectory();
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        TopicDescription creds =
            admin.describeTopics(List.of("creds")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("creds");
        assertThat(creds.partitions()).hasSize(3);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "creds");
        assertThat(
                admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource).get("cleanup.policy").value())
            .isEqualTo("compact");
      }
      assertThatThrownBy(() -> kafka.createTopic("creds", 3, Map.of()))
          .isInstanceOf(EmbeddedKafkaException.class)
          .hasMessageContaining("creds");
    }
    assertThat(Files.exists(data)).isFalse();
  }

  @Test
  void shouldBindEveryBrokerAndControllerListenerToLoopbackOnly() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux /proc/net/tcp");
    // Given
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      List<Integer> ports = new ArrayList<>(kafka.controllerPorts());
      ports.add(Integer.parseInt(kafka.bootstrapServers().substring("127.0.0.1:".length())));

      // When
      List<String> listening = listeningAddresses(ports);

      // Then: one listening socket per port, each on 127.0.0.1, none on 0.0.0.0 or [::]
      assertThat(listening)
          .as("listening sockets of ports %s", ports)
          .hasSize(ports.size())
          .allMatch(address -> address.startsWith("127.0.0.1:"));
    }
  }

  /** Local addresses of the LISTEN sockets on {@code ports}, from /proc/net/tcp and tcp6. */
  private static List<String> listeningAddresses(List<Integer> ports) throws IOException {
    List<String> found = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.isReadable(path)) {
        continue;
      }
      // Read once: the table changes between two reads on a busy machine.
      List<String> lines = Files.readAllLines(path);
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        String[] local = fields[1].split(":");
        int port = Integer.parseInt(local[1], 16);
        if (fields[3].equals("0A") && ports.contains(port)) {
          found.add(decodeAddress(local[0]) + ":" + port);
        }
      }
    }
    return found;
  }

  /**
   * /proc/net/tcp writes an address as little-endian 32-bit hex words (one for IPv4, four for
   * IPv6); an IPv4-mapped IPv6 address (a Java socket on ::ffff:127.0.0.1) reads as IPv4.
   */
  private static String decodeAddress(String hex) throws IOException {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = word * 8 + (3 - i) * 2;
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    return InetAddress.getByAddress(bytes).getHostAddress();
  }
}
