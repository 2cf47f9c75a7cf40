package io.agentauditor.ocsf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIEM violation events of contract section 9.2: one OCSF 1.3.0 Detection Finding ({@code
 * class_uid} 2004) per finding of a {@code FLAG} or {@code BLOCK} decision, as compact JSON.
 *
 * <p>What goes where:
 *
 * <ul>
 *   <li>Classification: {@code activity_id} 1 (Create), {@code category_uid} 2 (Findings), {@code
 *       class_uid} 2004, {@code type_uid} 200401; {@code status_id} 1 (New).
 *   <li>{@code time} and {@code finding_info.created_time}: the decision's {@code occurredAt} in
 *       epoch milliseconds (event time, never the wall clock), so a replay gives byte-identical
 *       events.
 *   <li>{@code severity_id}: the finding's severity ({@link Severity} names are OCSF's captions,
 *       ids 0..5); {@code message} and {@code finding_info.desc}: the finding's message.
 *   <li>Security Control profile ({@code metadata.profiles = ["security_control"]}): {@code
 *       action_id}/{@code disposition_id} say what happened to the step, from the decision's
 *       verdict: {@code BLOCK} is 2 Denied / 2 Blocked, {@code FLAG} is 1 Allowed / 19 Alert (the
 *       step went through and raised a notification).
 *   <li>{@code finding_info}: {@code uid} (the event id below), {@code title}, {@code types =
 *       [ruleId]}, {@code analytic} = the rule ({@code uid} and {@code name} = rule id, {@code
 *       type_id} 1 Rule).
 *   <li>{@code actor}: {@code user.uid} = the acting agent, {@code session.uid} = the session.
 *   <li>{@code unmapped.agent_auditor}: the finding (the decision's {@code findings} element in
 *       its JSON Lines form, contract 9.1, encoded by {@link DecisionJsonCodec}), its index, the
 *       chain {@code path}, the bundle identity {@code policy}, {@code shadow} and {@code is_alert}
 *       (see below), and {@code decision_summary}: the decision's {@code event_id}, {@code type},
 *       {@code verdict}, {@code rule_ids} (the distinct rule ids of its findings, in finding order)
 *       and {@code finding_count}. OCSF 1.3.0 has no attribute for an agent delegation chain or a
 *       policy bundle digest, so they live here.
 * </ul>
 *
 * <p><b>Bounded output</b> (contract 9.2, v2). A violation carries its own finding and a summary of
 * the decision, never the other findings: a step with N findings emits N events of bounded size,
 * output linear in N (a session end with 2,000 live credentials used to emit 2,000 copies of a
 * 2,000-finding decision). The rule ids are listed once each, so the summary's size does not grow
 * with N either.
 *
 * <p><b>Event id.</b> {@code metadata.uid} = {@code finding_info.uid} = {@code
 * sessionId/eventId/ruleId}, plus {@code /credentialId} when the finding names a credential. Each
 * component has {@code %} and {@code /} percent-encoded, so distinct findings never share an id
 * (the contract allows at most one finding per rule id per step, except {@code
 * credential-not-revoked}, which has one per credential). A SIEM can therefore deduplicate a
 * re-emitted violation by this id.
 *
 * <p><b>Shadow findings.</b> Every finding of a {@code FLAG} or {@code BLOCK} step is emitted,
 * shadow ones included (contract 9.2 says "every finding"), with {@code
 * unmapped.agent_auditor.shadow = true}, {@code is_alert = false} and {@code (shadow)} in the
 * title. An {@code ALLOW} decision emits nothing, even when it carries shadow findings.
 *
 * <p><b>{@code is_alert}.</b> OCSF introduced the top-level {@code is_alert} attribute in 1.4.0; a
 * 1.3.0 event must not carry it, so the alert intent (true for enforced findings) is in {@code
 * unmapped.agent_auditor.is_alert} instead.
 *
 * <p><b>Dead letters</b> (contract 9.4, v2) are reported too, by {@link #invalidEvent}: rule id
 * {@value #INVALID_EVENT}, severity Medium, the reason and the source position, no raw bytes.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class OcsfDetectionFindings {

  /** The OCSF schema version the events conform to ({@code metadata.version}). */
  public static final String OCSF_VERSION = "1.3.0";

  /** {@code metadata.product.name} and {@code vendor_name}. */
  public static final String PRODUCT_NAME = "agent-auditor";

  public static final int CLASS_UID = 2004;
  public static final int CATEGORY_UID = 2;
  public static final int ACTIVITY_CREATE = 1;
  public static final int TYPE_UID = CLASS_UID * 100 + ACTIVITY_CREATE;

  /** The rule id of the findings that report dead letters to the SIEM (contract 9.4). */
  public static final String INVALID_EVENT = "invalid-event";

  /** The longest reason an invalid-event finding carries, in characters. */
  public static final int MAX_REASON_CHARS = 4096;

  private static final Logger LOGGER = LoggerFactory.getLogger(OcsfDetectionFindings.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String productVersion;

  /**
   * @param productVersion the auditor's version, {@code metadata.product.version}
   * @throws NullPointerException when {@code productVersion} is null
   */
  public OcsfDetectionFindings(String productVersion) {
    this.productVersion = Objects.requireNonNull(productVersion, "productVersion");
  }

  /** An instance stamped with the version of the running jar ({@code dev} outside a jar). */
  public static OcsfDetectionFindings withInstalledVersion() {
    String v = OcsfDetectionFindings.class.getPackage().getImplementationVersion();
    return new OcsfDetectionFindings(v == null ? "dev" : v);
  }

  /** {@code metadata.product.version} of the events. */
  public String productVersion() {
    return productVersion;
  }

  /**
   * The violation events of {@code decision}: one compact JSON object per finding, in the
   * decision's finding order, when its verdict is {@code FLAG} or {@code BLOCK}; an empty list for
   * {@code ALLOW}. The same decision always gives the same strings.
   *
   * @throws NullPointerException when {@code decision} is null
   */
  public List<String> of(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    if (decision.verdict() == Verdict.ALLOW || decision.findings().isEmpty()) {
      return List.of();
    }
    JsonNode decisionJson = decisionJson(decision);
    ObjectNode summary = summary(decision);
    List<String> events = new ArrayList<>(decision.findings().size());
    for (int i = 0; i < decision.findings().size(); i++) {
      ObjectNode event = event(decision, i, decisionJson, summary);
      try {
        events.add(MAPPER.writeValueAsString(event));
      } catch (JsonProcessingException e) {
        // A tree of strings, numbers and booleans always serialises; this is a bug, not input.
        throw new UncheckedIOException(e);
      }
    }
    LOGGER.debug(
        "{} OCSF detection findings for {}/{}",
        events.size(),
        decision.sessionId(),
        decision.eventId());
    return List.copyOf(events);
  }

  /**
   * The SIEM event of a dead letter (contract 9.4, v2): a Detection Finding whose rule is {@value
   * #INVALID_EVENT}, severity Medium, with the reason and the source record's position; never its
   * raw bytes. {@code metadata.uid} = {@code finding_info.uid} = {@code
   * invalid-event/topic/partition/offset} (the topic percent-encoded like the parts of {@link
   * #eventUid}), so a re-emitted one deduplicates; {@code time} is the source record's timestamp
   * (0 when unknown): an invalid record has no event time.
   *
   * @param reason why the record could not be decided; cut to {@value #MAX_REASON_CHARS} characters
   * @param errorType the failure's type (an exception class name)
   * @throws NullPointerException when {@code reason}, {@code errorType} or {@code sourceTopic} is
   *     null
   */
  public String invalidEvent(
      String reason,
      String errorType,
      String sourceTopic,
      int sourcePartition,
      long sourceOffset,
      long timestampMillis) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(errorType, "errorType");
    Objects.requireNonNull(sourceTopic, "sourceTopic");
    String message =
        reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS) + "\u2026";
    String uid =
        INVALID_EVENT + "/" + escape(sourceTopic) + "/" + sourcePartition + "/" + sourceOffset;
    int severityId = severityId(Severity.MEDIUM);
    long time = Math.max(0L, timestampMillis);

    ObjectNode e = header(time, severityId);
    e.put("message", message);
    e.put("status_id", 1);
    e.put("status", "New");

    ObjectNode metadata = e.putObject("metadata");
    metadata.put("version", OCSF_VERSION);
    ObjectNode product = metadata.putObject("product");
    product.put("name", PRODUCT_NAME);
    product.put("vendor_name", PRODUCT_NAME);
    product.put("version", productVersion);
    metadata.put("uid", uid);

    ObjectNode info = e.putObject("finding_info");
    info.put("uid", uid);
    info.put("title", INVALID_EVENT + " (dead letter)");
    info.put("desc", message);
    info.putArray("types").add(INVALID_EVENT);
    ObjectNode analytic = info.putObject("analytic");
    analytic.put("uid", INVALID_EVENT);
    analytic.put("name", INVALID_EVENT);
    analytic.put("type_id", 1);
    analytic.put("type", "Rule");
    info.put("created_time", time);

    ObjectNode ours = e.putObject("unmapped").putObject("agent_auditor");
    ours.put("is_alert", true);
    ObjectNode letter = ours.putObject("dead_letter");
    letter.put("reason", message);
    letter.put("error", errorType);
    ObjectNode source = letter.putObject("source");
    source.put("topic", sourceTopic);
    source.put("partition", sourcePartition);
    source.put("offset", sourceOffset);
    try {
      return MAPPER.writeValueAsString(e);
    } catch (JsonProcessingException ex) {
      // A tree of strings, numbers and booleans always serialises; this is a bug, not input.
      throw new UncheckedIOException(ex);
    }
  }

  /**
   * The deterministic id of the violation event for {@code finding} of {@code decision}: {@code
   * sessionId/eventId/ruleId[/credentialId]}, each part with {@code %} and {@code /}
   * percent-encoded.
   */
  public static String eventUid(Decision decision, Finding finding) {
    StringBuilder uid =
        new StringBuilder()
            .append(escape(decision.sessionId()))
            .append('/')
            .append(escape(decision.eventId()))
            .append('/')
            .append(escape(finding.ruleId()));
    if (finding.credentialId() != null) {
      uid.append('/').append(escape(finding.credentialId()));
    }
    return uid.toString();
  }

  /** The fields every Detection Finding of the auditor starts with: class, activity, time, severity. */
  private static ObjectNode header(long time, int severityId) {
    ObjectNode e = NODES.objectNode();
    e.put("activity_id", ACTIVITY_CREATE);
    e.put("activity_name", "Create");
    e.put("category_uid", CATEGORY_UID);
    e.put("category_name", "Findings");
    e.put("class_uid", CLASS_UID);
    e.put("class_name", "Detection Finding");
    e.put("type_uid", TYPE_UID);
    e.put("type_name", "Detection Finding: Create");
    e.put("time", time);
    e.put("severity_id", severityId);
    e.put("severity", severityCaption(severityId));
    return e;
  }

  /** OCSF {@code severity_id} of a finding severity (the enums share their captions). */
  public static int severityId(Severity severity) {
    return switch (severity) {
      case INFORMATIONAL -> 1;
      case LOW -> 2;
      case MEDIUM -> 3;
      case HIGH -> 4;
      case CRITICAL -> 5;
    };
  }

  /** OCSF {@code action_id} for a step's verdict: 2 Denied for BLOCK, 1 Allowed otherwise. */
  public static int actionId(Verdict verdict) {
    return verdict == Verdict.BLOCK ? 2 : 1;
  }

  /** OCSF {@code disposition_id} for a step's verdict: 2 Blocked, 19 Alert, or 1 Allowed. */
  public static int dispositionId(Verdict verdict) {
    return switch (verdict) {
      case BLOCK -> 2;
      case FLAG -> 19;
      case ALLOW -> 1;
    };
  }

  private ObjectNode event(Decision d, int index, JsonNode decisionJson, ObjectNode summary) {
    Finding f = d.findings().get(index);
    String uid = eventUid(d, f);
    int severityId = severityId(f.severity());

    ObjectNode e = header(d.occurredAtMillis(), severityId);
    e.put("message", f.message());
    e.put("status_id", 1);
    e.put("status", "New");
    e.put("action_id", actionId(d.verdict()));
    e.put("action", d.verdict() == Verdict.BLOCK ? "Denied" : "Allowed");
    e.put("disposition_id", dispositionId(d.verdict()));
    e.put("disposition", d.verdict() == Verdict.BLOCK ? "Blocked" : "Alert");

    ObjectNode metadata = e.putObject("metadata");
    metadata.put("version", OCSF_VERSION);
    ObjectNode product = metadata.putObject("product");
    product.put("name", PRODUCT_NAME);
    product.put("vendor_name", PRODUCT_NAME);
    product.put("version", productVersion);
    metadata.put("uid", uid);
    // Every violation of one workflow shares its session id, the natural correlation key.
    metadata.put("correlation_uid", d.sessionId());
    metadata.putArray("profiles").add("security_control");

    ObjectNode info = e.putObject("finding_info");
    info.put("uid", uid);
    info.put("title", title(f));
    info.put("desc", f.message());
    info.putArray("types").add(f.ruleId());
    ObjectNode analytic = info.putObject("analytic");
    analytic.put("uid", f.ruleId());
    analytic.put("name", f.ruleId());
    analytic.put("type_id", 1);
    analytic.put("type", "Rule");
    info.put("created_time", d.occurredAtMillis());

    ObjectNode actor = e.putObject("actor");
    actor.putObject("user").put("uid", d.agentId());
    actor.putObject("session").put("uid", d.sessionId());

    ObjectNode ours = e.putObject("unmapped").putObject("agent_auditor");
    ours.put("is_alert", f.enforced());
    ours.put("shadow", !f.enforced());
    ours.put("verdict", d.verdict().name());
    ours.put("policy", d.policy());
    ArrayNode path = ours.putArray("path");
    d.path().forEach(path::add);
    ours.put("finding_index", index);
    // Shared, not copied: the trees are only serialised, never changed, once built.
    ours.set("finding", decisionJson.get("findings").get(index));
    ours.set("decision_summary", summary);
    return e;
  }

  /** The decision without its findings' contents: what every one of its violations carries. */
  private static ObjectNode summary(Decision d) {
    ObjectNode summary = NODES.objectNode();
    summary.put("event_id", d.eventId());
    summary.put("type", d.type().name());
    summary.put("verdict", d.verdict().name());
    ArrayNode ruleIds = summary.putArray("rule_ids");
    d.findings().stream().map(Finding::ruleId).distinct().forEach(ruleIds::add);
    summary.put("finding_count", d.findings().size());
    return summary;
  }

  private static JsonNode decisionJson(Decision decision) {
    try {
      return MAPPER.readTree(DecisionJsonCodec.encode(decision));
    } catch (JsonProcessingException e) {
      // The codec writes well-formed JSON; failing to read it back is a bug, not input.
      throw new UncheckedIOException(e);
    }
  }

  private static String title(Finding f) {
    return f.ruleId() + " (" + f.action().name() + (f.enforced() ? ")" : ", shadow)");
  }

  private static String severityCaption(int severityId) {
    return switch (severityId) {
      case 1 -> "Informational";
      case 2 -> "Low";
      case 3 -> "Medium";
      case 4 -> "High";
      case 5 -> "Critical";
      default -> "Unknown";
    };
  }

  private static String escape(String part) {
    return part.replace("%", "%25").replace("/", "%2F");
  }
}
