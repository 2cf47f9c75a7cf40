package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.agentauditor.gateway.DecisionApi;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.Finding;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.testing.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads off a running auditor, on a real broker: after a run with dead letters
 * (undecodable, contract-violating and mis-keyed records) and retries, {@code /metrics} balances
 * records in against decisions and dead letters and counts findings by rule; {@code /health} names
 * the policy in force and each task's lag; {@code /ready} follows Streams; and every metric the
 * shipped Grafana dashboard and Prometheus alert rules use is on the scrape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationsIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final Path OPERATIONS_DOCS = Path.of("../docs/operations");
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

  private final HttpClient http = HttpClient.newHttpClient();
  private AuditorConfig config;
  private Policy policy;
  private AuditorApp app;
  private List<Decision> decisions;
  private int deadLetters;

  @BeforeAll
  void runTheDemoSessionWithPoisonRecordsAndRetries(@TempDir Path stateDir) throws Exception {
    String prefix = KafkaBroker.uniqueName("ops");
    config =
        ItConfigs.config(
            KAFKA,
            prefix,
            stateDir,
            2,
            ItConfigs.gateway("-1"));
    policy = PolicyBundleLoader.load(TestBundles.defaultBundle());
    app = AuditorApp.start(config, policy, TestBundles.defaultBundle(), AuditorTopology::build);
    assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();

    List<String> demo = ItEvents.demoScenario();
    String session = "sess-payments-api-4821";
    List<Map.Entry<String, byte[]>> input = new ArrayList<>();
    for (String line : demo) {
      input.add(Map.entry(session, ItEvents.avro(config, line)));
    }
    // Retries: the same events again, byte for byte (their stored decisions are re-emitted)
    input.add(Map.entry(session, ItEvents.avro(config, demo.get(3))));
    input.add(Map.entry(session, ItEvents.avro(config, demo.get(8))));
    // Dead letters: bytes that aren't Avro, an event the contract refuses, a key not its session
    input.add(Map.entry(session, "not avro".getBytes(StandardCharsets.UTF_8)));
    input.add(Map.entry(session, invalidEvent(demo.get(4))));
    input.add(Map.entry("another-session", ItEvents.avro(config, demo.get(5))));
    deadLetters = 3;
    ItEvents.produce(KAFKA, config, input);
    decisions = ItEvents.awaitDecisions(KAFKA, config, demo.size() + 2, Duration.ofSeconds(90));
    // One request through the decision API, so its meters exist
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(app.decisionApiUri().orElseThrow().resolve(DecisionApi.PATH))
                .POST(HttpRequest.BodyPublishers.ofString(demo.get(0)))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  /** The Avro bytes of {@code line} with an empty eventId, which the Avro schema allows. */
  private byte[] invalidEvent(String line) {
    io.agentauditor.schema.AgentEvent event =
        io.agentauditor.avro.EventMapper.toAvro(io.agentauditor.codec.EventJsonCodec.decode(line));
    event.setEventId("");
    try (io.agentauditor.serde.AvroSerde<io.agentauditor.schema.AgentEvent> serde =
        io.agentauditor.serde.AvroSerde.of(
            io.agentauditor.schema.AgentEvent.class, config.serdeConfig(), false)) {
      return serde.serialize(config.topics().events(), event);
    }
  }

  @AfterAll
  void stop() {
    if (app != null) {
      app.close(Duration.ofSeconds(30));
    }
  }

  @Test
  void shouldBalanceRecordsInAgainstDecisionsAndDeadLettersOnMetrics() throws Exception {
    // Given every input record has been decided or dead-lettered (the API's request included)
    int records = ItEvents.demoScenario().size() + 2 + deadLetters + 1;

    // When /metrics is scraped
    Map<String, Double> samples = awaitScrape(s -> sum(s, "auditor_records_in_total") == records
        && sum(s, "auditor_dead_letters_total") == deadLetters);

    // Then records in = decisions on events + dead letters, each dead letter under its reason
    double eventDecisions = sumWhere(samples, "auditor_decisions_total", "trigger=\"event\"");
    assertThat(sum(samples, "auditor_records_in_total")).isEqualTo(records);
    assertThat(eventDecisions + sum(samples, "auditor_dead_letters_total")).isEqualTo(records);
    assertThat(samples)
        .containsEntry("auditor_dead_letters_total{reason=\"avro_serialization\"}", 1.0)
        .containsEntry("auditor_dead_letters_total{reason=\"invalid_agent_event\"}", 1.0)
        .containsEntry("auditor_dead_letters_total{reason=\"event_key_mismatch\"}", 1.0);
    // ... and the decision latency is counted once per event decision
    assertThat(samples.get("auditor_decision_latency_seconds_count")).isEqualTo(eventDecisions);
    assertThat(samples.get("auditor_event_age_seconds_count")).isEqualTo(eventDecisions);
  }

  @Test
  void shouldCountFindingsByRuleAndActionAsTheDecisionsCarryThem() throws Exception {
    // Given the findings of the decisions on the topic, by rule, action and mode
    Map<String, Double> expected = new TreeMap<>();
    for (Decision decision : decisions) {
      for (Finding f : decision.getFindings()) {
        expected.merge(
            "auditor_findings_total{action=\"" + f.getAction() + "\",mode=\"" + f.getMode()
                + "\",rule=\"" + f.getRuleId() + "\"}",
            1.0,
            Double::sum);
      }
    }
    assertThat(expected).hasSizeGreaterThan(3);

    // When /metrics is scraped (the API's decision, an ALLOW, has no finding)
    Map<String, Double> samples = awaitScrape(s -> sum(s, "auditor_records_in_total") > 0);

    // Then each rule's count is the topic's
    Map<String, Double> findings = new TreeMap<>();
    samples.forEach(
        (name, value) -> {
          if (name.startsWith("auditor_findings_total{")) {
            findings.put(name, value);
          }
        });
    assertThat(findings).isEqualTo(expected);
  }

  @Test
  void shouldNameThePolicyInForceAndEachTasksLagOnHealth() throws Exception {
    // When
    HttpResponse<String> health = get("/health");
    HttpResponse<String> ready = get("/ready");

    // Then
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode body = new ObjectMapper().readTree(health.body());
    assertThat(body.path("status").asText()).isEqualTo("UP");
    assertThat(body.path("state").asText()).isEqualTo("RUNNING");
    assertThat(body.path("policy").path("identity").asText()).isEqualTo(policy.identity());
    assertThat(body.path("policy").path("digest").asText()).isEqualTo(policy.digest());
    assertThat(body.path("policy").path("version").asText()).isEqualTo(policy.version());
    assertThat(body.path("tasks")).hasSize(2);
    for (JsonNode task : body.path("tasks")) {
      assertThat(task.path("task").asText()).matches("0_[01]");
      assertThat(task.path("partitions")).hasSize(1);
      assertThat(task.path("lag").asLong()).isGreaterThanOrEqualTo(0);
    }
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("{\"ready\":true,\"state\":\"RUNNING\"}");
    assertThat(awaitScrape(s -> true))
        .containsEntry(
            "auditor_policy_info{digest=\"" + policy.digest() + "\",name=\"" + policy.name()
                + "\",policy=\"" + policy.identity() + "\",version=\"" + policy.version() + "\"}",
            1.0);
  }

  @Test
  void shouldFindEveryMetricTheDashboardAndTheAlertRulesUseOnTheScrape() throws Exception {
    // Given the metric names in the shipped dashboard's and alert rules' expressions
    Set<String> used = new TreeSet<>();
    JsonNode dashboard =
        new ObjectMapper().readTree(OPERATIONS_DOCS.resolve("grafana-dashboard.json").toFile());
    dashboard.findValues("expr").forEach(e -> used.addAll(metricNames(e.asText())));
    JsonNode rules =
        new YAMLMapper().readTree(OPERATIONS_DOCS.resolve("prometheus-alerts.yml").toFile());
    rules.findValues("expr").forEach(e -> used.addAll(metricNames(e.asText())));
    assertThat(used).hasSizeGreaterThan(8);

    // When /metrics is scraped
    Set<String> scraped = new TreeSet<>();
    awaitScrape(s -> true).keySet().forEach(k -> scraped.add(k.replaceFirst("\\{.*", "")));

    // Then each is there
    assertThat(scraped).containsAll(used);
  }

  /** The auditor's and Kafka Streams' metric names in a PromQL expression. */
  static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\b(?:auditor|kafka_stream)_[a-z0-9_]+").matcher(expr);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  private Map<String, Double> awaitScrape(java.util.function.Predicate<Map<String, Double>> done) {
    List<Map<String, Double>> last = new ArrayList<>(List.of(Map.of()));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              last.set(0, scrape(get("/metrics").body()));
              return done.test(last.get(0));
            });
    return last.get(0);
  }

  /** Every sample of a Prometheus text scrape: {@code name{labels}} to value. */
  static Map<String, Double> scrape(String text) {
    Map<String, Double> samples = new TreeMap<>();
    Matcher m = SAMPLE.matcher(text);
    while (m.find()) {
      String value = m.group(3);
      samples.put(
          m.group(1) + (m.group(2) == null ? "" : m.group(2)),
          value.equals("NaN") ? Double.NaN : Double.parseDouble(value.replace("+Inf", "Infinity")));
    }
    return samples;
  }

  private static double sum(Map<String, Double> samples, String name) {
    return sumWhere(samples, name, "");
  }

  private static double sumWhere(Map<String, Double> samples, String name, String label) {
    double sum = 0;
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String key = e.getKey();
      if ((key.equals(name) || key.startsWith(name + "{")) && key.contains(label)) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  private HttpResponse<String> get(String path) throws Exception {
    URI uri = app.operationsUri().resolve(path);
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
