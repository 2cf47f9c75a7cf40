package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Verdict;
import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Contract 9.2 (v2): no decision or violation exceeds 1 MiB, shown at the worst case the section 2
 * and 4 limits allow: ids of 256 bytes, 128 scopes of 512 bytes, free text of 4 KiB, 64 arguments
 * with names of 256 bytes and values up to 256 KiB, a path 17 agents long (depth 16), and a session
 * end with 1,024 live credentials. Each output is measured as the topology writes it (Avro decision
 * with the registry framing, OCSF JSON) and as replay writes it (decision JSON line).
 */
class OutputBoundsTest {

  private static final int MIB = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private static final List<Decision> DECISIONS = new ArrayList<>();

  private static String id(String prefix) {
    return prefix + "-" + "i".repeat(256 - prefix.length() - 1);
  }

  private static String scope(String action, int n) {
    String head = action + ":f" + n + "/";
    return head + "s".repeat(512 - head.length());
  }

  private static List<String> scopes(String action, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(scope(action, i));
    }
    return out;
  }

  private static final String SESSION = id("session");
  private static final String ROOT = id("root");
  private static final String NARROW = id("narrow");
  private static int nextEvent;
  private static long nextMillis;

  private static ObjectNode event(String agent, String type) {
    ObjectNode e = JSON.createObjectNode();
    e.put("eventId", id("e" + nextEvent++));
    e.put("sessionId", SESSION);
    e.put("agentId", agent);
    e.put("occurredAt", T0.plusMillis(nextMillis).toString());
    e.put("type", type);
    return e;
  }

  private static ArrayNode array(ObjectNode parent, String field, List<String> values) {
    ArrayNode a = parent.putArray(field);
    values.forEach(a::add);
    return a;
  }

  private static List<String> ids(String prefix, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(id(prefix + i));
    }
    return out;
  }

  @BeforeAll
  static void decideTheWorstCase() throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    // A session granting everything, with 127 more scopes of 512 bytes and 4 KiB of free text
    ObjectNode start = event(ROOT, "SESSION_STARTED");
    ObjectNode session = start.putObject("session");
    session.put("initiator", "u".repeat(4096));
    session.put("intent", "t".repeat(4096));
    List<String> granted = new ArrayList<>(List.of("*:**"));
    granted.addAll(scopes("admin", 127));
    array(session, "grantedScopes", granted);
    events.add(start);
    // A chain 16 deep, each hop delegating 128 scopes of 512 bytes
    List<String> chain = ids("agent", 16);
    String parent = ROOT;
    for (String child : chain) {
      nextMillis += 61_000; // one step a minute: no fan-out here
      ObjectNode d = event(parent, "AGENT_DELEGATED");
      ObjectNode delegation = d.putObject("delegation");
      delegation.put("childAgentId", child);
      delegation.put("purpose", "p".repeat(4096));
      List<String> delegated = new ArrayList<>(List.of("*:**"));
      delegated.addAll(scopes("write", 127));
      array(delegation, "scopes", delegated);
      events.add(d);
      parent = child;
    }
    String deepest = parent;
    // A narrow agent, which then delegates 128 scopes it does not hold (scope-widening)
    ObjectNode narrow = event(ROOT, "AGENT_DELEGATED");
    narrow.putObject("delegation").put("childAgentId", NARROW).putArray("scopes").add("read:x");
    events.add(narrow);
    ObjectNode widening = event(NARROW, "AGENT_DELEGATED");
    ObjectNode wd = widening.putObject("delegation");
    wd.put("childAgentId", id("wide"));
    array(wd, "scopes", scopes("admin", 128));
    events.add(widening);
    // The narrow agent's credential, so a call can present it and exceed its scopes
    ObjectNode narrowCred = event(ROOT, "CREDENTIAL_ISSUED");
    narrowCred
        .putObject("credential")
        .put("credentialId", id("narrow-cred"))
        .put("subjectAgentId", NARROW)
        .put("kind", "SHORT_LIVED_TOKEN")
        .put("ttlSeconds", 3600)
        .put("storage", "MEMORY")
        .putArray("scopes")
        .add("read:x");
    events.add(narrowCred);
    // A call that fires every tool-call rule with the longest messages: a 256 KiB service name in
    // a sensitive required scope (scope-widening, approval-required, credential-scope-exceeded),
    // and 62 more arguments whose names are keys and whose values hold a secret and code
    ObjectNode call = event(NARROW, "TOOL_CALL");
    ObjectNode tc = call.putObject("toolCall");
    tc.put("tool", "cloud.deploy");
    tc.put("credentialId", id("narrow-cred"));
    ObjectNode args = tc.putObject("arguments");
    args.put("env", "prod");
    args.put("service", "v".repeat(256 * 1024));
    for (int i = 0; i < 62; i++) {
      String name = String.format("AKIAIOSFODNN7EX%05d", i) + "n".repeat(236);
      args.put(name, "xoxb-1234567890\nexpires_at: null\n".repeat(300));
    }
    events.add(call);
    // The same arguments to a repository (the code patterns too) by an agent 16 deep
    ObjectNode write = call.deepCopy();
    write.put("eventId", id("e" + nextEvent++));
    write.put("agentId", deepest);
    ObjectNode wtc = (ObjectNode) write.get("toolCall");
    wtc.put("tool", "repo.write_file");
    wtc.remove("credentialId");
    ((ObjectNode) wtc.get("arguments")).remove("env");
    ((ObjectNode) wtc.get("arguments")).remove("service");
    ((ObjectNode) wtc.get("arguments")).put("repo", "r".repeat(200 * 1024));
    events.add(write);
    // 1,023 more credentials (1,024 in all, the session limit), 256-byte ids, issued by the deepest
    // agent within the last hour
    for (int i = 0; i < 1_023; i++) {
      nextMillis += 3_000;
      ObjectNode issue = event(deepest, "CREDENTIAL_ISSUED");
      issue
          .putObject("credential")
          .put("credentialId", id("cred" + i))
          .put("subjectAgentId", deepest)
          .put("kind", "SHORT_LIVED_TOKEN")
          .put("ttlSeconds", 3600)
          .put("storage", "MEMORY")
          .putArray("scopes")
          .add("read:repo/acme");
      events.add(issue);
    }
    // The session ends with them all live
    events.add(event(ROOT, "SESSION_ENDED"));

    AuditEngine engine = new AuditEngine(AuditTestData.defaultPolicy());
    InMemoryStateStore store = new InMemoryStateStore();
    for (ObjectNode e : events) {
      String line = JSON.writeValueAsString(e);
      assertThat(line.getBytes(StandardCharsets.UTF_8).length).as("a valid record").isLessThanOrEqualTo(MIB);
      StepResult r = engine.process(EventJsonCodec.decode(line), store);
      DECISIONS.add(r.decision());
      DECISIONS.addAll(r.idleTimeouts());
    }
  }

  @Test
  void shouldReachTheWorstCaseItMeansToMeasure() {
    // The scenario does what it says: a 1,024-finding session end, every tool-call rule fired
    Decision end = DECISIONS.get(DECISIONS.size() - 1);
    assertThat(end.findings()).hasSize(1_024).allSatisfy(f -> assertThat(f.ruleId()).isEqualTo("credential-not-revoked"));
    assertThat(DECISIONS)
        .flatExtracting(d -> d.findings().stream().map(f -> f.ruleId()).toList())
        .contains(
            "scope-widening",
            "approval-required",
            "credential-scope-exceeded",
            "secret-in-arguments",
            "long-lived-secret-in-code",
            "delegation-depth",
            "fan-out");
    assertThat(DECISIONS).anySatisfy(d -> assertThat(d.path()).hasSize(17));
    assertThat(DECISIONS).filteredOn(d -> d.verdict() != Verdict.ALLOW).isNotEmpty();
  }

  @Test
  void shouldKeepEveryDecisionUnderOneMebibyteInAvroAndJson() {
    try (AvroSerde<io.agentauditor.schema.Decision> serde =
        AvroSerde.of(
            io.agentauditor.schema.Decision.class, Map.of("schema.registry.url", "mock://bounds"), false)) {
      for (Decision d : DECISIONS) {
        int avro = serde.serialize("decisions", DecisionMapper.toAvro(d)).length;
        int json = DecisionJsonCodec.encodeUtf8(d).length;
        assertThat(avro).as("Avro decision of %s", d.type()).isLessThan(MIB);
        assertThat(json).as("JSON decision of %s", d.type()).isLessThan(MIB);
      }
    }
  }

  @Test
  void shouldKeepEveryViolationUnderOneMebibyte() {
    OcsfDetectionFindings ocsf = new OcsfDetectionFindings("0.1.0");
    for (Decision d : DECISIONS) {
      for (String v : ocsf.of(d)) {
        assertThat(v.getBytes(StandardCharsets.UTF_8).length)
            .as("violation of %s", d.type())
            .isLessThan(MIB);
      }
    }
  }
}
