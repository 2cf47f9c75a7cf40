package io.agentauditor.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.streams.BoundedMemoryRocksDBConfig;
import io.agentauditor.streams.DeadLetter;
import io.agentauditor.streams.OutputLimits;
import io.agentauditor.streams.TopicNames;
import io.agentauditor.streams.TopicSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auditor's typed configuration: every key defined once in {@link #DEFINITION} with its type,
 * default, validator and documentation (the model is Kafka's {@code StreamsConfig}).
 *
 * <p>Sources, later wins: defaults, then a {@code .properties} or {@code .yaml}/{@code .yml} file
 * (YAML nests by dots: {@code topics: {events: x}} is {@code topics.events=x}), then environment
 * variables named {@code AUDITOR_} + the key in upper snake case ({@code bootstrap.servers} is
 * {@code AUDITOR_BOOTSTRAP_SERVERS}, {@code topics.dead.letters} is {@code
 * AUDITOR_TOPICS_DEAD_LETTERS}).
 *
 * <p>Pass-through: {@code kafka.X} sets client property {@code X} for every Kafka client of the
 * auditor (Streams' own clients and the admin client), e.g. {@code kafka.security.protocol}; {@code
 * streams.X} sets Streams property {@code X} only. Both are applied after the typed keys and may not
 * name a key that has a typed equivalent. Every {@code schema.registry.*} key goes to the serdes
 * with the typed schema-registry keys ({@link #serdeConfig()}).
 *
 * <p>Validation is whole: {@link #load} and {@link #fromMap} throw one {@link
 * InvalidConfigException} listing every bad key with its value and origin. Unknown keys in a file
 * are errors (a typo must not silently fall back to a default); unknown {@code AUDITOR_*} variables
 * are logged and ignored, since launchers use that prefix too. Instances are immutable.
 */
public final class AuditorConfig extends AbstractConfig {

  private static final Logger LOGGER = LoggerFactory.getLogger(AuditorConfig.class);

  public static final String ENV_PREFIX = "AUDITOR_";
  public static final String KAFKA_PREFIX = "kafka.";
  public static final String STREAMS_PREFIX = "streams.";
  public static final String SCHEMA_REGISTRY_PREFIX = "schema.registry.";

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String APPLICATION_ID = "application.id";
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String POLICIES_DIR = "policies.dir";
  public static final String POLICY_RELOAD_INTERVAL_MS = "policy.reload.interval.ms";
  public static final String POLICY_EXPECTED_DIGESTS = "policy.expected.digests";
  public static final String TOPIC_EVENTS = "topics.events";
  public static final String TOPIC_DECISIONS = "topics.decisions";
  public static final String TOPIC_VIOLATIONS = "topics.violations";
  public static final String TOPIC_CREDENTIALS = "topics.credentials";
  public static final String TOPIC_DEAD_LETTERS = "topics.dead.letters";
  public static final String TOPIC_PARTITIONS = "topics.partitions";
  public static final String TOPIC_REPLICATION_FACTOR = "topics.replication.factor";
  public static final String TOPIC_RETENTION_MS = "topics.retention.ms";
  public static final String TOPIC_DEAD_LETTERS_RETENTION_MS = "topics.dead.letters.retention.ms";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
  public static final String PRODUCER_LINGER_MS = "producer.linger.ms";
  public static final String STATE_DIR = "state.dir";
  public static final String ROCKSDB_MEMORY_BYTES = BoundedMemoryRocksDBConfig.MEMORY_BYTES_CONFIG;
  public static final String ROCKSDB_WRITE_BUFFER_RATIO =
      BoundedMemoryRocksDBConfig.WRITE_BUFFER_RATIO_CONFIG;
  public static final String ENGINE_CACHED_RECORDS = "engine.cached.records";
  public static final String NUM_STREAM_THREADS = "num.stream.threads";
  public static final String THREAD_REPLACEMENT_MAX = "thread.replacement.max";
  public static final String THREAD_REPLACEMENT_WINDOW_MS = "thread.replacement.window.ms";
  public static final String STARTUP_TIMEOUT_MS = "startup.timeout.ms";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_BIND_ADDRESS = "http.bind.address";
  public static final String GATEWAY_ENABLED = "gateway.enabled";
  public static final String GATEWAY_PORT = "gateway.port";
  public static final String GATEWAY_BIND_ADDRESS = "gateway.bind.address";
  public static final String GATEWAY_ADVERTISED_HOST = "gateway.advertised.host";
  public static final String GATEWAY_TIMEOUT_MS = "gateway.timeout.ms";
  public static final String GATEWAY_ANSWER_WHEN = "gateway.answer.when";
  public static final String GATEWAY_MAX_IN_FLIGHT = "gateway.max.in.flight";
  public static final String GATEWAY_TOKEN_FILE = "gateway.token.file";
  public static final String GATEWAY_GRPC_PORT = "gateway.grpc.port";
  public static final String GATEWAY_AGENT_HEADER = "gateway.agent.header";
  public static final String GATEWAY_CREDENTIAL_HEADER = "gateway.credential.header";
  public static final String SHADOW_POLICIES = "shadow.policies";
  public static final String TOPIC_SHADOW_DECISIONS = "topics.shadow.decisions";
  public static final String TOPIC_SHADOW_DISAGREEMENTS = "topics.shadow.disagreements";

  /** {@link #GATEWAY_ANSWER_WHEN}: answer once the audit processor has decided (the default). */
  public static final String ANSWER_DECIDED = "decided";

  /** {@link #GATEWAY_ANSWER_WHEN}: answer once the decision is readable read_committed. */
  public static final String ANSWER_COMMITTED = "committed";

  private static final long DAY_MS = 24L * 60 * 60 * 1000;

  /** Every typed key, in documentation order. */
  public static final ConfigDef DEFINITION =
      new ConfigDef()
          .define(
              BOOTSTRAP_SERVERS,
              Type.LIST,
              ConfigDef.NO_DEFAULT_VALUE,
              ConfigDef.CompositeValidator.of(
                  ConfigDef.ValidList.anyNonDuplicateValues(false, false), new HostAndPorts()),
              Importance.HIGH,
              "Kafka brokers to bootstrap from, host:port[,host:port...]. Required.")
          .define(
              APPLICATION_ID,
              Type.STRING,
              "agent-auditor",
              new ConfigDef.NonEmptyStringWithoutControlChars(),
              Importance.HIGH,
              "Kafka Streams application id: consumer group, prefix of internal topics and of the"
                  + " state directory. Instances with the same id share the work.")
          .define(
              SCHEMA_REGISTRY_URL,
              Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              new RegistryUrls(),
              Importance.HIGH,
              "Confluent-compatible schema registry URL(s), comma separated; mock://NAME for an"
                  + " in-memory registry. Required. Other schema.registry.* keys (e.g."
                  + " schema.registry.ssl.truststore.location) are passed to the serdes as is.")
          .define(
              BASIC_AUTH_CREDENTIALS_SOURCE,
              Type.STRING,
              "URL",
              ValidString.in("URL", "USER_INFO", "SASL_INHERIT"),
              Importance.MEDIUM,
              "Where the schema registry basic-auth credentials come from (Confluent semantics).")
          .define(
              BASIC_AUTH_USER_INFO,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "user:password for the schema registry when the credentials source is USER_INFO.")
          .define(
              AUTO_REGISTER_SCHEMAS,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Whether the serdes register the auditor's output schemas. Set false where schemas"
                  + " are registered by a pipeline and the auditor may only read them.")
          .define(
              POLICIES_DIR,
              Type.STRING,
              "policies",
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Directory of the policy bundle to enforce.")
          .define(
              POLICY_RELOAD_INTERVAL_MS,
              Type.LONG,
              10_000L,
              Range.atLeast(0),
              Importance.MEDIUM,
              "How often run looks for a changed bundle in policies.dir; a new version takes over"
                  + " only if it loads and passes its own cases. 0: never reload.")
          .define(
              POLICY_EXPECTED_DIGESTS,
              Type.LIST,
              "",
              ConfigDef.ValidList.anyNonDuplicateValues(true, false),
              Importance.MEDIUM,
              "SHA-256 digests (hex, as in the policy identity) of the only bundles run may"
                  + " enforce, at start and at reload; empty: any bundle.")
          .define(
              TOPIC_EVENTS,
              Type.STRING,
              "agent-events",
              AuditorConfig::validateTopicName,
              Importance.HIGH,
              "Input topic of agent events (Avro), keyed by sessionId.")
          .define(
              TOPIC_DECISIONS,
              Type.STRING,
              "agent-decisions",
              AuditorConfig::validateTopicName,
              Importance.HIGH,
              "Output topic of decisions, one per input event.")
          .define(
              TOPIC_VIOLATIONS,
              Type.STRING,
              "agent-violations",
              AuditorConfig::validateTopicName,
              Importance.HIGH,
              "Output topic of OCSF violation findings for the SIEM.")
          .define(
              TOPIC_CREDENTIALS,
              Type.STRING,
              "agent-credentials",
              AuditorConfig::validateTopicName,
              Importance.HIGH,
              "Output topic of credential lifecycle records, compacted by (sessionId, credentialId).")
          .define(
              TOPIC_DEAD_LETTERS,
              Type.STRING,
              "agent-dead-letters",
              AuditorConfig::validateTopicName,
              Importance.HIGH,
              "Dead-letter topic: undecodable or invalid input with reason and source position.")
          .define(
              TOPIC_PARTITIONS,
              Type.INT,
              6,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Partitions of the topics the auditor creates. The events topic must have exactly"
                  + " this many; outputs are created with it.")
          .define(
              TOPIC_REPLICATION_FACTOR,
              Type.SHORT,
              (short) -1,
              AuditorConfig::validateReplicationFactor,
              Importance.MEDIUM,
              "Replication factor of the topics the auditor creates, and of Streams' internal"
                  + " topics; -1 uses the broker's default.replication.factor.")
          .define(
              TOPIC_RETENTION_MS,
              Type.LONG,
              7 * DAY_MS,
              Range.atLeast(-1),
              Importance.MEDIUM,
              "retention.ms of the events, decisions and violations topics (-1 = forever).")
          .define(
              TOPIC_DEAD_LETTERS_RETENTION_MS,
              Type.LONG,
              30 * DAY_MS,
              Range.atLeast(-1),
              Importance.MEDIUM,
              "retention.ms of the dead-letter topic (-1 = forever).")
          .define(
              PROCESSING_GUARANTEE,
              Type.STRING,
              StreamsConfig.EXACTLY_ONCE_V2,
              ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
              Importance.HIGH,
              "exactly_once_v2 (every event decided and emitted exactly once; needs brokers with"
                  + " transactions) or at_least_once (a crash may re-emit decisions).")
          .define(
              COMMIT_INTERVAL_MS,
              Type.LONG,
              100L,
              Range.atLeast(1),
              Importance.MEDIUM,
              "How often Streams commits; under exactly_once_v2 outputs become visible to"
                  + " read_committed consumers only at commit, so this bounds their latency.")
          .define(
              PRODUCER_LINGER_MS,
              Type.INT,
              5,
              Range.atLeast(0),
              Importance.LOW,
              "linger.ms of the Streams producer: batching delay traded for latency.")
          .define(
              STATE_DIR,
              Type.STRING,
              System.getProperty("java.io.tmpdir") + "/kafka-streams",
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Directory of the RocksDB state stores. Use a persistent volume in production: an"
                  + " empty one means a full restore from the changelogs.")
          .define(
              ROCKSDB_MEMORY_BYTES,
              Type.LONG,
              256L * 1024 * 1024,
              Range.atLeast(16L * 1024 * 1024),
              Importance.MEDIUM,
              "Bound on RocksDB off-heap memory for all stores of this instance: one shared LRU"
                  + " block cache, with memtables charged to it.")
          .define(
              ROCKSDB_WRITE_BUFFER_RATIO,
              Type.DOUBLE,
              0.5,
              Range.between(0.05, 0.9),
              Importance.LOW,
              "Share of rocksdb.memory.bytes that memtables may use before they are flushed.")
          .define(
              ENGINE_CACHED_RECORDS,
              Type.INT,
              CachingStateStore.DEFAULT_MAX_ENTRIES,
              Range.atLeast(1),
              Importance.LOW,
              "Decoded chain-state records each stream task keeps on the heap (the session used least"
                  + " recently out first), roughly 0.5 KB each; every write still goes to RocksDB at once.")
          .define(
              NUM_STREAM_THREADS,
              Type.INT,
              1,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Stream threads of this instance.")
          .define(
              THREAD_REPLACEMENT_MAX,
              Type.INT,
              3,
              Range.atLeast(0),
              Importance.MEDIUM,
              "A stream thread that dies is replaced at most this many times per window; one more"
                  + " failure in the window shuts the instance down.")
          .define(
              THREAD_REPLACEMENT_WINDOW_MS,
              Type.LONG,
              10L * 60 * 1000,
              Range.atLeast(1),
              Importance.MEDIUM,
              "The sliding window of thread.replacement.max.")
          .define(
              STARTUP_TIMEOUT_MS,
              Type.LONG,
              30_000L,
              Range.between(1_000L, 600_000L),
              Importance.MEDIUM,
              "How long run waits for the Kafka cluster at start (reaching bootstrap.servers,"
                  + " checking the topics) before it gives up with exit code 1.")
          .define(
              HTTP_PORT,
              Type.INT,
              8080,
              Range.between(0, 65535),
              Importance.MEDIUM,
              "Port of the /health and /metrics endpoint; 0 picks a free port.")
          .define(
              HTTP_BIND_ADDRESS,
              Type.STRING,
              "127.0.0.1",
              new ConfigDef.NonEmptyString(),
              Importance.LOW,
              "Address the HTTP endpoint binds to; 0.0.0.0 to let a scraper in another container"
                  + " reach it.")
          .define(
              GATEWAY_ENABLED,
              Type.BOOLEAN,
              false,
              Importance.HIGH,
              "Serve the decision API for gateways (POST /v1/decisions, contract section 11) on its"
                  + " own port.")
          .define(
              GATEWAY_PORT,
              Type.INT,
              8088,
              Range.between(0, 65535),
              Importance.MEDIUM,
              "Port of the decision API; 0 picks a free port.")
          .define(
              GATEWAY_BIND_ADDRESS,
              Type.STRING,
              "127.0.0.1",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Address the decision API binds to; any address but a loopback one needs"
                  + " gateway.token.file.")
          .define(
              GATEWAY_ADVERTISED_HOST,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Host other instances reach this one's decision API at (Kafka Streams'"
                  + " application.server is this host and gateway.port); empty: the bind address.")
          .define(
              GATEWAY_TIMEOUT_MS,
              Type.LONG,
              250L,
              Range.atLeast(1),
              Importance.HIGH,
              "Deadline of a decision request; past it the answer is 504, which a gateway treats as"
                  + " a deny.")
          .define(
              GATEWAY_ANSWER_WHEN,
              Type.STRING,
              ANSWER_DECIDED,
              ValidString.in(ANSWER_DECIDED, ANSWER_COMMITTED),
              Importance.MEDIUM,
              "When a decision request is answered: decided (once the audit processor has decided"
                  + " the event; deterministic, so a reprocessed event gets the same decision) or"
                  + " committed (once the decision is readable read_committed on the decisions"
                  + " topic; exactly-once, adds up to commit.interval.ms).")
          .define(
              GATEWAY_MAX_IN_FLIGHT,
              Type.INT,
              256,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Decision requests served at once; one more is answered 429 at once.")
          .define(
              GATEWAY_TOKEN_FILE,
              Type.STRING,
              "",
              Importance.HIGH,
              "File holding the bearer token every decision request must present (compared in"
                  + " constant time); empty: no token, allowed on a loopback address only.")
          .define(
              GATEWAY_GRPC_PORT,
              Type.INT,
              9191,
              Range.between(-1, 65535),
              Importance.MEDIUM,
              "Port of Envoy's ext_authz gRPC Check for MCP, on gateway.bind.address; 0 picks a"
                  + " free port, -1 serves none.")
          .define(
              GATEWAY_AGENT_HEADER,
              Type.STRING,
              "",
              Importance.LOW,
              "ext_authz: the request header naming the agent when the request has neither a"
                  + " SPIFFE client certificate (x-forwarded-client-cert) nor a source principal.")
          .define(
              GATEWAY_CREDENTIAL_HEADER,
              Type.STRING,
              "",
              Importance.LOW,
              "ext_authz: the request header naming the credential a tools/call presents.")
          .define(
              SHADOW_POLICIES,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Directory of a candidate policy bundle that decides live traffic too, with its own"
                  + " chain state, and never changes a live decision (contract section 12);"
                  + " empty: no shadow.")
          .define(
              TOPIC_SHADOW_DECISIONS,
              Type.STRING,
              "agent-shadow-decisions",
              AuditorConfig::validateTopicName,
              Importance.MEDIUM,
              "Output topic of the shadow bundle's decisions (created only with shadow.policies).")
          .define(
              TOPIC_SHADOW_DISAGREEMENTS,
              Type.STRING,
              "agent-shadow-disagreements",
              AuditorConfig::validateTopicName,
              Importance.MEDIUM,
              "Output topic of the events on which the shadow and live bundles disagree, one diff"
                  + " line each (created only with shadow.policies).");

  /** Typed keys whose meaning a {@code kafka.*} or {@code streams.*} key must not override. */
  private static final Set<String> RESERVED_CLIENT_KEYS =
      Set.of(
          BOOTSTRAP_SERVERS,
          APPLICATION_ID,
          PROCESSING_GUARANTEE,
          COMMIT_INTERVAL_MS,
          STATE_DIR,
          NUM_STREAM_THREADS,
          StreamsConfig.REPLICATION_FACTOR_CONFIG,
          StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
          StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
          PRODUCER_LINGER_MS);

  private final Map<String, String> passThrough;

  private AuditorConfig(Map<String, String> values, Map<String, String> passThrough) {
    super(DEFINITION, values, false);
    this.passThrough = Map.copyOf(passThrough);
  }

  /**
   * Loads {@code file} ({@code .properties}, {@code .yaml} or {@code .yml}) and applies {@code
   * env} overrides.
   *
   * @throws InvalidConfigException if the file cannot be read or parsed, or any value is invalid
   */
  public static AuditorConfig load(Path file, Map<String, String> env) {
    return resolve(readFile(file), "file " + file, env);
  }

  /**
   * Builds a configuration from {@code values} (as a file would give them) and {@code env}
   * overrides; for tests and the embedded demo.
   *
   * @throws InvalidConfigException if any value is invalid
   */
  public static AuditorConfig fromMap(Map<String, ?> values, Map<String, String> env) {
    Map<String, String> strings = new LinkedHashMap<>();
    values.forEach((k, v) -> strings.put(k, v == null ? null : String.valueOf(v)));
    return resolve(strings, "settings", env);
  }

  /** {@code AUDITOR_} + upper snake case of {@code key}. */
  public static String envVarName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static AuditorConfig resolve(
      Map<String, String> fileValues, String fileOrigin, Map<String, String> env) {
    List<String> errors = new ArrayList<>();
    Map<String, String> merged = new TreeMap<>();
    Map<String, String> origins = new TreeMap<>();
    fileValues.forEach(
        (key, value) -> {
          if (value == null) {
            return;
          }
          String known = key;
          if (!isKnownKey(key)) {
            known = plainKafkaKey(key);
            if (known == null) {
              errors.add("unknown key " + key + "=" + echo(key, value) + " in " + fileOrigin);
              return;
            }
            LOGGER.info("{} in {} is a Kafka setting: read as {}", key, fileOrigin, known);
          }
          merged.put(known, value);
          origins.put(known, fileOrigin);
        });
    Map<String, String> envToKey =
        DEFINITION.names().stream()
            .collect(Collectors.toMap(AuditorConfig::envVarName, name -> name));
    new TreeMap<>(env)
        .forEach(
            (variable, value) -> {
              if (!variable.startsWith(ENV_PREFIX)) {
                return;
              }
              String key = envToKey.get(variable);
              if (key == null) {
                key = passThroughKeyOf(variable);
              }
              if (key == null) {
                key = plainKafkaKey(envKeyOf(variable));
                if (key != null) {
                  LOGGER.info("{} names a Kafka setting: read as {}", variable, key);
                }
              }
              if (key == null) {
                LOGGER.warn(
                    "Ignoring environment variable {}: no such configuration key (Kafka client"
                        + " settings are {}KAFKA_<KEY>, Streams settings {}STREAMS_<KEY>)",
                    variable,
                    ENV_PREFIX,
                    ENV_PREFIX);
                return;
              }
              merged.put(key, value);
              origins.put(key, "environment variable " + variable);
            });

    Map<String, String> typed = new TreeMap<>();
    Map<String, String> passThrough = new TreeMap<>();
    merged.forEach(
        (key, value) -> {
          if (DEFINITION.names().contains(key)) {
            typed.put(key, value);
          } else {
            passThrough.put(key, value);
          }
        });
    for (ConfigValue value : DEFINITION.validateAll(typed).values()) {
      // After a parse failure ConfigDef also reports "null" for the same key: the first says it all.
      if (!value.errorMessages().isEmpty()) {
        errors.add(
            describe(value.name(), typed.get(value.name()), origins, value.errorMessages().get(0)));
      }
    }
    passThrough.forEach(
        (key, value) -> {
          String clientKey = stripPassThroughPrefix(key);
          if (clientKey != null && (clientKey.isEmpty() || RESERVED_CLIENT_KEYS.contains(clientKey))) {
            errors.add(
                key
                    + " (from "
                    + origins.get(key)
                    + ") is not allowed: "
                    + (clientKey.isEmpty() ? "empty property name" : "use the typed key instead"));
          }
        });
    if (errors.isEmpty()) {
      checkTopicsAreDistinct(typed, errors);
    }
    if (!errors.isEmpty()) {
      throw new InvalidConfigException(errors);
    }
    AuditorConfig config;
    try {
      config = new AuditorConfig(typed, passThrough);
    } catch (ConfigException e) {
      // validateAll checked every key; this is a guard against a validator/parser disagreement.
      throw new InvalidConfigException(e.getMessage(), e);
    }
    config.checkClientConfigs(origins);
    if (config.gatewayEnabled()) {
      config.gatewaySettings(); // the token file and the bind address, at load
    }
    return config;
  }

  /**
   * Lets Kafka Streams and the admin client parse what they will be given, so a bad pass-through
   * value ({@code kafka.*}, {@code streams.*}) is an error naming the key as written, at load,
   * rather than a client's exception after the topics were created.
   */
  private void checkClientConfigs(Map<String, String> origins) {
    try {
      new QuietStreamsConfig(streamsProperties());
      new QuietAdminConfig(adminProperties());
    } catch (ConfigException e) {
      java.util.regex.Matcher m = CONFIG_NAME.matcher(String.valueOf(e.getMessage()));
      String clientKey = m.find() ? m.group(1) : null;
      for (Map.Entry<String, String> p : passThrough.entrySet()) {
        String stripped = stripPassThroughPrefix(p.getKey());
        if (clientKey != null && (clientKey.equals(stripped) || p.getKey().endsWith("." + clientKey))) {
          throw new InvalidConfigException(
              p.getKey()
                  + "="
                  + echo(p.getKey(), p.getValue())
                  + " (from "
                  + origins.getOrDefault(p.getKey(), "defaults")
                  + "): "
                  + e.getMessage(),
              e);
        }
      }
      throw new InvalidConfigException(e.getMessage(), e);
    }
  }

  /** The name in Kafka's "Invalid value X for configuration NAME: ..." messages. */
  private static final java.util.regex.Pattern CONFIG_NAME =
      java.util.regex.Pattern.compile("for configuration ([^\\s:]+)");

  /** Streams' own parsing of its properties, without logging them. */
  private static final class QuietStreamsConfig extends StreamsConfig {
    QuietStreamsConfig(Map<?, ?> props) {
      super(props, false);
    }
  }

  /** The admin client's own parsing of its properties, without logging them. */
  private static final class QuietAdminConfig extends AdminClientConfig {
    QuietAdminConfig(Map<?, ?> props) {
      super(props, false);
    }
  }

  /** {@code value} for a message: escaped and cut short, or hidden when the key looks secret. */
  private static String echo(String key, String value) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.contains("password") || k.contains("secret") || k.contains("user.info")
        || k.contains("token") || k.contains("credential") || k.contains("jaas")) {
      return "[hidden]";
    }
    String quoted = io.agentauditor.text.Echo.quote(value);
    return quoted.substring(1, quoted.length() - 1);
  }

  /** Every entry of a list is {@code host:port} with a port in 1..65535. */
  private static final class HostAndPorts implements ConfigDef.Validator {
    private static final java.util.regex.Pattern HOST_PORT =
        java.util.regex.Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]/]+):([0-9]{1,5})");

    @Override
    public void ensureValid(String name, Object value) {
      if (!(value instanceof List<?> list)) {
        return;
      }
      for (Object o : list) {
        String entry = String.valueOf(o).trim();
        java.util.regex.Matcher m = HOST_PORT.matcher(entry);
        int port = m.matches() ? Integer.parseInt(m.group(2)) : 0;
        if (port < 1 || port > 65535) {
          throw new ConfigException(name, value, "'" + entry + "' is not host:port (port 1 to 65535)");
        }
      }
    }

    @Override
    public String toString() {
      return "host:port[,host:port...]";
    }
  }

  /** Comma-separated http(s) URLs with a host, or mock://NAME. */
  private static final class RegistryUrls implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String text = value == null ? "" : value.toString().trim();
      if (text.isEmpty()) {
        throw new ConfigException(name, value, "must not be empty");
      }
      for (String url : text.split(",")) {
        String u = url.trim();
        java.net.URI uri;
        try {
          uri = new java.net.URI(u);
        } catch (java.net.URISyntaxException e) {
          throw new ConfigException(name, value, "'" + u + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean ok =
            scheme.equals("mock")
                ? uri.getSchemeSpecificPart().length() > 2
                // The authority, not the host: java.net.URI has no host for names with '_'.
                : (scheme.equals("http") || scheme.equals("https"))
                    && uri.getRawAuthority() != null
                    && !uri.getRawAuthority().isEmpty();
        if (!ok) {
          throw new ConfigException(
              name, value, "'" + u + "' is not an http(s) URL with a host, or mock://NAME");
        }
      }
    }

    @Override
    public String toString() {
      return "http(s)://host[:port][,...] or mock://NAME";
    }
  }

  private static String describe(
      String key, String rawValue, Map<String, String> origins, String message) {
    String origin = origins.getOrDefault(key, "defaults");
    boolean secret = DEFINITION.configKeys().get(key).type == Type.PASSWORD;
    if (rawValue == null) {
      return key + " (" + origin + "): " + message;
    }
    String shown = secret ? "[hidden]" : rawValue;
    String redundant = "Invalid value " + rawValue + " for configuration " + key + ": ";
    String text = message.startsWith(redundant) ? message.substring(redundant.length()) : message;
    text = secret ? text.replace(rawValue, "[hidden]") : text;
    return key + "=" + shown + " (from " + origin + "): " + text;
  }

  private static void checkTopicsAreDistinct(Map<String, String> typed, List<String> errors) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (String key :
        List.of(
            TOPIC_EVENTS,
            TOPIC_DECISIONS,
            TOPIC_VIOLATIONS,
            TOPIC_CREDENTIALS,
            TOPIC_DEAD_LETTERS,
            TOPIC_SHADOW_DECISIONS,
            TOPIC_SHADOW_DISAGREEMENTS)) {
      String name = typed.getOrDefault(key, (String) DEFINITION.configKeys().get(key).defaultValue);
      String previous = byName.putIfAbsent(name, key);
      if (previous != null) {
        errors.add(key + "=" + name + ": same topic as " + previous);
      }
    }
  }

  private static boolean isKnownKey(String key) {
    return DEFINITION.names().contains(key)
        || key.startsWith(KAFKA_PREFIX)
        || key.startsWith(STREAMS_PREFIX)
        || key.startsWith(SCHEMA_REGISTRY_PREFIX);
  }

  /** {@code AUDITOR_SECURITY_PROTOCOL} is {@code security.protocol}. */
  private static String envKeyOf(String variable) {
    return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** Every Kafka client setting: producer's, consumer's, admin's (they share the common ones). */
  private static final Set<String> CLIENT_KEYS = clientKeys();

  private static Set<String> clientKeys() {
    Set<String> keys = new java.util.HashSet<>(ProducerConfig.configNames());
    keys.addAll(org.apache.kafka.clients.consumer.ConsumerConfig.configNames());
    keys.addAll(AdminClientConfig.configNames());
    return Set.copyOf(keys);
  }

  /**
   * The pass-through key a plain Kafka setting stands for, where that is unambiguous: {@code
   * kafka.X} for a client setting ({@code security.protocol}, {@code sasl.jaas.config}, {@code
   * ssl.truststore.location}), {@code streams.X} for a Streams-only one ({@code
   * num.standby.replicas}); null for any other key.
   */
  static String plainKafkaKey(String key) {
    if (DEFINITION.names().contains(key)) {
      return null;
    }
    if (CLIENT_KEYS.contains(key)) {
      return KAFKA_PREFIX + key;
    }
    if (StreamsConfig.configDef().names().contains(key)) {
      return STREAMS_PREFIX + key;
    }
    return null;
  }

  private static String passThroughKeyOf(String variable) {
    String rest = variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    return rest.startsWith(KAFKA_PREFIX)
            || rest.startsWith(STREAMS_PREFIX)
            || rest.startsWith(SCHEMA_REGISTRY_PREFIX)
        ? rest
        : null;
  }

  private static String stripPassThroughPrefix(String key) {
    if (key.startsWith(KAFKA_PREFIX)) {
      return key.substring(KAFKA_PREFIX.length());
    }
    if (key.startsWith(STREAMS_PREFIX)) {
      return key.substring(STREAMS_PREFIX.length());
    }
    return null;
  }

  private static void validateTopicName(String name, Object value) {
    try {
      Topic.validate((String) value);
    } catch (InvalidTopicException e) {
      throw new ConfigException(name, value, e.getMessage());
    }
  }

  private static void validateReplicationFactor(String name, Object value) {
    short factor = (Short) value;
    if (factor != -1 && factor < 1) {
      throw new ConfigException(name, value, "must be -1 (broker default) or at least 1");
    }
  }

  private static Map<String, String> readFile(Path file) {
    String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      if (fileName.endsWith(".yaml") || fileName.endsWith(".yml")) {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        Map<String, String> flat = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
          return flat;
        }
        if (!root.isObject()) {
          throw new InvalidConfigException(
              List.of("file " + file + ": the top level must be a mapping of keys to values"));
        }
        flatten("", root, flat);
        return flat;
      }
      if (fileName.endsWith(".properties")) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          properties.load(reader);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).trim()));
        return values;
      }
      throw new InvalidConfigException(
          List.of("file " + file + ": expected a .properties, .yaml or .yml file"));
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException("file " + file + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidConfigException("file " + file + ": cannot read (" + e + ")", e);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(item -> items.add(item.asText()));
      out.put(prefix, String.join(",", items));
    } else if (node.isNull()) {
      out.put(prefix, null);
    } else {
      out.put(prefix, node.asText());
    }
  }

  // ---- typed accessors ----

  public List<String> bootstrapServers() {
    return getList(BOOTSTRAP_SERVERS);
  }

  public String applicationId() {
    return getString(APPLICATION_ID);
  }

  public Path policiesDir() {
    return Path.of(getString(POLICIES_DIR));
  }

  /** The state directory of Kafka Streams ({@value #STATE_DIR}). */
  /** How often the bundle directory is checked for a new version; zero when never. */
  public java.time.Duration policyReloadInterval() {
    return java.time.Duration.ofMillis(getLong(POLICY_RELOAD_INTERVAL_MS));
  }

  /** The digests a bundle must have to be enforced; empty when any may. */
  public Set<String> policyExpectedDigests() {
    return getList(POLICY_EXPECTED_DIGESTS).stream()
        .map(d -> d.strip().toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }

  public Path stateDir() {
    return Path.of(getString(STATE_DIR));
  }

  /** The five topic names. */
  public TopicNames topics() {
    return new TopicNames(
        getString(TOPIC_EVENTS),
        getString(TOPIC_DECISIONS),
        getString(TOPIC_VIOLATIONS),
        getString(TOPIC_CREDENTIALS),
        getString(TOPIC_DEAD_LETTERS));
  }

  /** The topics' names and how {@link io.agentauditor.streams.TopicsAdmin} creates them. */
  public TopicSettings topicSettings() {
    return new TopicSettings(
        topics(),
        topicPartitions(),
        topicReplicationFactor(),
        topicRetentionMs(),
        deadLetterRetentionMs(),
        shadowPoliciesDir().isPresent()
            ? List.of(shadowDecisionsTopic(), shadowDisagreementsTopic())
            : List.of());
  }

  public int topicPartitions() {
    return getInt(TOPIC_PARTITIONS);
  }

  /** Replication factor for created topics; -1 means the broker default. */
  public short topicReplicationFactor() {
    return getShort(TOPIC_REPLICATION_FACTOR);
  }

  public long topicRetentionMs() {
    return getLong(TOPIC_RETENTION_MS);
  }

  public long deadLetterRetentionMs() {
    return getLong(TOPIC_DEAD_LETTERS_RETENTION_MS);
  }

  public String processingGuarantee() {
    return getString(PROCESSING_GUARANTEE);
  }

  public long rocksDbMemoryBytes() {
    return getLong(ROCKSDB_MEMORY_BYTES);
  }

  public int engineCachedRecords() {
    return getInt(ENGINE_CACHED_RECORDS);
  }

  public int threadReplacementMax() {
    return getInt(THREAD_REPLACEMENT_MAX);
  }

  public java.time.Duration threadReplacementWindow() {
    return java.time.Duration.ofMillis(getLong(THREAD_REPLACEMENT_WINDOW_MS));
  }

  public java.time.Duration startupTimeout() {
    return java.time.Duration.ofMillis(getLong(STARTUP_TIMEOUT_MS));
  }

  public int httpPort() {
    return getInt(HTTP_PORT);
  }

  public String httpBindAddress() {
    return getString(HTTP_BIND_ADDRESS);
  }

  public boolean gatewayEnabled() {
    return getBoolean(GATEWAY_ENABLED);
  }

  /**
   * The decision API's settings, the token read from {@code gateway.token.file}.
   *
   * @throws InvalidConfigException when the token file can't be read or is empty, or no token
   *     is set for an address that is not loopback
   */
  public io.agentauditor.gateway.GatewaySettings gatewaySettings() {
    String bind = getString(GATEWAY_BIND_ADDRESS);
    java.net.InetAddress address;
    try {
      address = java.net.InetAddress.getByName(bind);
    } catch (java.net.UnknownHostException e) {
      throw new InvalidConfigException(GATEWAY_BIND_ADDRESS + ": unknown host '" + bind + "'", e);
    }
    byte[] token = null;
    String file = getString(GATEWAY_TOKEN_FILE);
    if (!file.isEmpty()) {
      try {
        token = java.nio.file.Files.readString(java.nio.file.Path.of(file)).strip()
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new InvalidConfigException(GATEWAY_TOKEN_FILE + ": cannot read " + file + " (" + e + ")", e);
      }
      if (token.length == 0) {
        throw new InvalidConfigException(GATEWAY_TOKEN_FILE + ": " + file + " is empty", null);
      }
    }
    try {
      return new io.agentauditor.gateway.GatewaySettings(
          address,
          getInt(GATEWAY_PORT),
          java.time.Duration.ofMillis(getLong(GATEWAY_TIMEOUT_MS)),
          getInt(GATEWAY_MAX_IN_FLIGHT),
          token);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(GATEWAY_TOKEN_FILE + ": " + e.getMessage(), e);
    }
  }

  /** The ext_authz gRPC port; -1 when none is served. */
  public int gatewayGrpcPort() {
    return getInt(GATEWAY_GRPC_PORT);
  }

  /** The shadow bundle's directory ({@value #SHADOW_POLICIES}), empty when there is no shadow. */
  public Optional<Path> shadowPoliciesDir() {
    String dir = getString(SHADOW_POLICIES);
    return dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
  }

  /** The shadow bundle's decisions topic ({@value #TOPIC_SHADOW_DECISIONS}). */
  public String shadowDecisionsTopic() {
    return getString(TOPIC_SHADOW_DECISIONS);
  }

  /** The shadow bundle's disagreements topic ({@value #TOPIC_SHADOW_DISAGREEMENTS}). */
  public String shadowDisagreementsTopic() {
    return getString(TOPIC_SHADOW_DISAGREEMENTS);
  }

  /** The ext_authz agent header, or null. */
  public String gatewayAgentHeader() {
    String h = getString(GATEWAY_AGENT_HEADER);
    return h.isEmpty() ? null : h;
  }

  /** The ext_authz credential header, or null. */
  public String gatewayCredentialHeader() {
    String h = getString(GATEWAY_CREDENTIAL_HEADER);
    return h.isEmpty() ? null : h;
  }

  /** Whether the decision API answers once the decision is committed ({@code gateway.answer.when}). */
  public boolean gatewayAnswersWhenCommitted() {
    return ANSWER_COMMITTED.equals(getString(GATEWAY_ANSWER_WHEN));
  }

  /** The host other instances reach this one's decision API at. */
  public String gatewayAdvertisedHost() {
    String host = getString(GATEWAY_ADVERTISED_HOST);
    return host.isEmpty() ? getString(GATEWAY_BIND_ADDRESS) : host;
  }

  /** The {@code kafka.*}, {@code streams.*} and extra {@code schema.registry.*} keys as given. */
  public Map<String, String> passThrough() {
    return passThrough;
  }

  /**
   * The properties for {@code new KafkaStreams(topology, props)}: typed keys mapped to Streams
   * names, the bounded-memory RocksDB setter, log-and-continue deserialization and processing
   * handlers writing to the dead-letter topic, then {@code kafka.*} and {@code streams.*} keys.
   * A fresh object on every call.
   */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", bootstrapServers()));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, getLong(COMMIT_INTERVAL_MS));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(NUM_STREAM_THREADS));
    props.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) topicReplicationFactor());
    props.put(StreamsConfig.producerPrefix("linger.ms"), getInt(PRODUCER_LINGER_MS));
    // The largest record the auditor writes (a dead letter of a maximal input), set explicitly,
    // like the topics' max.message.bytes (contract 9.2).
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        OutputLimits.MAX_REQUEST_SIZE);
    // No statestore.cache.max.bytes: the chain-state stores hold their writes in a layer of their
    // own (WriteBackStore) in place of Streams' record cache, which no store uses.
    props.put(
        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDBConfig.class.getName());
    props.put(ROCKSDB_MEMORY_BYTES, rocksDbMemoryBytes());
    props.put(ROCKSDB_WRITE_BUFFER_RATIO, getDouble(ROCKSDB_WRITE_BUFFER_RATIO));
    props.putAll(DeadLetter.handlerProperties(topics().deadLetters(), topics().violations()));
    if (gatewayEnabled()) {
      // Where other instances forward decision requests for the partitions this one owns.
      props.put(
          StreamsConfig.APPLICATION_SERVER_CONFIG,
          gatewayAdvertisedHost() + ":" + getInt(GATEWAY_PORT));
    }
    passThrough.forEach(
        (key, value) -> {
          if (key.startsWith(KAFKA_PREFIX)) {
            props.put(key.substring(KAFKA_PREFIX.length()), value);
          }
        });
    passThrough.forEach(
        (key, value) -> {
          if (key.startsWith(STREAMS_PREFIX)) {
            props.put(key.substring(STREAMS_PREFIX.length()), value);
          }
        });
    return props;
  }

  /** Admin client properties: bootstrap servers plus every {@code kafka.*} key. */
  public Map<String, Object> adminProperties() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", bootstrapServers()));
    passThrough.forEach(
        (key, value) -> {
          if (key.startsWith(KAFKA_PREFIX)) {
            props.put(key.substring(KAFKA_PREFIX.length()), value);
          }
        });
    return props;
  }

  /**
   * Configuration for the Confluent-format serdes, with Confluent's key names: the registry URL,
   * {@code auto.register.schemas}, the basic-auth keys when set, and every other {@code
   * schema.registry.*} key (TLS, alternative basic-auth spelling) as given.
   */
  public Map<String, Object> serdeConfig() {
    Map<String, Object> serde = new LinkedHashMap<>();
    serde.put(SCHEMA_REGISTRY_URL, getString(SCHEMA_REGISTRY_URL));
    serde.put(AUTO_REGISTER_SCHEMAS, getBoolean(AUTO_REGISTER_SCHEMAS));
    serde.put(BASIC_AUTH_CREDENTIALS_SOURCE, getString(BASIC_AUTH_CREDENTIALS_SOURCE));
    Password userInfo = getPassword(BASIC_AUTH_USER_INFO);
    if (userInfo != null) {
      serde.put(BASIC_AUTH_USER_INFO, userInfo.value());
    }
    passThrough.forEach(
        (key, value) -> {
          if (key.startsWith(SCHEMA_REGISTRY_PREFIX)) {
            serde.put(key, value);
          }
        });
    return serde;
  }

  /**
   * A Markdown table of every typed key: name, environment variable, type, default and meaning.
   * The README's configuration section is generated from it.
   */
  public static String documentation() {
    StringBuilder table = new StringBuilder();
    table.append("| key | environment variable | type | default | meaning |\n");
    table.append("|---|---|---|---|---|\n");
    for (ConfigDef.ConfigKey key : DEFINITION.configKeys().values()) {
      Object defaultValue = key.defaultValue;
      String shown =
          defaultValue == ConfigDef.NO_DEFAULT_VALUE
              ? "(required)"
              : defaultValue == null ? "(none)" : ConfigDef.convertToString(defaultValue, key.type);
      table
          .append("| `").append(key.name).append("` | `").append(envVarName(key.name))
          .append("` | ").append(key.type.name().toLowerCase(Locale.ROOT))
          .append(" | `").append(shown).append("` | ").append(key.documentation).append(" |\n");
    }
    return table.toString();
  }
}
