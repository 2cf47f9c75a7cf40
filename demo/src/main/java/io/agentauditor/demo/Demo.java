package io.agentauditor.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.gateway.DecisionApi;
import io.agentauditor.policy.Policy;
import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.registry.SchemaRegistryHttpServer;
import io.agentauditor.runtime.AuditorApp;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.CredentialKey;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.CredentialStatus;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.Finding;
import io.agentauditor.schema.Verdict;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.DeadLetter;
import io.agentauditor.streams.InfrastructureException;
import io.agentauditor.streams.TopicNames;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import io.agentauditor.testing.EmbeddedKafkaException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./auditor demo}: the whole pipeline on one machine with no setup. Starts a one-node
 * {@link EmbeddedKafkaCluster} and the in-memory registry {@code mock://demo}, runs the auditor
 * ({@link AuditorApp}, exactly-once, short commit interval), produces a scripted scenario event by
 * event through the Avro serde and prints every decision as it arrives, its SIEM violations
 * indented under it, then a summary.
 *
 * <p>Each event is followed by a wait on the auditor's committed output (its decision, or its dead
 * letter, and the violations the decision implies), never on time; a bounded timeout turns a stuck
 * auditor into an {@link InfrastructureException}. Everything the demo creates (broker data, the
 * Streams state directory, the registry) is removed when {@link #run} returns, and by a shutdown
 * hook on Ctrl-C. Not thread-safe; one run per instance.
 */
public final class Demo {

  /** The scripted scenario on the classpath. */
  public static final String SCENARIO_RESOURCE = "/scenarios/demo-session.jsonl";

  static final String REGISTRY = "demo";
  private static final Logger LOGGER = LoggerFactory.getLogger(Demo.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);

  /** How the demo's state directories in the temporary directory begin; the process id follows. */
  static final String STATE_DIR_PREFIX = "agent-auditor-demo-state-";

  /** What the demo saw, for the summary and for tests. */
  public record Result(
      int events,
      List<Decision> decisions,
      Map<Verdict, Integer> verdicts,
      int violations,
      int deadLetters,
      int credentialsLive,
      Duration startupTime) {

    public Result {
      decisions = List.copyOf(decisions);
      verdicts = Map.copyOf(verdicts);
    }
  }

  private final Policy policy;
  private final AuditorApp.TopologyFactory topology;
  private final List<AgentEvent> scenario;
  private final PrintWriter out;
  private final boolean color;

  /**
   * @param policy the bundle to enforce
   * @param topology the audit topology builder
   * @param scenario the events to play, in order
   * @param out where the person reads the demo
   * @param color whether to colour verdicts with ANSI escapes
   */
  public Demo(
      Policy policy,
      AuditorApp.TopologyFactory topology,
      List<AgentEvent> scenario,
      PrintWriter out,
      boolean color) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.topology = Objects.requireNonNull(topology, "topology");
    this.scenario = List.copyOf(scenario);
    this.out = Objects.requireNonNull(out, "out");
    this.color = color;
  }

  /** The built-in scenario, decoded with the strict JSON Lines codec. */
  public static List<AgentEvent> builtInScenario() {
    try (InputStream in = Demo.class.getResourceAsStream(SCENARIO_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + SCENARIO_RESOURCE);
      }
      return readScenario(in);
    } catch (IOException e) {
      throw new InfrastructureException("cannot read " + SCENARIO_RESOURCE, e);
    }
  }

  /**
   * Events of a JSON Lines stream; blank lines are skipped.
   *
   * @throws io.agentauditor.codec.InvalidEventException for a line that is not a valid event
   */
  public static List<AgentEvent> readScenario(InputStream in) throws IOException {
    List<AgentEvent> events = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (!line.isBlank()) {
        events.add(EventMapper.toAvro(EventJsonCodec.decode(line)));
      }
    }
    return events;
  }

  /**
   * Whether standard output should be coloured: a terminal is attached and {@code NO_COLOR} is not
   * set (https://no-color.org).
   */
  public static boolean colorWanted(Map<String, String> env) {
    if (env.containsKey("NO_COLOR") || System.console() == null) {
      return false;
    }
    try {
      // Java 22+ returns a console even when redirected; isTerminal() tells the truth there.
      Object terminal = System.console().getClass().getMethod("isTerminal").invoke(System.console());
      return Boolean.TRUE.equals(terminal);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /**
   * Plays the scenario and prints as it goes.
   *
   * @param keepRunning leave broker and auditor up after the summary, until the JVM is stopped
   * @return what was seen
   * @throws InfrastructureException if the broker or the auditor fails, or an output does not
   *     arrive in time
   */
  public Result run(boolean keepRunning) throws InterruptedException {
    long startNanos = System.nanoTime();
    Resources resources = new Resources();
    Thread hook = new Thread(resources::close, "auditor-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      resources.kafka = startKafka();
      resources.stateDir = Files.createTempDirectory(STATE_DIR_PREFIX + ProcessHandle.current().pid() + "-");
      AuditorConfig config = config(resources.kafka.bootstrapServers(), resources.stateDir);
      resources.app = AuditorApp.start(config, policy, topology);
      if (!resources.app.awaitRunning(OUTPUT_TIMEOUT)) {
        throw new InfrastructureException(
            "the auditor did not reach RUNNING (state " + resources.app.state() + ")");
      }
      Duration startup = Duration.ofNanos(System.nanoTime() - startNanos);
      out.printf(
          "agent-auditor demo: embedded Kafka at %s up in %d ms; auditor running in %d ms%n",
          resources.kafka.bootstrapServers(), resources.kafka.startupTime().toMillis(), startup.toMillis());
      out.printf("Policy %s%n", policy.identity());
      out.printf("Playing %d events of %s%n%n", scenario.size(), sessions());
      Result result = play(config, startup);
      printSummary(result);
      if (keepRunning) {
        resources.registry =
            SchemaRegistryHttpServer.start(InMemorySchemaRegistry.named(REGISTRY), 0);
        printKeepRunning(config, resources);
        new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook cleans up
      }
      return result;
    } catch (IOException e) {
      throw new InfrastructureException("cannot create the demo's state directory", e);
    } finally {
      resources.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook runs (and finds everything closed).
      }
    }
  }

  /** A one-node cluster; its failure is an {@link InfrastructureException} like any other here. */
  private static EmbeddedKafkaCluster startKafka() {
    try {
      return EmbeddedKafkaCluster.start();
    } catch (EmbeddedKafkaException e) {
      // Message and cause as they were: `demo:` prints both.
      throw new InfrastructureException(e.getMessage(), e.getCause());
    }
  }

  private String sessions() {
    List<String> ids = scenario.stream().map(AgentEvent::getSessionId).distinct().toList();
    return ids.size() == 1 ? "session " + ids.get(0) : ids.size() + " sessions";
  }

  static AuditorConfig config(String bootstrap, Path stateDir) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put(AuditorConfig.BOOTSTRAP_SERVERS, bootstrap);
    values.put(AuditorConfig.SCHEMA_REGISTRY_URL, "mock://" + REGISTRY);
    values.put(AuditorConfig.APPLICATION_ID, "agent-auditor-demo");
    // One partition: the demo prints outputs in the order the events were sent.
    values.put(AuditorConfig.TOPIC_PARTITIONS, 1);
    values.put(AuditorConfig.TOPIC_REPLICATION_FACTOR, 1);
    // The scenario is stamped on fixed dates and the outputs carry event time: with a time-based
    // retention the broker would delete them once the wall clock is a week past the scenario.
    values.put(AuditorConfig.TOPIC_RETENTION_MS, -1L);
    values.put(AuditorConfig.TOPIC_DEAD_LETTERS_RETENTION_MS, -1L);
    values.put(AuditorConfig.PROCESSING_GUARANTEE, "exactly_once_v2");
    // Outputs become visible at commit under exactly-once: commit often so the demo feels live.
    values.put(AuditorConfig.COMMIT_INTERVAL_MS, 20);
    values.put(AuditorConfig.PRODUCER_LINGER_MS, 0);
    values.put(AuditorConfig.STATE_DIR, stateDir.toString());
    values.put(AuditorConfig.ROCKSDB_MEMORY_BYTES, 32L * 1024 * 1024);
    values.put(AuditorConfig.HTTP_PORT, 0);
    // The decision API for gateways, on loopback only (no token), on a free port.
    values.put(AuditorConfig.GATEWAY_ENABLED, true);
    values.put(AuditorConfig.GATEWAY_PORT, 0);
    values.put(AuditorConfig.GATEWAY_GRPC_PORT, 0);
    values.put(AuditorConfig.GATEWAY_TIMEOUT_MS, 5_000L);
    // The demo is self-contained: AUDITOR_* variables meant for `run` do not leak into it.
    return AuditorConfig.fromMap(values, Map.of());
  }

  private Result play(AuditorConfig config, Duration startup) {
    TopicNames topics = config.topics();
    Map<String, Object> serdeConfig = config.serdeConfig();
    Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
    for (Verdict v : Verdict.values()) {
      verdicts.put(v, 0);
    }
    Map<String, AgentEvent> sent = new HashMap<>();
    Map<String, List<JsonNode>> violationsByEvent = new HashMap<>();
    // The ledger's latest state per key (sessionId, credentialId), as compaction keeps it (9.5).
    Map<CredentialKey, CredentialState> credentials = new LinkedHashMap<>();
    List<Decision> decisions = new ArrayList<>();
    int violations = 0;
    int deadLetters = 0;
    try (AvroSerde<AgentEvent> eventSerde = AvroSerde.of(AgentEvent.class, serdeConfig, false);
        AvroSerde<Decision> decisionSerde = AvroSerde.of(Decision.class, serdeConfig, false);
        AvroSerde<CredentialKey> credentialKeySerde = AvroSerde.of(CredentialKey.class, serdeConfig, true);
        AvroSerde<CredentialState> credentialSerde =
            AvroSerde.of(CredentialState.class, serdeConfig, false);
        KafkaProducer<String, AgentEvent> producer =
            new KafkaProducer<>(producerConfig(config), new StringSerializer(), eventSerde);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(config))) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic :
          List.of(topics.decisions(), topics.violations(), topics.credentials(), topics.deadLetters())) {
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);

      Pending pending = new Pending();
      for (AgentEvent event : scenario) {
        sent.put(key(event.getSessionId(), event.getEventId()), event);
        producer.send(new ProducerRecord<>(topics.events(), event.getSessionId(), event));
        producer.flush();
        pending.outputsAwaited++;
        long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
        while (pending.outputsAwaited > 0 || pending.hasUnprinted()) {
          if (System.nanoTime() > deadline) {
            throw new InfrastructureException(
                "no output for event " + event.getEventId() + " within " + OUTPUT_TIMEOUT
                    + " (auditor state " + pending + ")");
          }
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            String topic = record.topic();
            if (topic.equals(topics.decisions())) {
              Decision decision = decisionSerde.deserialize(topic, record.value());
              decisions.add(decision);
              verdicts.merge(decision.getVerdict(), 1, Integer::sum);
              if (!decision.getEventId().endsWith(AuditEngine.IDLE_TIMEOUT_SUFFIX)) {
                pending.outputsAwaited--;
              }
              pending.decisionsToPrint.add(decision);
            } else if (topic.equals(topics.violations())) {
              JsonNode violation = parse(record.value());
              violations++;
              violationsByEvent
                  .computeIfAbsent(violationKey(violation), k -> new ArrayList<>())
                  .add(violation);
            } else if (topic.equals(topics.credentials())) {
              readCredential(record, credentialKeySerde, credentialSerde, credentials);
            } else {
              deadLetters++;
              pending.outputsAwaited--;
              printDeadLetter(DeadLetter.fromRecord(record));
            }
          }
          pending.printReady(sent, violationsByEvent);
        }
      }
      // Credential records of the last events are committed with their decisions; read to the end.
      drain(consumer, partitions, credentialKeySerde, credentialSerde, credentials, topics);
    }
    int live =
        (int) credentials.values().stream().filter(c -> c.getStatus() == CredentialStatus.ACTIVE).count();
    return new Result(scenario.size(), decisions, verdicts, violations, deadLetters, live, startup);
  }

  private static void readCredential(
      ConsumerRecord<byte[], byte[]> record,
      AvroSerde<CredentialKey> keySerde,
      AvroSerde<CredentialState> valueSerde,
      Map<CredentialKey, CredentialState> credentials) {
    credentials.put(
        keySerde.deserialize(record.topic(), record.key()),
        valueSerde.deserialize(record.topic(), record.value()));
  }

  private static void drain(
      KafkaConsumer<byte[], byte[]> consumer,
      List<TopicPartition> partitions,
      AvroSerde<CredentialKey> credentialKeySerde,
      AvroSerde<CredentialState> credentialSerde,
      Map<CredentialKey, CredentialState> credentials,
      TopicNames topics) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
    while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
      if (System.nanoTime() > deadline) {
        throw new InfrastructureException("cannot read the auditor's outputs to their end");
      }
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        if (record.topic().equals(topics.credentials())) {
          readCredential(record, credentialKeySerde, credentialSerde, credentials);
        }
      }
    }
  }

  /** Decisions received but not yet printed, waiting for the violations they imply. */
  private final class Pending {
    int outputsAwaited;
    final List<Decision> decisionsToPrint = new ArrayList<>();

    boolean hasUnprinted() {
      return !decisionsToPrint.isEmpty();
    }

    void printReady(Map<String, AgentEvent> sent, Map<String, List<JsonNode>> violations) {
      while (!decisionsToPrint.isEmpty()) {
        Decision decision = decisionsToPrint.get(0);
        String key = key(decision.getSessionId(), decision.getEventId());
        List<JsonNode> mine = violations.getOrDefault(key, List.of());
        if (mine.size() < expectedViolations(decision)) {
          return; // committed in the same transaction: they are on their way
        }
        decisionsToPrint.remove(0);
        violations.remove(key);
        printDecision(decision, sent.get(key), mine);
      }
    }

    @Override
    public String toString() {
      return outputsAwaited + " output(s) awaited, " + decisionsToPrint.size() + " decision(s) awaiting violations";
    }
  }

  /** Contract 9.2: one violation per finding of a FLAG or BLOCK decision. */
  static int expectedViolations(Decision decision) {
    return decision.getVerdict() == Verdict.ALLOW ? 0 : decision.getFindings().size();
  }

  private static String key(String sessionId, String eventId) {
    return sessionId + "\u0000" + eventId;
  }

  private static String violationKey(JsonNode violation) {
    JsonNode summary = violation.path("unmapped").path("agent_auditor").path("decision_summary");
    return key(violation.path("actor").path("session").path("uid").asText(), summary.path("event_id").asText());
  }

  private static JsonNode parse(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new InfrastructureException("the auditor wrote a violation that is not JSON", e);
    }
  }

  private void printDecision(Decision decision, AgentEvent event, List<JsonNode> violations) {
    StringBuilder line = new StringBuilder();
    line.append(verdictTag(decision.getVerdict())).append(' ')
        .append(decision.getEventId()).append(' ')
        .append(decision.getAgentId()).append(' ')
        .append(decision.getType());
    String detail = event == null ? "" : detail(event);
    if (!detail.isEmpty()) {
      line.append(' ').append(detail);
    }
    List<Finding> findings = decision.getFindings();
    if (findings.size() == 1) {
      line.append(" — ").append(findings.get(0).getRuleId()).append(": ").append(findings.get(0).getMessage());
    } else if (!findings.isEmpty()) {
      line.append(" — ").append(findings.stream().map(Finding::getRuleId).collect(Collectors.joining(", ")));
    }
    out.println(line);
    // With one finding its message is already on the decision line; the violation adds its severity.
    boolean messageShown = findings.size() == 1;
    for (JsonNode violation : violations) {
      String message = violation.path("message").asText();
      out.printf(
          "        violation %-8s %s%s%n",
          // The OCSF record spells its caption ("High"); the auditor's outputs say HIGH.
          violation.path("severity").asText().toUpperCase(java.util.Locale.ROOT),
          violation.path("finding_info").path("analytic").path("uid").asText(),
          messageShown ? "" : ": " + message);
    }
    out.flush();
  }

  private void printDeadLetter(DeadLetter letter) {
    out.println(paint("[DEAD LETTER]", "35") + " offset " + letter.sourceOffset() + ": " + letter.reason());
  }

  private static String detail(AgentEvent event) {
    return switch (event.getType()) {
      case SESSION_STARTED -> "by " + event.getSession().getInitiator();
      case AGENT_DELEGATED -> "to " + event.getDelegation().getChildAgentId();
      case TOOL_CALL -> event.getToolCall().getTool()
          + (event.getToolCall().getCredentialId() == null ? "" : " with " + event.getToolCall().getCredentialId());
      case CREDENTIAL_ISSUED -> event.getCredential().getCredentialId()
          + " for " + event.getCredential().getSubjectAgentId();
      case CREDENTIAL_REVOKED -> event.getRevocation().getCredentialId();
      case APPROVAL_GRANTED -> event.getApproval().getApprovalId() + " by " + event.getApproval().getApprover();
      case SESSION_ENDED, UNRECOGNIZED -> "";
    };
  }

  private String verdictTag(Verdict verdict) {
    String tag = "[" + verdict.name() + "]";
    String padded = tag + " ".repeat(7 - tag.length());
    return switch (verdict) {
      case ALLOW -> paint(padded, "32");
      case FLAG -> paint(padded, "33");
      case BLOCK -> paint(padded, "1;31");
    };
  }

  private String paint(String text, String sgr) {
    return color ? "\u001b[" + sgr + "m" + text + "\u001b[0m" : text;
  }

  private void printSummary(Result result) {
    out.println();
    out.printf(
        "Summary: %d events, %d decisions (%d ALLOW, %d FLAG, %d BLOCK), %d violations,"
            + " %d dead letters, %d credential(s) still live%n",
        result.events(),
        result.decisions().size(),
        result.verdicts().get(Verdict.ALLOW),
        result.verdicts().get(Verdict.FLAG),
        result.verdicts().get(Verdict.BLOCK),
        result.violations(),
        result.deadLetters(),
        result.credentialsLive());
    out.flush();
  }

  /** An event to try the decision API with: a session of the demo's agent, not yet started. */
  static final String SAMPLE_REQUEST =
      "{\"eventId\":\"try-1\",\"sessionId\":\"sess-try\",\"agentId\":\"agent:planner\","
          + "\"occurredAt\":\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":"
          + "{\"initiator\":\"user:alice@acme.io\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";

  private void printKeepRunning(AuditorConfig config, Resources resources) {
    String bootstrap = resources.kafka.bootstrapServers();
    TopicNames topics = config.topics();
    out.println();
    out.println("The broker and the auditor keep running; Ctrl-C stops them and deletes their data.");
    String registry = resources.registry.uri().toString();
    out.println("  bootstrap servers: " + bootstrap);
    out.println("  schema registry:   " + registry);
    out.println("  operations:        " + resources.app.operationsUri() + "/health, /metrics");
    resources.app
        .decisionApiUri()
        .ifPresent(
            api -> {
              out.println("  decision API:      POST " + api + DecisionApi.PATH + " (one event, JSON)");
              resources.app
                  .extAuthzPort()
                  .ifPresent(
                      port ->
                          out.println(
                              "  Envoy ext_authz:   gRPC 127.0.0.1:"
                                  + port
                                  + " (envoy.service.auth.v3.Authorization/Check, MCP tools/call)"));
              out.println(
                  "  curl -s -X POST "
                      + api
                      + DecisionApi.PATH
                      + " -H 'Content-Type: application/json' -d '"
                      + SAMPLE_REQUEST
                      + "'");
            });
    out.println("  topics:            " + String.join(", ", topics.all()));
    String cluster = "--bootstrap-servers " + bootstrap + " --schema-registry " + registry;
    out.println("Feed the auditor a JSON Lines file, then replay the topic or diff two bundles on it:");
    out.println("  ./auditor produce " + cluster + " --topic " + topics.events() + " --input FILE.jsonl");
    out.println("  ./auditor replay " + cluster + " --topic " + topics.events());
    out.println(
        "  ./auditor diff --base policies --candidate DIR " + cluster + " --topic " + topics.events());
    out.println("Read the SIEM violations (JSON) or the dead letters:");
    out.println("  kcat -b " + bootstrap + " -C -t " + topics.violations() + " -X isolation.level=read_committed -e");
    out.println(
        "  kafka-console-consumer.sh --bootstrap-server " + bootstrap + " --topic " + topics.violations()
            + " --from-beginning --isolation-level read_committed");
    out.println(
        "  kafka-console-consumer.sh --bootstrap-server " + bootstrap + " --topic " + topics.deadLetters()
            + " --from-beginning --property print.headers=true");
    out.println("Decisions and credentials are Avro in the Confluent wire format, through the registry:");
    out.println(
        "  kcat -b " + bootstrap + " -C -t " + topics.decisions() + " -s value=avro -r " + registry
            + " -X isolation.level=read_committed -e");
    out.flush();
  }

  private static Map<String, Object> producerConfig(AuditorConfig config) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.bootstrapServers()));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return props;
  }

  private static Map<String, Object> consumerConfig(AuditorConfig config) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.bootstrapServers()));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return props;
  }

  /** What the demo started; closed once, by the normal path or by the Ctrl-C hook. */
  private static final class Resources {
    EmbeddedKafkaCluster kafka;
    AuditorApp app;
    SchemaRegistryHttpServer registry;
    Path stateDir;
    private boolean closed;

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (registry != null) {
        registry.close();
      }
      if (app != null) {
        app.close(CLOSE_TIMEOUT);
      }
      if (kafka != null) {
        kafka.close();
      }
      if (stateDir != null) {
        deleteRecursively(stateDir);
      }
      InMemorySchemaRegistry.drop(REGISTRY);
    }
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOGGER.warn("Cannot delete {}", root, e);
    }
  }
}
