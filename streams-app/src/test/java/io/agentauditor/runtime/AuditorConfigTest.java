package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.list;

import io.agentauditor.streams.BoundedMemoryRocksDBConfig;
import io.agentauditor.streams.DeadLetterDeserializationHandler;
import io.agentauditor.streams.DeadLetterProcessingHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditorConfigTest {

  private static final Map<String, String> REQUIRED =
      Map.of("bootstrap.servers", "kafka:9092", "schema.registry.url", "http://registry:8081");

  @Test
  void shouldApplyTheDocumentedDefaults() {
    // When
    AuditorConfig config = AuditorConfig.fromMap(REQUIRED, Map.of());

    // Then
    assertThat(config.topics().all())
        .containsExactly(
            "agent-events", "agent-decisions", "agent-violations", "agent-credentials",
            "agent-dead-letters");
    assertThat(config.applicationId()).isEqualTo("agent-auditor");
    assertThat(config.processingGuarantee()).isEqualTo("exactly_once_v2");
    assertThat(config.topicPartitions()).isEqualTo(6);
    assertThat(config.topicReplicationFactor()).isEqualTo((short) -1);
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.httpBindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.threadReplacementMax()).isEqualTo(3);
    assertThat(config.rocksDbMemoryBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(config.engineCachedRecords()).isEqualTo(32_768);
  }

  @Test
  void shouldRunNoShadowBundleAndCreateNoShadowTopicsByDefault() {
    // When
    AuditorConfig config = AuditorConfig.fromMap(REQUIRED, Map.of());

    // Then
    assertThat(config.shadowPoliciesDir()).isEmpty();
    assertThat(config.topicSettings().shadowTopics()).isEmpty();
  }

  @Test
  void shouldCreateTheShadowBundlesTwoTopicsWhenShadowPoliciesIsSet() {
    // Given
    Map<String, String> values = new java.util.HashMap<>(REQUIRED);
    values.put("shadow.policies", "/etc/auditor/candidate");
    values.put("topics.shadow.disagreements", "shadow-disagreements");

    // When
    AuditorConfig config = AuditorConfig.fromMap(values, Map.of());

    // Then
    assertThat(config.shadowPoliciesDir()).contains(java.nio.file.Path.of("/etc/auditor/candidate"));
    assertThat(config.topicSettings().shadowTopics())
        .containsExactly("agent-shadow-decisions", "shadow-disagreements");
  }

  @Test
  void shouldRefuseAShadowTopicThatIsAlsoALiveOne() {
    // Given
    Map<String, String> values = new java.util.HashMap<>(REQUIRED);
    values.put("topics.shadow.decisions", "agent-decisions");

    // When / Then
    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("topics.shadow.decisions=agent-decisions: same topic as topics.decisions");
  }

  @Test
  void shouldProduceStreamsPropertiesThatKafkaStreamsAccepts() {
    // Given
    AuditorConfig config =
        AuditorConfig.fromMap(
            Map.of(
                "bootstrap.servers", "a:9092,b:9092",
                "schema.registry.url", "mock://test",
                "num.stream.threads", "2",
                "kafka.security.protocol", "SASL_SSL",
                "streams.topology.optimization", "all"),
            Map.of());

    // When
    Properties props = config.streamsProperties();
    StreamsConfig streamsConfig = new StreamsConfig(props);

    // Then
    assertThat(streamsConfig.getList(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG))
        .containsExactly("a:9092", "b:9092");
    assertThat(streamsConfig.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(streamsConfig.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(2);
    assertThat(streamsConfig.getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(-1);
    assertThat(streamsConfig.getString(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG))
        .isEqualTo("agent-dead-letters");
    assertThat(streamsConfig.deserializationExceptionHandler())
        .isInstanceOf(DeadLetterDeserializationHandler.class);
    assertThat(streamsConfig.processingExceptionHandler())
        .isInstanceOf(DeadLetterProcessingHandler.class);
    assertThat(props)
        .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
            BoundedMemoryRocksDBConfig.class.getName())
        .containsEntry(BoundedMemoryRocksDBConfig.MEMORY_BYTES_CONFIG, 256L * 1024 * 1024)
        .containsEntry("producer.linger.ms", 5)
        .doesNotContainKey(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("topology.optimization", "all");
    assertThat(config.adminProperties())
        .containsEntry("bootstrap.servers", "a:9092,b:9092")
        .containsEntry("security.protocol", "SASL_SSL")
        .doesNotContainKey("topology.optimization");
  }

  @Test
  void shouldSetTheProducersMaxRequestSizeToTheLargestRecordTheAuditorWrites() {
    // Given
    AuditorConfig config =
        AuditorConfig.fromMap(
            Map.of("bootstrap.servers", "a:9092", "schema.registry.url", "mock://test"), Map.of());

    // When
    StreamsConfig streamsConfig = new StreamsConfig(config.streamsProperties());

    // Then a dead letter of a maximal input fits (contract 9.2: the sizes are set, not defaulted)
    assertThat(streamsConfig.getProducerConfigs("client"))
        .containsEntry(
            org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            io.agentauditor.streams.OutputLimits.MAX_REQUEST_SIZE);
    assertThat(io.agentauditor.streams.OutputLimits.MAX_REQUEST_SIZE)
        .isEqualTo(io.agentauditor.streams.OutputLimits.DEAD_LETTER_TOPIC_MAX_MESSAGE_BYTES)
        .isGreaterThan(io.agentauditor.streams.OutputLimits.TOPIC_MAX_MESSAGE_BYTES);
  }

  @Test
  void shouldLetAStreamsKeyOverrideTheRecordCacheSize() {
    // Given
    AuditorConfig config =
        AuditorConfig.fromMap(
            Map.of(
                "bootstrap.servers", "a:9092",
                "schema.registry.url", "mock://test",
                "streams.statestore.cache.max.bytes", "1048576"),
            Map.of());

    // When
    StreamsConfig streamsConfig = new StreamsConfig(config.streamsProperties());

    // Then
    assertThat(streamsConfig.getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo(1048576L);
  }

  @Test
  void shouldReadNestedYamlAndLetEnvironmentVariablesWin(@TempDir Path dir) throws Exception {
    // Given
    Path file = dir.resolve("auditor.yaml");
    Files.writeString(
        file,
        """
        bootstrap.servers: [kafka-1:9092, kafka-2:9092]
        schema.registry.url: http://registry:8081
        topics:
          events: prod-agent-events
          partitions: 12
          dead.letters: prod-dead-letters
        kafka:
          sasl.mechanism: PLAIN
        http.port: 9000
        """);
    Map<String, String> env =
        Map.of(
            "AUDITOR_HTTP_PORT", "0",
            "AUDITOR_TOPICS_DEAD_LETTERS", "env-dead-letters",
            "AUDITOR_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "AUDITOR_HOME", "/opt/auditor",
            "PATH", "/usr/bin");

    // When
    AuditorConfig config = AuditorConfig.load(file, env);

    // Then
    assertThat(config.bootstrapServers()).containsExactly("kafka-1:9092", "kafka-2:9092");
    assertThat(config.topics().events()).isEqualTo("prod-agent-events");
    assertThat(config.topics().deadLetters()).isEqualTo("env-dead-letters");
    assertThat(config.topicPartitions()).isEqualTo(12);
    assertThat(config.httpPort()).isZero();
    assertThat(config.passThrough())
        .containsEntry("kafka.sasl.mechanism", "PLAIN")
        .containsEntry("kafka.security.protocol", "SASL_SSL");
  }

  @Test
  void shouldReadAPropertiesFile(@TempDir Path dir) throws Exception {
    // Given
    Path file = dir.resolve("auditor.properties");
    Files.writeString(
        file,
        """
        bootstrap.servers=localhost:9092
        schema.registry.url=http://localhost:8081
        processing.guarantee=at_least_once
        schema.registry.ssl.truststore.location=/etc/tls/registry.jks
        basic.auth.credentials.source=USER_INFO
        basic.auth.user.info=auditor:s3cret
        """);

    // When
    AuditorConfig config = AuditorConfig.load(file, Map.of());

    // Then
    assertThat(config.processingGuarantee()).isEqualTo("at_least_once");
    assertThat(config.serdeConfig())
        .containsEntry("schema.registry.url", "http://localhost:8081")
        .containsEntry("auto.register.schemas", true)
        .containsEntry("basic.auth.credentials.source", "USER_INFO")
        .containsEntry("basic.auth.user.info", "auditor:s3cret")
        .containsEntry("schema.registry.ssl.truststore.location", "/etc/tls/registry.jks");
  }

  @Test
  void shouldListEveryBadKeyWithItsValueAndOrigin(@TempDir Path dir) throws Exception {
    // Given
    Path file = dir.resolve("auditor.properties");
    Files.writeString(
        file,
        """
        bootstrap.servers=localhost:9092
        schema.registry.url=http://localhost:8081
        processing.guarantee=exactly_once
        topics.partitions=0
        boostrap.servers=typo:9092
        topics.events=bad topic name
        """);
    Map<String, String> env = Map.of("AUDITOR_NUM_STREAM_THREADS", "many");

    // When / Then
    assertThatThrownBy(() -> AuditorConfig.load(file, env))
        .isInstanceOf(InvalidConfigException.class)
        .extracting(e -> ((InvalidConfigException) e).errors(), list(String.class))
        .hasSize(5)
        .anySatisfy(e -> assertThat(e)
            .startsWith("processing.guarantee=exactly_once (from file " + file + ")")
            .contains("exactly_once_v2"))
        .anySatisfy(e -> assertThat(e).startsWith("topics.partitions=0 (from file"))
        .anySatisfy(e -> assertThat(e).isEqualTo("unknown key boostrap.servers=typo:9092 in file " + file))
        .anySatisfy(e -> assertThat(e).startsWith("topics.events=bad topic name (from file"))
        .anySatisfy(e -> assertThat(e)
            .startsWith("num.stream.threads=many (from environment variable AUDITOR_NUM_STREAM_THREADS)"));
  }

  @Test
  void shouldNameAMissingRequiredKey() {
    assertThatThrownBy(() -> AuditorConfig.fromMap(Map.of("schema.registry.url", "mock://x"), Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("bootstrap.servers")
        .hasMessageContaining("Missing required configuration");
  }

  @Test
  void shouldNeverPrintAPasswordInAnError() {
    // Given: a password is fine, but another key is bad; and a bad password-typed value cannot occur,
    // so check the secret never appears anywhere in the message.
    Map<String, String> values =
        Map.of(
            "bootstrap.servers", "k:9092",
            "schema.registry.url", "mock://x",
            "basic.auth.user.info", "auditor:hunter2",
            "http.port", "70000");

    // When / Then
    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("http.port=70000")
        .hasMessageNotContaining("hunter2");
    assertThat(AuditorConfig.fromMap(Map.of(
            "bootstrap.servers", "k:9092", "schema.registry.url", "mock://x",
            "basic.auth.user.info", "auditor:hunter2"), Map.of()).toString())
        .doesNotContain("hunter2");
  }

  @Test
  void shouldRejectPassThroughKeysThatShadowTypedKeys() {
    Map<String, String> values = new java.util.HashMap<>(REQUIRED);
    values.put("streams.processing.guarantee", "at_least_once");
    values.put("kafka.bootstrap.servers", "elsewhere:9092");

    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .extracting(e -> ((InvalidConfigException) e).errors(), list(String.class))
        .hasSize(2)
        .allSatisfy(e -> assertThat(e).contains("use the typed key instead"));
  }

  @Test
  void shouldRejectTwoRolesOnOneTopic() {
    Map<String, String> values = new java.util.HashMap<>(REQUIRED);
    values.put("topics.dead.letters", "agent-events");

    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("topics.dead.letters=agent-events: same topic as topics.events");
  }

  @Test
  void shouldDocumentEveryKeyWithItsEnvironmentVariable() {
    String doc = AuditorConfig.documentation();

    for (String key : AuditorConfig.DEFINITION.names()) {
      assertThat(doc).contains("`" + key + "`").contains("`" + AuditorConfig.envVarName(key) + "`");
    }
    assertThat(AuditorConfig.envVarName("topics.dead.letters.retention.ms"))
        .isEqualTo("AUDITOR_TOPICS_DEAD_LETTERS_RETENTION_MS");
    assertThat(doc).contains("| `bootstrap.servers` | `AUDITOR_BOOTSTRAP_SERVERS` | list | `(required)` |");
  }

  @Test
  void shouldReadPlainKafkaSettingsInAFileAsTheirPassThroughKeys(@TempDir Path dir)
      throws Exception {
    // Given a file as a Kafka user writes it: client and Streams settings without a prefix
    Path file = dir.resolve("auditor.yaml");
    Files.writeString(
        file,
        """
        bootstrap.servers: kafka:9093
        schema.registry.url: http://registry:8081
        security.protocol: SASL_SSL
        sasl.mechanism: SCRAM-SHA-512
        ssl.truststore.location: /etc/kafka/truststore.jks
        num.standby.replicas: 1
        """);

    // When
    AuditorConfig config = AuditorConfig.load(file, Map.of());

    // Then client settings go to every client, Streams-only ones to Streams
    assertThat(config.passThrough())
        .containsEntry("kafka.security.protocol", "SASL_SSL")
        .containsEntry("kafka.sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("kafka.ssl.truststore.location", "/etc/kafka/truststore.jks")
        .containsEntry("streams.num.standby.replicas", "1");
    Properties props = config.streamsProperties();
    assertThat(props.get("security.protocol")).isEqualTo("SASL_SSL");
    assertThat(new StreamsConfig(props).getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
    assertThat(config.adminProperties()).containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void shouldReadAPlainKafkaSettingFromTheEnvironment() {
    // Given AUDITOR_ + a Kafka client setting, without KAFKA_
    Map<String, String> env = Map.of("AUDITOR_SECURITY_PROTOCOL", "SSL");

    // When
    AuditorConfig config = AuditorConfig.fromMap(REQUIRED, env);

    // Then run connects with it
    assertThat(config.passThrough()).containsEntry("kafka.security.protocol", "SSL");
    assertThat(config.streamsProperties().get("security.protocol")).isEqualTo("SSL");
  }

  @Test
  void shouldStillRefuseAKeyThatIsNeitherTheAuditorsNorKafkas() {
    Map<String, String> values = new java.util.HashMap<>(REQUIRED);
    values.put("security.protocl", "SSL");

    assertThatThrownBy(() -> AuditorConfig.fromMap(values, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("unknown key security.protocl=SSL");
  }
}
