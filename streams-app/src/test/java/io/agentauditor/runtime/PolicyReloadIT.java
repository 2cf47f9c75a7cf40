package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.schema.Decision;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.testing.KafkaBroker;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy rollout under a running auditor, on a real broker: a new version that loads and passes
 * its own cases takes over between two steps (every decision after the switch carries its
 * identity, none is lost or duplicated, the chain state written under the old one is read by the
 * new one); a bundle that doesn't load, and one whose cases fail, are refused and counted while the
 * one in force keeps deciding.
 */
class PolicyReloadIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final String SESSION = "sess-payments-api-4821";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldSwitchToAGoodBundleAndRefuseBrokenOnesWhileDecisionsContinue(
      @TempDir Path stateDir, @TempDir Path bundle) throws Exception {
    // Given an auditor enforcing a copy of the default bundle, looking for changes every 100 ms
    TestBundles.copy(TestBundles.defaultBundle(), bundle);
    Policy first = PolicyBundleLoader.load(bundle);
    AuditorConfig config =
        ItConfigs.config(
            KAFKA,
            KafkaBroker.uniqueName("reload"),
            stateDir,
            1,
            Map.of("policy.reload.interval.ms", "100"));
    AuditorApp app = AuditorApp.start(config, first, bundle, AuditorTopology::build);
    try {
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
      List<String> demo = ItEvents.demoScenario();
      int half = 8;
      produce(config, demo.subList(0, half));
      ItEvents.awaitDecisions(KAFKA, config, half, Duration.ofSeconds(60));

      // When a new version of the bundle is written in place
      replace(bundle.resolve("bundle.yaml"), "version: 1.0.0", "version: 1.1.0");
      Policy second = PolicyBundleLoader.load(bundle);
      assertThat(second.identity()).isNotEqualTo(first.identity());
      await().atMost(Duration.ofSeconds(30)).until(() -> app.policy().identity().equals(second.identity()));
      // ... and the rest of the session arrives
      produce(config, demo.subList(half, demo.size()));

      // Then every event is decided once, in order: the first half under the old version, the
      // rest, mid-session (on chain state the old one wrote), under the new one
      List<Decision> decisions =
          ItEvents.awaitDecisions(KAFKA, config, demo.size(), Duration.ofSeconds(60));
      assertThat(decisions)
          .extracting(Decision::getEventId)
          .containsExactlyElementsOf(demo.stream().map(PolicyReloadIT::eventId).toList());
      assertThat(decisions.subList(0, half))
          .extracting(Decision::getPolicy)
          .containsOnly(first.identity());
      assertThat(decisions.subList(half, demo.size()))
          .extracting(Decision::getPolicy)
          .containsOnly(second.identity());
      // ... with the verdicts the default bundle gives the demo session (only the version changed)
      assertThat(decisions)
          .extracting(d -> d.getVerdict().name())
          .containsExactlyElementsOf(replayedVerdicts(demo));
      assertThat(scrape(app))
          .contains("auditor_policy_reloads_total{outcome=\"applied\"} 1.0")
          .contains("auditor_policy_info{digest=\"" + second.digest() + "\"");

      // When the bundle is broken: a rules file that doesn't parse
      Path rules = bundle.resolve("rules.yaml");
      String goodRules = Files.readString(rules);
      write(rules, goodRules + "\n  - [this is: not a rule\n");
      // Then it is refused, counted, and the running version keeps deciding
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> scrape(app).contains("auditor_policy_reloads_total{outcome=\"refused\"} 1.0"));
      assertThat(app.policy().identity()).isEqualTo(second.identity());

      // When the bundle loads but one of its own cases fails (an action changed, its case not)
      write(rules, goodRules);
      replace(
          bundle.resolve("cases/agent-reparented.yaml"),
          "{eventId: e5, verdict: BLOCK, rules: [agent-reparented]}",
          "{eventId: e5, verdict: FLAG, rules: [agent-reparented]}");
      // Then it is refused too
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> scrape(app).contains("auditor_policy_reloads_total{outcome=\"refused\"} 2.0"));
      assertThat(app.policy().identity()).isEqualTo(second.identity());

      // ... and a step arriving now is decided under the version in force
      String late =
          "{\"eventId\":\"late-1\",\"sessionId\":\"" + SESSION + "\",\"agentId\":\"agent:planner\","
              + "\"occurredAt\":\"2026-03-02T09:30:00Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":"
              + "\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";
      produce(config, List.of(late));
      List<Decision> all =
          ItEvents.awaitDecisions(KAFKA, config, demo.size() + 1, Duration.ofSeconds(60));
      assertThat(all).hasSize(demo.size() + 1);
      assertThat(all.get(demo.size()).getEventId()).isEqualTo("late-1");
      assertThat(all.get(demo.size()).getPolicy()).isEqualTo(second.identity());
    } finally {
      app.close(Duration.ofSeconds(30));
    }
  }

  private static void produce(AuditorConfig config, List<String> lines) {
    ItEvents.produce(
        KAFKA,
        config,
        lines.stream().map(l -> Map.entry(SESSION, ItEvents.avro(config, l))).toList());
  }

  private static String eventId(String line) {
    return io.agentauditor.codec.EventJsonCodec.decode(line).eventId();
  }

  private static List<String> replayedVerdicts(List<String> lines) {
    io.agentauditor.engine.AuditEngine engine =
        new io.agentauditor.engine.AuditEngine(PolicyBundleLoader.load(TestBundles.defaultBundle()));
    io.agentauditor.engine.InMemoryStateStore store = new io.agentauditor.engine.InMemoryStateStore();
    List<String> verdicts = new ArrayList<>();
    for (String line : lines) {
      verdicts.add(
          engine.process(io.agentauditor.codec.EventJsonCodec.decode(line), store)
              .decision()
              .verdict()
              .name());
    }
    return verdicts;
  }

  private String scrape(AuditorApp app) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(app.operationsUri().resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private static void replace(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    assertThat(text).contains(from);
    write(file, text.replace(from, to));
  }

  /** Writes {@code file} at once (a new file moved over it), as a rollout should. */
  private static void write(Path file, String text) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, text);
    Files.move(
        next,
        file,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

}
