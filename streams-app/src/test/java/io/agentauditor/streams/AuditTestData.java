package io.agentauditor.streams;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.replay.Replayer;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Events, the default policy and reference decisions shared by the topology tests and ITs. */
final class AuditTestData {

  static final String DEMO_SESSION = "sess-payments-api-4821";

  private static Policy defaultPolicy;

  private AuditTestData() {}

  /** The repository's default bundle, loaded once. */
  static synchronized Policy defaultPolicy() {
    if (defaultPolicy == null) {
      defaultPolicy = PolicyBundleLoader.load(TestBundles.defaultBundle());
    }
    return defaultPolicy;
  }

  static TopicNames topicNames(String prefix) {
    return new TopicNames(
        prefix + "-events",
        prefix + "-decisions",
        prefix + "-violations",
        prefix + "-credentials",
        prefix + "-dead-letters");
  }

  /**
   * The configuration of a {@code TopologyTestDriver} test: {@code topics}, an in-memory registry
   * named by {@code registryUrl} ({@code mock://NAME}), state in {@code stateDir}.
   */
  static AuditorConfig driverConfig(TopicNames topics, String registryUrl, java.nio.file.Path stateDir) {
    return AuditorConfig.fromMap(
        java.util.Map.of(
            "bootstrap.servers", "unused:9092",
            "schema.registry.url", registryUrl,
            "state.dir", stateDir.toString(),
            "topics.events", topics.events(),
            "topics.decisions", topics.decisions(),
            "topics.violations", topics.violations(),
            "topics.credentials", topics.credentials(),
            "topics.dead.letters", topics.deadLetters()),
        java.util.Map.of());
  }

