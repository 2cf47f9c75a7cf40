package io.agentauditor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhatIfDiffTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCENARIO = "scenarios/demo-session.jsonl";

  @TempDir Path tmp;

  @Test
  void shouldListExactlyTheEventsWhoseDecisionsDifferBetweenTwoReplays() throws IOException {
    // Given the demo scenario, the default bundle, and a copy with a five-minute credential bound
    byte[] events = scenario();
    Path candidateDir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("candidate"));
    TestBundles.write(
        candidateDir,
        "settings.yaml",
        TestBundles.read(candidateDir, "settings.yaml")
            .replace("maxCredentialTtlSeconds: 3600", "maxCredentialTtlSeconds: 300"));
    Policy base = PolicyBundleLoader.load(TestBundles.defaultBundle());
    Policy candidate = PolicyBundleLoader.load(candidateDir);
    List<Decision> baseDecisions = replay(base, events);
    List<Decision> candidateDecisions = replay(candidate, events);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < baseDecisions.size(); i++) {
      Decision b = baseDecisions.get(i);
      Decision c = candidateDecisions.get(i);
      if (b.verdict() != c.verdict() || !ruleIds(b).equals(ruleIds(c))) {
        expected.add(b.eventId());
      }
    }
    // When
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WhatIfDiff.Summary summary =
        new WhatIfDiff(new AuditEngine(base), new AuditEngine(candidate))
            .run(
                new ByteArrayInputStream(events),
                out,
                new InMemoryStateStore(),
                new InMemoryStateStore(),
                (line, reason) -> {
                  throw new AssertionError("line " + line + ": " + reason);
                });
    // Then
    assertThat(candidateDecisions).hasSameSizeAs(baseDecisions);
    assertThat(expected).isNotEmpty();
    List<JsonNode> lines = lines(out);
    assertThat(lines.subList(0, lines.size() - 1))
        .extracting(l -> l.get("eventId").asText())
        .containsExactlyElementsOf(expected);
    assertThat(summary.differing()).isEqualTo(expected.size());
    assertThat(summary.compared()).isEqualTo(baseDecisions.size());
  }

  @Test
  void shouldListAnIdleTimeoutOnlyTheCandidateProducesAndTheStepItThenRefuses() throws IOException {
    // Given a candidate that closes sessions idle for ten minutes instead of thirty
    Path candidateDir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("candidate"));
    TestBundles.write(
        candidateDir,
        "settings.yaml",
        TestBundles.read(candidateDir, "settings.yaml")
            .replace("sessionIdleTimeoutSeconds: 1800", "sessionIdleTimeoutSeconds: 600"));
    String events =
        String.join(
            "\n",
            "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\",\"occurredAt\":\"2026-01-01T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/**\"]}}",
            "{\"eventId\":\"e2\",\"sessionId\":\"s2\",\"agentId\":\"agent:root\",\"occurredAt\":\"2026-01-01T10:15:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:bob\",\"grantedScopes\":[\"read:repo/**\"]}}",
            "{\"eventId\":\"e3\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\",\"occurredAt\":\"2026-01-01T10:16:00Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}");
    // When
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WhatIfDiff.Summary summary =
        new WhatIfDiff(
                new AuditEngine(PolicyBundleLoader.load(TestBundles.defaultBundle())),
                new AuditEngine(PolicyBundleLoader.load(candidateDir)))
            .run(
                new ByteArrayInputStream(events.getBytes(StandardCharsets.UTF_8)),
                out,
                new InMemoryStateStore(),
                new InMemoryStateStore(),
                (line, reason) -> {
                  throw new AssertionError("line " + line + ": " + reason);
                });
    // Then s1's idle timeout comes right after e2, with no base verdict, and e3 finds s1 closed
    List<JsonNode> lines = lines(out);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).get("eventId").asText()).isEqualTo("s1#idle-timeout");
    assertThat(lines.get(0).get("base").isNull()).isTrue();
    assertThat(lines.get(0).get("candidate").isNull()).isFalse();
    assertThat(lines.get(1).get("eventId").asText()).isEqualTo("e3");
    assertThat(lines.get(1).get("base").asText()).isEqualTo("ALLOW");
    assertThat(lines.get(1).get("candidate").asText()).isEqualTo("BLOCK");
    assertThat(lines.get(1).get("added").toString()).isEqualTo("[\"session-closed\"]");
    assertThat(summary.sessionsTouched()).isEqualTo(1);
    assertThat(summary.transitions()).containsEntry("ALLOW->BLOCK", 1L);
    assertThat(summary.transitions().keySet()).anyMatch(t -> t.startsWith("NONE->"));
  }

  private static List<Decision> replay(Policy policy, byte[] events) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Replayer(new AuditEngine(policy))
        .run(
            new ByteArrayInputStream(events),
            out,
            new InMemoryStateStore(),
            (line, reason) -> {
              throw new AssertionError("line " + line + ": " + reason);
            });
    return out.toString(StandardCharsets.UTF_8).lines().map(DecisionJsonCodec::decode).toList();
  }

  private static TreeSet<String> ruleIds(Decision d) {
    TreeSet<String> ids = new TreeSet<>();
    for (Finding f : d.findings()) {
      ids.add(f.ruleId());
    }
    return ids;
  }

  private static List<JsonNode> lines(ByteArrayOutputStream out) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  private static byte[] scenario() throws IOException {
    try (InputStream in = WhatIfDiffTest.class.getClassLoader().getResourceAsStream(SCENARIO)) {
      return in.readAllBytes();
    }
  }
}
