package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.agentauditor.streams.OutputLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compose file cannot run here (no Docker), so its wiring is checked statically: services,
 * ports, health checks, and that the auditor's environment and the topics created match {@link
 * AuditorConfig}.
 */
class DockerComposeTest {

  private static final Path ROOT = repositoryRoot();
  private static final JsonNode COMPOSE = parse(ROOT.resolve("docker-compose.yml"));
  private static final JsonNode SERVICES = COMPOSE.get("services");

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  private static JsonNode parse(Path file) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot parse " + file, e);
    }
  }

  /** A service's environment, written as a map or as a list of KEY=VALUE. */
  private static Map<String, String> environment(String service) {
    JsonNode env = SERVICES.get(service).get("environment");
    Map<String, String> values = new LinkedHashMap<>();
    if (env == null) {
      return values;
    }
    if (env.isArray()) {
      env.forEach(item -> {
        String[] parts = item.asText().split("=", 2);
        values.put(parts[0], parts.length > 1 ? parts[1] : "");
      });
    } else {
      env.fields().forEachRemaining(field -> values.put(field.getKey(), field.getValue().asText()));
    }
    return values;
  }

  private static List<String> texts(JsonNode array) {
    return array == null ? List.of() : java.util.stream.StreamSupport.stream(array.spliterator(), false)
        .map(JsonNode::asText).toList();
  }

  @Test
  void shouldDefineTheFourServicesWithTheirImagesAndPorts() {
    assertThat(SERVICES.fieldNames()).toIterable()
        .containsExactlyInAnyOrder("kafka", "schema-registry", "kafka-init", "auditor");
    assertThat(SERVICES.get("kafka").get("image").asText()).startsWith("apache/kafka:4.");
    assertThat(SERVICES.get("kafka-init").get("image").asText())
        .isEqualTo(SERVICES.get("kafka").get("image").asText());
    assertThat(SERVICES.get("schema-registry").get("image").asText())
        .startsWith("confluentinc/cp-schema-registry:");
    assertThat(texts(SERVICES.get("kafka").get("ports"))).containsExactly("9092:9092");
    assertThat(texts(SERVICES.get("schema-registry").get("ports"))).containsExactly("8081:8081");
    assertThat(texts(SERVICES.get("auditor").get("ports"))).containsExactly("8080:8080");
  }

  @Test
  void shouldRunAKraftBrokerReadyForExactlyOnce() {
    Map<String, String> kafka = environment("kafka");

    assertThat(kafka)
        .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
        .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .containsKey("CLUSTER_ID");
    assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS")).contains("INTERNAL://kafka:29092");
    assertThat(environment("schema-registry").get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"))
        .endsWith("kafka:29092");
    assertThat(environment("auditor").get("AUDITOR_BOOTSTRAP_SERVERS")).isEqualTo("kafka:29092");
    assertThat(environment("auditor").get("AUDITOR_SCHEMA_REGISTRY_URL"))
        .isEqualTo("http://schema-registry:8081");
  }

  @Test
  void shouldKeepTheBrokersDataInItsVolume() {
    // The apache/kafka image writes to /tmp/kraft-combined-logs unless told otherwise.
    String logDirs = environment("kafka").get("KAFKA_LOG_DIRS");
    List<String> mounts = texts(SERVICES.get("kafka").get("volumes"));
    assertThat(logDirs).isNotNull();
    assertThat(mounts).anySatisfy(m -> assertThat(m).isEqualTo("kafka-data:" + logDirs));
    assertThat(COMPOSE.get("volumes").has("kafka-data")).isTrue();
  }

  @Test
  void shouldKeepTheAuditorsStateInItsVolume() {
    // Given the state directory the auditor in the image uses
    AuditorConfig config =
        AuditorConfig.load(ROOT.resolve("streams-app/docker/auditor.yaml"), environment("auditor"));

    // Then the auditor-state volume is mounted there
    assertThat(texts(SERVICES.get("auditor").get("volumes")))
        .contains("auditor-state:" + config.stateDir());
    assertThat(COMPOSE.get("volumes").has("auditor-state")).isTrue();
  }

  @Test
  void shouldPinTheBrokerImageToTheKafkaVersionTheAuditorIsBuiltWith() throws Exception {
    // Given the Kafka client version of the build
    Matcher version =
        Pattern.compile("<kafka.version>([^<]+)</kafka.version>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(version.find()).isTrue();

    // Then the broker is that release, and every image has an exact version tag
    assertThat(SERVICES.get("kafka").get("image").asText()).isEqualTo("apache/kafka:" + version.group(1));
    for (String service : List.of("kafka", "schema-registry", "kafka-init")) {
      assertThat(SERVICES.get(service).get("image").asText())
          .as(service)
          .matches("[a-z0-9./-]+:\\d+\\.\\d+\\.\\d+");
    }
  }

  @Test
  void shouldHealthCheckEveryLongRunningServiceAndStartInOrder() {
    for (String service : List.of("kafka", "schema-registry", "auditor")) {
      JsonNode healthcheck = SERVICES.get(service).get("healthcheck");
      assertThat(healthcheck).as(service + " healthcheck").isNotNull();
      assertThat(texts(healthcheck.get("test"))).as(service + " healthcheck test").isNotEmpty();
    }
    String auditorPort = environment("auditor").get("AUDITOR_HTTP_PORT");
    assertThat(String.join(" ", texts(SERVICES.get("auditor").get("healthcheck").get("test"))))
        .contains("/dev/tcp/127.0.0.1/" + auditorPort)
        .contains("GET /health");
    assertThat(SERVICES.get("auditor").at("/depends_on/kafka-init/condition").asText())
        .isEqualTo("service_completed_successfully");
    assertThat(SERVICES.get("auditor").at("/depends_on/schema-registry/condition").asText())
        .isEqualTo("service_healthy");
    assertThat(SERVICES.get("kafka-init").at("/depends_on/kafka/condition").asText())
        .isEqualTo("service_healthy");
  }

  @Test
  void shouldOnlySetAuditorVariablesThatAreRealConfigurationKeys() {
    Set<String> known =
        AuditorConfig.DEFINITION.names().stream().map(AuditorConfig::envVarName).collect(Collectors.toSet());

    Map<String, String> auditorVariables =
        environment("auditor").entrySet().stream()
            .filter(e -> e.getKey().startsWith(AuditorConfig.ENV_PREFIX))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

    assertThat(auditorVariables).isNotEmpty();
    assertThat(auditorVariables.keySet()).allSatisfy(name -> assertThat(known).contains(name));
  }

  @Test
  void shouldBuildTheImageThatRunsTheApplicationJarWithItsDependenciesAndConfigFile()
      throws Exception {
    // Given
    JsonNode build = SERVICES.get("auditor").get("build");
    Path dockerfile = ROOT.resolve(build.get("context").asText()).resolve(build.get("dockerfile").asText()).normalize();
    String text = Files.readString(dockerfile);

    // Then
    assertThat(dockerfile).isEqualTo(ROOT.resolve("streams-app/Dockerfile"));
    assertThat(text)
        .containsPattern("FROM maven:[^\\s]*temurin-17 AS build")
        .containsPattern("FROM eclipse-temurin:17-jre")
        .contains("-pl streams-app -am")
        // Every module's pom, whatever the modules: the reactor reads them all.
        .contains("find . -name pom.xml")
        .contains("COPY --from=poms /poms/ ./")
        .contains("COPY --from=build /src/streams-app/target/lib /opt/agent-auditor/lib")
        .contains("CMD [\"run\", \"--config\", \"/etc/agent-auditor/auditor.yaml\"]")
        .contains("COPY streams-app/docker/auditor.yaml /etc/agent-auditor/auditor.yaml");
    // The jar finds lib/ next to it through its manifest, as the pom packages it.
    assertThat(Files.readString(ROOT.resolve("streams-app/pom.xml")))
        .contains("<classpathPrefix>lib/</classpathPrefix>")
        .contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>");
  }

  @Test
  void shouldCreateTheConfiguredTopicsWithTheAuditorsSettings() {
    // Given: the image's config file plus the compose environment, as the auditor will load them
    AuditorConfig config =
        AuditorConfig.load(ROOT.resolve("streams-app/docker/auditor.yaml"), environment("auditor"));
    String script = String.join("\n", texts(SERVICES.get("kafka-init").get("command")));

    // Then: every default topic is created, with the auditor's partitions and cleanup policies
    assertThat(config.topics().all())
        .containsExactly("agent-events", "agent-decisions", "agent-violations", "agent-credentials",
            "agent-dead-letters");
    assertThat(config.topicReplicationFactor()).isEqualTo((short) 1);
    assertThat(config.httpBindAddress()).isEqualTo("0.0.0.0");
    for (String topic : config.topics().all()) {
      assertThat(script).contains(topic);
    }
    Matcher partitions = Pattern.compile("partitions=(\\d+)").matcher(script);
    assertThat(partitions.find()).isTrue();
    assertThat(Integer.parseInt(partitions.group(1))).isEqualTo(config.topicPartitions());
    assertThat(script)
        .containsPattern("--topic agent-credentials [^\\n]*\\n?[^\\n]*cleanup\\.policy=compact")
        .contains("retention.ms=" + config.topicRetentionMs())
        .contains("retention.ms=" + config.deadLetterRetentionMs())
        .contains("--if-not-exists");
  }

  @Test
  void shouldCreateTheTopicsWithTheAuditorsMessageSizes() {
    // Given
    String script = String.join("\n", texts(SERVICES.get("kafka-init").get("command")));
    String outputs = "max.message.bytes=" + OutputLimits.TOPIC_MAX_MESSAGE_BYTES;
    String deadLetters = "max.message.bytes=" + OutputLimits.DEAD_LETTER_TOPIC_MAX_MESSAGE_BYTES;

    // Then: the loop over events, decisions and violations, the credentials and the dead letters
    // each set the size the auditor's TopicsAdmin would
    assertThat(script.split(java.util.regex.Pattern.quote(outputs), -1)).hasSize(3);
    assertThat(script)
        .containsPattern("--topic agent-credentials [^\\n]*\\n?[^\\n]*" + java.util.regex.Pattern.quote(outputs))
        .containsPattern("--topic agent-dead-letters [^\\n]*\\n?[^\\n]*" + java.util.regex.Pattern.quote(deadLetters));
  }
}
