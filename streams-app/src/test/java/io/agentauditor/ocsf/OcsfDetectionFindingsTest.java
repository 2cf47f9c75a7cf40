package io.agentauditor.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.EventType;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class OcsfDetectionFindingsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final OcsfRequirements OCSF_1_3_0 =
      OcsfRequirements.load("ocsf/detection-finding-1.3.0-required.json");
  private static final String POLICY =
      "agent-auditor-default@1.0.0+sha256:"
          + "9f2c4e1a7b3d5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a";
  private static final String SESSION = "sess-payments-4821";
  private static final String PLANNER = "spiffe://acme.io/agent/planner";
  private static final String CODER = "spiffe://acme.io/agent/coder";
  private static final long T0 = Instant.parse("2026-11-26T09:03:00Z").toEpochMilli();

  private final OcsfDetectionFindings ocsf = new OcsfDetectionFindings("0.1.0");

  @ParameterizedTest
  @MethodSource("flaggedAndBlockedDecisions")
  void shouldGiveEveryEventEveryRequiredAttributeOfOcsf130(Decision decision) throws Exception {
    // Given a FLAG or BLOCK decision
    // When it is turned into violation events
    List<String> events = ocsf.of(decision);

    // Then there is one per finding, and each meets OCSF 1.3.0's requirements for class 2004
    assertThat(events).hasSize(decision.findings().size());
    for (String event : events) {
      JsonNode json = MAPPER.readTree(event);
      assertThat(OCSF_1_3_0.violations(json)).as(event).isEmpty();
      assertThat(json.get("metadata").get("version").asText()).isEqualTo(OCSF_1_3_0.version());
      assertThat(json.get("class_uid").asInt()).isEqualTo(2004);
      assertThat(json.get("category_uid").asInt()).isEqualTo(2);
      assertThat(json.get("activity_id").asInt()).isEqualTo(1);
      assertThat(json.get("type_uid").asLong()).isEqualTo(200401L);
      assertThat(json.get("status_id").asInt()).isEqualTo(1);
      assertThat(json.get("time").asLong()).isEqualTo(decision.occurredAtMillis());
      assertThat(json.get("finding_info").get("created_time").asLong())
          .isEqualTo(decision.occurredAtMillis());
      // is_alert only exists from OCSF 1.4.0 on; a 1.3.0 event must not carry it
      assertThat(json.has("is_alert")).isFalse();
    }
  }

  @Test
  void shouldReportEachRequiredAttributeThatAnEventLacks() throws Exception {
    // Given a conforming event
    ObjectNode event = (ObjectNode) MAPPER.readTree(ocsf.of(blockedCredentialIssuance()).get(0));

    for (String attribute : OCSF_1_3_0.requiredOfRoot()) {
      // When one required top-level attribute is removed
      ObjectNode broken = event.deepCopy();
      broken.remove(attribute);

      // Then the check names it
      assertThat(OCSF_1_3_0.violations(broken))
          .containsExactly("$." + attribute + ": required attribute missing");
    }
  }

  @Test
  void shouldReportMissingNestedAttributesWrongTypesAndUnmetConstraints() throws Exception {
    // Given a conforming event, broken in nested required objects
    ObjectNode event = (ObjectNode) MAPPER.readTree(ocsf.of(blockedCredentialIssuance()).get(0));
    ((ObjectNode) event.get("metadata").get("product")).remove("vendor_name");
    ((ObjectNode) event.get("finding_info")).put("title", 7);
    ((ObjectNode) event.get("finding_info").get("analytic")).remove(List.of("uid", "name"));
    ((ObjectNode) event.get("actor").get("user")).remove("uid");
    event.put("time", "2026-11-26T09:03:00Z");
    event.put("disposition_id", 42);

    // When it is checked
    List<String> violations = OCSF_1_3_0.violations(event);

    // Then every break is reported with its path
    assertThat(violations)
        .containsExactlyInAnyOrder(
            "$.time: expected integer, got STRING",
            "$.metadata.product.vendor_name: required attribute missing",
            "$.finding_info.title: expected string, got NUMBER",
            "$.finding_info.analytic: needs at least one of [\"name\",\"uid\"]",
            "$.actor.user: needs at least one of [\"account\",\"name\",\"uid\"]",
            "$.disposition_id: 42 is not one of "
                + "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,99]");
  }

  @ParameterizedTest
  @EnumSource(Severity.class)
  void shouldMapTheFindingSeverityToTheOcsfSeverityIdOfTheSameCaption(Severity severity)
      throws Exception {
    // Given a blocked step with a finding of that severity
    Decision decision =
        decision(
            "e9",
            EventType.TOOL_CALL,
            Verdict.BLOCK,
            List.of(finding("scope-widening", Verdict.BLOCK, RuleMode.ENFORCE, severity, null)));

    // When it is turned into an event
    JsonNode event = MAPPER.readTree(ocsf.of(decision).get(0));

    // Then severity_id and its caption follow OCSF's scale (0 Unknown .. 5 Critical)
    int expected =
        switch (severity) {
          case INFORMATIONAL -> 1;
          case LOW -> 2;
          case MEDIUM -> 3;
          case HIGH -> 4;
          case CRITICAL -> 5;
        };
    assertThat(event.get("severity_id").asInt()).isEqualTo(expected);
    assertThat(event.get("severity").asText()).isEqualToIgnoringCase(severity.name());
  }

  @Test
  void shouldReportABlockedStepAsDeniedAndBlocked() throws Exception {
    // Given a blocked step
    List<String> events = ocsf.of(blockedCredentialIssuance());

    // Then every finding says the security control denied and blocked it
    for (String e : events) {
      JsonNode event = MAPPER.readTree(e);
      assertThat(event.get("action_id").asInt()).isEqualTo(2);
      assertThat(event.get("action").asText()).isEqualTo("Denied");
      assertThat(event.get("disposition_id").asInt()).isEqualTo(2);
      assertThat(event.get("disposition").asText()).isEqualTo("Blocked");
      assertThat(event.get("metadata").get("profiles")).containsExactly(text("security_control"));
    }
  }

  @Test
  void shouldReportAFlaggedStepAsAllowedWithAnAlert() throws Exception {
    // Given a flagged step (the FLAG finding of the static-credential rule)
    Decision decision =
        decision(
            "e5",
            EventType.CREDENTIAL_ISSUED,
            Verdict.FLAG,
            List.of(
                finding(
                    "static-credential",
                    Verdict.FLAG,
                    RuleMode.ENFORCE,
                    Severity.MEDIUM,
                    "cred-ssh-1")));

    // When it is turned into an event
    JsonNode event = MAPPER.readTree(ocsf.of(decision).get(0));

    // Then the step went through (Allowed) and raised a notification (Alert)
    assertThat(event.get("action_id").asInt()).isEqualTo(1);
    assertThat(event.get("action").asText()).isEqualTo("Allowed");
    assertThat(event.get("disposition_id").asInt()).isEqualTo(19);
    assertThat(event.get("disposition").asText()).isEqualTo("Alert");
    assertThat(event.at("/unmapped/agent_auditor/is_alert").asBoolean()).isTrue();
  }

  @Test
  void shouldEmitTheShadowFindingsOfAFlaggedStepMarkedAsShadow() throws Exception {
    // Given a flagged step with an enforced FLAG finding and a shadow BLOCK finding
    Decision decision =
        decision(
            "e7",
            EventType.AGENT_DELEGATED,
            Verdict.FLAG,
            List.of(
                finding("agent-reparented", Verdict.BLOCK, RuleMode.SHADOW, Severity.HIGH, null),
                finding(
                    "delegation-depth", Verdict.FLAG, RuleMode.ENFORCE, Severity.MEDIUM, null)));

    // When it is turned into events
    List<JsonNode> events = parse(ocsf.of(decision));

    // Then both are emitted, in order, and only the shadow one is marked as such
    assertThat(events).hasSize(2);
    JsonNode shadow = events.get(0);
    assertThat(shadow.at("/unmapped/agent_auditor/shadow").asBoolean()).isTrue();
    assertThat(shadow.at("/unmapped/agent_auditor/is_alert").asBoolean()).isFalse();
    assertThat(shadow.at("/unmapped/agent_auditor/finding/mode").asText()).isEqualTo("shadow");
    assertThat(shadow.at("/finding_info/title").asText())
        .isEqualTo("agent-reparented (BLOCK, shadow)");
    // the step itself was let through: the shadow BLOCK did not raise the verdict
    assertThat(shadow.get("action_id").asInt()).isEqualTo(1);
    JsonNode enforced = events.get(1);
    assertThat(enforced.at("/unmapped/agent_auditor/shadow").asBoolean()).isFalse();
    assertThat(enforced.at("/unmapped/agent_auditor/is_alert").asBoolean()).isTrue();
    assertThat(enforced.at("/finding_info/title").asText()).isEqualTo("delegation-depth (FLAG)");
  }

  @Test
  void shouldEmitNothingForAnAllowedStepEvenWithShadowFindings() {
    // Given allowed steps, one with no finding and one with only a shadow finding
    Decision clean = decision("e1", EventType.SESSION_STARTED, Verdict.ALLOW, List.of());
    Decision shadowOnly =
        decision(
            "e2",
            EventType.TOOL_CALL,
            Verdict.ALLOW,
            List.of(
                finding("approval-required", Verdict.BLOCK, RuleMode.SHADOW, Severity.HIGH, null)));

    // Then neither gives a violation
    assertThat(ocsf.of(clean)).isEmpty();
    assertThat(ocsf.of(shadowOnly)).isEmpty();
  }

  @Test
  void shouldGiveOneEventWithADistinctUidPerCredentialNotRevoked() throws Exception {
    // Given a session that ended with three live credentials
    List<Finding> findings = new ArrayList<>();
    for (String credential : List.of("cred-a", "cred-b", "cred-c")) {
      findings.add(
          finding(
              "credential-not-revoked",
              Verdict.FLAG,
              RuleMode.ENFORCE,
              Severity.MEDIUM,
              credential));
    }
    Decision ended = decision("e17", EventType.SESSION_ENDED, Verdict.FLAG, findings);

    // When it is turned into events
    List<JsonNode> events = parse(ocsf.of(ended));

    // Then there are three, with distinct deterministic uids naming each credential
    assertThat(events)
        .extracting(e -> e.at("/metadata/uid").asText())
        .containsExactly(
            SESSION + "/e17/credential-not-revoked/cred-a",
            SESSION + "/e17/credential-not-revoked/cred-b",
            SESSION + "/e17/credential-not-revoked/cred-c");
    assertThat(events)
        .allSatisfy(e -> assertThat(e.at("/finding_info/uid")).isEqualTo(e.at("/metadata/uid")));
    assertThat(events)
        .extracting(e -> e.at("/unmapped/agent_auditor/finding/credentialId").asText())
        .containsExactly("cred-a", "cred-b", "cred-c");
  }

  @Test
  void shouldKeepUidsDistinctWhenIdsContainSlashes() throws Exception {
    // Given two decisions whose ids would collide if joined with a bare slash
    Finding f = finding("fan-out", Verdict.FLAG, RuleMode.ENFORCE, Severity.MEDIUM, null);
    Decision a = decisionIn("s/1", "e", Verdict.FLAG, List.of(f));
    Decision b = decisionIn("s", "1/e", Verdict.FLAG, List.of(f));

    // Then their uids differ, and slashes inside a part are percent-encoded
    String uidA = MAPPER.readTree(ocsf.of(a).get(0)).at("/metadata/uid").asText();
    String uidB = MAPPER.readTree(ocsf.of(b).get(0)).at("/metadata/uid").asText();
    assertThat(uidA).isEqualTo("s%2F1/e/fan-out").isNotEqualTo(uidB);
    assertThat(uidB).isEqualTo("s/1%2Fe/fan-out");
  }

  @Test
  void shouldGiveByteIdenticalCompactOutputForTheSameDecision() throws Exception {
    // Given the same decision built twice
    Decision first = blockedCredentialIssuance();
    Decision second = blockedCredentialIssuance();

    // When each is turned into events by a separate instance
    List<String> once = ocsf.of(first);
    List<String> again = new OcsfDetectionFindings("0.1.0").of(second);

    // Then the strings are identical and compact, one line each
    assertThat(again).isEqualTo(once);
    for (String event : once) {
      assertThat(event).doesNotContain("\n").doesNotContain("\r");
      assertThat(MAPPER.writeValueAsString(MAPPER.readTree(event))).isEqualTo(event);
    }
  }

  @Test
  void shouldCarryTheFindingTheDecisionThePathAndThePolicy() throws Exception {
    // Given a blocked step
    Decision decision = blockedCredentialIssuance();

    // When it is turned into events
    List<JsonNode> events = parse(ocsf.of(decision));

    // Then each carries its finding, the chain path and the bundle identity (the decision's
    // summary: see shouldCarryASummaryOfTheDecisionAndNotItsOtherFindings)
    JsonNode findingsJson = MAPPER.readTree(DecisionJsonCodec.encode(decision)).get("findings");
    for (int i = 0; i < events.size(); i++) {
      JsonNode event = events.get(i);
      Finding f = decision.findings().get(i);
      JsonNode ours = event.at("/unmapped/agent_auditor");
      assertThat(ours.get("finding")).isEqualTo(findingsJson.get(i));
      assertThat(ours.get("finding_index").asInt()).isEqualTo(i);
      assertThat(ours.get("path")).containsExactly(text(PLANNER), text(CODER));
      assertThat(ours.get("policy").asText()).isEqualTo(POLICY);
      assertThat(ours.get("verdict").asText()).isEqualTo("BLOCK");
      assertThat(event.get("message").asText()).isEqualTo(f.message());
      assertThat(event.at("/finding_info/desc").asText()).isEqualTo(f.message());
      assertThat(event.at("/finding_info/types")).containsExactly(text(f.ruleId()));
      assertThat(event.at("/finding_info/analytic/uid").asText()).isEqualTo(f.ruleId());
      assertThat(event.at("/finding_info/analytic/type_id").asInt()).isEqualTo(1);
      assertThat(event.at("/actor/user/uid").asText()).isEqualTo(CODER);
      assertThat(event.at("/actor/session/uid").asText()).isEqualTo(SESSION);
      assertThat(event.at("/metadata/correlation_uid").asText()).isEqualTo(SESSION);
      assertThat(event.at("/metadata/product/version").asText()).isEqualTo("0.1.0");
    }
  }

  @Test
  void shouldCarryASummaryOfTheDecisionAndNotItsOtherFindings() throws Exception {
    // Given a session end with three live credentials and a custom rule's finding
    Decision ended =
        decision(
            "e17",
            EventType.SESSION_ENDED,
            Verdict.FLAG,
            List.of(
                finding("credential-not-revoked", Verdict.FLAG, RuleMode.ENFORCE, Severity.MEDIUM, "cred-a"),
                finding("credential-not-revoked", Verdict.FLAG, RuleMode.ENFORCE, Severity.MEDIUM, "cred-b"),
                finding("credential-not-revoked", Verdict.FLAG, RuleMode.ENFORCE, Severity.MEDIUM, "cred-c"),
                finding("custom-end-check", Verdict.FLAG, RuleMode.SHADOW, Severity.LOW, null)));

    // When it is turned into events
    List<String> events = ocsf.of(ended);

    // Then each carries the summary: event id, type, verdict, the distinct rule ids and the count
    for (int i = 0; i < events.size(); i++) {
      JsonNode summary = MAPPER.readTree(events.get(i)).at("/unmapped/agent_auditor/decision_summary");
      assertThat(summary.get("event_id").asText()).isEqualTo("e17");
      assertThat(summary.get("type").asText()).isEqualTo("SESSION_ENDED");
      assertThat(summary.get("verdict").asText()).isEqualTo("FLAG");
      assertThat(summary.get("rule_ids"))
          .containsExactly(text("credential-not-revoked"), text("custom-end-check"));
      assertThat(summary.get("finding_count").asInt()).isEqualTo(4);
      assertThat(MAPPER.readTree(events.get(i)).at("/unmapped/agent_auditor/decision").isMissingNode())
          .isTrue();
    }
    // ... and no other finding: the second event names cred-b and no other credential
    assertThat(events.get(1)).contains("cred-b").doesNotContain("cred-a").doesNotContain("cred-c");
  }

  @Test
  void shouldEmitOutputLinearInTheNumberOfFindings() {
    // Given a session end with 2,000 live credentials
    List<Finding> findings = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      findings.add(
          finding("credential-not-revoked", Verdict.FLAG, RuleMode.ENFORCE, Severity.MEDIUM, "cred-" + i));
    }
    Decision ended = decision("e17", EventType.SESSION_ENDED, Verdict.FLAG, findings);

    // When it is turned into events
    List<String> events = ocsf.of(ended);

    // Then each event is as small as a one-finding step's (it was 2,000 findings each: 1 GB in all)
    assertThat(events).hasSize(2_000).allSatisfy(e -> assertThat(e.length()).isLessThan(2_048));
  }

  static Stream<Decision> flaggedAndBlockedDecisions() {
    return Stream.of(
        blockedCredentialIssuance(),
        decision(
            "e12",
            EventType.TOOL_CALL,
            Verdict.BLOCK,
            List.of(
                finding("approval-required", Verdict.BLOCK, RuleMode.ENFORCE, Severity.HIGH, null),
                finding("fan-out", Verdict.FLAG, RuleMode.SHADOW, Severity.INFORMATIONAL, null))),
        decision(
            "e3",
            EventType.AGENT_DELEGATED,
            Verdict.FLAG,
            List.of(
                finding("delegation-depth", Verdict.FLAG, RuleMode.ENFORCE, Severity.LOW, null))),
        // a gate-rule block: the actor is not in the chain, so its path is empty
        new Decision(
            "e4",
            SESSION,
            "agent:stranger",
            EventType.TOOL_CALL,
            T0,
            Verdict.BLOCK,
            List.of(finding("unknown-agent", Verdict.BLOCK, RuleMode.ENFORCE, Severity.HIGH, null)),
            POLICY,
            List.of()),
        // an idle-timeout decision (contract 9.3)
        new Decision(
            SESSION + "#idle-timeout",
            SESSION,
            PLANNER,
            EventType.SESSION_ENDED,
            T0 + 1_800_001,
            Verdict.FLAG,
            List.of(
                finding(
                    "credential-not-revoked",
                    Verdict.FLAG,
                    RuleMode.ENFORCE,
                    Severity.INFORMATIONAL,
                    "cred-oidc-1")),
            POLICY,
            List.of(PLANNER)));
  }

  private static Decision blockedCredentialIssuance() {
    return decision(
        "e8",
        EventType.CREDENTIAL_ISSUED,
        Verdict.BLOCK,
        List.of(
            finding(
                "long-lived-credential",
                Verdict.BLOCK,
                RuleMode.ENFORCE,
                Severity.HIGH,
                "cred-ci-apikey"),
            finding(
                "insecure-secret-storage",
                Verdict.BLOCK,
                RuleMode.ENFORCE,
                Severity.HIGH,
                "cred-ci-apikey"),
            finding(
                "static-credential",
                Verdict.FLAG,
                RuleMode.ENFORCE,
                Severity.MEDIUM,
                "cred-ci-apikey")));
  }

  private static Decision decision(
      String eventId, EventType type, Verdict verdict, List<Finding> findings) {
    return new Decision(
        eventId, SESSION, CODER, type, T0, verdict, findings, POLICY, List.of(PLANNER, CODER));
  }

  private static Decision decisionIn(
      String sessionId, String eventId, Verdict verdict, List<Finding> findings) {
    return new Decision(
        eventId,
        sessionId,
        CODER,
        EventType.TOOL_CALL,
        T0,
        verdict,
        findings,
        POLICY,
        List.of(PLANNER, CODER));
  }

  private static Finding finding(
      String ruleId, Verdict action, RuleMode mode, Severity severity, String credentialId) {
    return new Finding(
        ruleId,
        action,
        mode,
        severity,
        ruleId + " fired" + (credentialId == null ? "" : " for " + credentialId),
        List.of("OWASP-NHI:NHI7", "NIST-CSF:PR.AA"),
        credentialId);
  }

  private static List<JsonNode> parse(List<String> events) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String e : events) {
      out.add(MAPPER.readTree(e));
    }
    return out;
  }

  private static JsonNode text(String s) {
    return MAPPER.getNodeFactory().textNode(s);
  }
}