  /** The 17 lines of the demo scenario (one session, every kind of step, 5 violating steps). */
  static List<String> demoScenario() {
    try (InputStream in =
        AuditTestData.class.getClassLoader().getResourceAsStream("scenarios/demo-session.jsonl")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<AgentEvent> decode(List<String> lines) {
    return lines.stream().map(EventJsonCodec::decode).map(EventMapper::toAvro).toList();
  }

  /** The decisions {@code ./auditor replay} gives for {@code lines}, as JSON Lines. */
  static List<String> replay(List<String> lines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new Replayer(new AuditEngine(defaultPolicy()))
          .run(
              new ByteArrayInputStream(
                  (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)),
              out,
              new InMemoryStateStore(),
              (line, reason) -> {
                throw new AssertionError("line " + line + " is a dead letter: " + reason);
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8).lines().toList();
  }

  /** A decision of the decisions topic as its JSON Lines form (contract 9.1). */
  static String json(io.agentauditor.schema.Decision avro) {
    return DecisionJsonCodec.encode(DecisionMapper.fromAvro(avro));
  }

  /**
   * A realistic interleaving of {@code sessions} multi-agent sessions as JSON Lines in occurredAt
   * order (seeded, so the same arguments give the same lines). Each session starts, delegates to a
   * coder and a deployer, issues credentials and makes tool calls; depending on the session it also
   * leaks a secret, calls an unknown tool, issues a static key into CI, presents someone else's
   * credential, revokes, retries an event, ends with a live credential, or never ends (and is
   * closed by the idle timeout when later sessions move stream time on). Sessions start {@code
   * spacingSeconds} apart.
   */
  static List<String> generatedSessions(
      String prefix, int sessions, int spacingSeconds, long seed) {
    Random random = new Random(seed);
    Instant t0 = Instant.parse("2026-11-26T08:00:00Z");
    List<Timed> all = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      String sid = prefix + "-s" + s;
      String svc = "svc-" + s;
      String planner = "spiffe://acme.io/agent/planner-" + s;
      String coder = "spiffe://acme.io/agent/coder-" + s;
      String deployer = "spiffe://acme.io/agent/deployer-" + s;
      long at = t0.getEpochSecond() + (long) s * spacingSeconds;
      List<String[]> steps = new ArrayList<>(); // {agent, type, payload}
      steps.add(
          new String[] {
            planner,
            "SESSION_STARTED",
            "\"session\":{\"initiator\":\"user:dev"
                + s
                + "@acme.io\",\"grantedScopes\":[\"read:repo/acme/**\","
                + "\"write:repo/acme/"
                + svc
                + "\",\"write:deploy/staging/"
                + svc
                + "\"]}"
          });
      steps.add(
          new String[] {
            planner,
            "AGENT_DELEGATED",
            "\"delegation\":{\"childAgentId\":\""
                + coder
                + "\",\"scopes\":[\"read:repo/acme/**\",\"write:repo/acme/"
                + svc
                + "\"]}"
          });
      steps.add(
          new String[] {
            planner,
            "AGENT_DELEGATED",
            "\"delegation\":{\"childAgentId\":\""
                + deployer
                + "\",\"scopes\":[\"write:deploy/staging/"
                + svc
                + "\"]}"
          });
      steps.add(
          new String[] {
            planner,
            "CREDENTIAL_ISSUED",
            "\"credential\":{\"credentialId\":\""
                + sid
                + "-gh\",\"subjectAgentId\":\""
                + coder
                + "\",\"scopes\":[\"write:repo/acme/"
                + svc
                + "\"],"
                + "\"kind\":\"SHORT_LIVED_TOKEN\",\"ttlSeconds\":900,\"storage\":\"MEMORY\"}"
          });
      int calls = 3 + random.nextInt(5);
      for (int c = 0; c < calls; c++) {
        steps.add(
            new String[] {
              coder,
              "TOOL_CALL",
              c % 2 == 0
                  ? "\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/"
                      + svc
                      + "\",\"path\":\"src/f"
                      + c
                      + ".py\"}}"
                  : "\"toolCall\":{\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/"
                      + svc
                      + "\",\"path\":\"src/f"
                      + c
                      + ".py\",\"content\":\"x = "
                      + c
                      + "\"},\"credentialId\":\""
                      + sid
                      + "-gh\"}"
            });
      }
      switch (s % 5) {
        case 0 ->
            steps.add(
                new String[] {
                  coder,
                  "TOOL_CALL",
                  "\"toolCall\":{\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/"
                      + svc
                      + "\",\"path\":\".env\",\"content\":\"AWS_KEY=AKIAABCDEFGHIJKLMNOP\"}}"
                });
        case 1 ->
            steps.add(
                new String[] {
                  coder,
                  "TOOL_CALL",
                  "\"toolCall\":{\"tool\":\"shell.exec\",\"arguments\":{\"cmd\":\"ls\"}}"
                });
        case 2 ->
            steps.add(
                new String[] {
                  coder,
                  "CREDENTIAL_ISSUED",
                  "\"credential\":{\"credentialId\":\""
                      + sid
                      + "-ci\",\"subjectAgentId\":\""
                      + coder
                      + "\",\"scopes\":[\"read:repo/acme/"
                      + svc
                      + "\"],"
                      + "\"kind\":\"API_KEY\",\"ttlSeconds\":null,\"storage\":\"CI_VARIABLE\"}"
                });
        case 3 ->
            steps.add(
                new String[] {
                  deployer,
                  "TOOL_CALL",
                  "\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/"
                      + svc
                      + "\"},\"credentialId\":\""
                      + sid
                      + "-gh\"}"
                });
        default ->
            steps.add(
                new String[] {
                  deployer,
                  "TOOL_CALL",
                  "\"toolCall\":{\"tool\":\"cloud.deploy\",\"arguments\":{\"env\":\"staging\",\"service\":\""
                      + svc
                      + "\"}}"
                });
      }
      steps.add(
          new String[] {
            planner,
            "CREDENTIAL_ISSUED",
            "\"credential\":{\"credentialId\":\""
                + sid
                + "-deploy\",\"subjectAgentId\":\""
                + deployer
                + "\",\"scopes\":[\"write:deploy/staging/"
                + svc
                + "\"],"
                + "\"kind\":\"OIDC_TOKEN\",\"ttlSeconds\":3600,\"storage\":\"MEMORY\"}"
          });
      if (s % 3 == 0) {
        steps.add(
            new String[] {
              planner,
              "CREDENTIAL_REVOKED",
              "\"revocation\":{\"credentialId\":\"" + sid + "-deploy\",\"reason\":\"done\"}"
            });
      }
      if (s % 4 != 3) {
        steps.add(new String[] {planner, "SESSION_ENDED", null});
      }
      int n = 0;
      for (String[] step : steps) {
        n++;
        at += 1 + random.nextInt(20);
        String line = line(sid, "e" + n, step[0], Instant.ofEpochSecond(at), step[1], step[2]);
        all.add(new Timed(at, s, all.size(), line));
        if (s % 6 == 1 && n == 5) {
          // a gateway retry: the same event again, a little later
          at += 1;
          all.add(new Timed(at, s, all.size(), line));
        }
      }
    }
    all.sort(Comparator.comparingLong(Timed::at).thenComparingInt(Timed::order));
    return all.stream().map(Timed::line).toList();
  }

  static String line(
      String sid, String eventId, String agent, Instant at, String type, String payload) {
    return "{\"eventId\":\""
        + eventId
        + "\",\"sessionId\":\""
        + sid
        + "\",\"agentId\":\""
        + agent
        + "\",\"occurredAt\":\""
        + at
        + "\",\"type\":\""
        + type
        + "\""
        + (payload == null ? "" : "," + payload)
        + "}";
  }

  private record Timed(long at, int session, int order, String line) {}

  static boolean containsBytes(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  static String hex(byte[] bytes) {
    return Arrays.toString(bytes);
  }
}
