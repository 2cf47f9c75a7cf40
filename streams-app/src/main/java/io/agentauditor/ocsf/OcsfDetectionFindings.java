package io.agentauditor.ocsf;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.io.IOException;
import java.io.StringWriter;
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
  private static final JsonFactory JSON = new JsonFactory();
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
    List<String> ruleIds = distinctRuleIds(decision);
    List<String> events = new ArrayList<>(decision.findings().size());
    StringWriter out = new StringWriter(1024);
    for (int i = 0; i < decision.findings().size(); i++) {
      out.getBuffer().setLength(0);
      try (JsonGenerator g = JSON.createGenerator(out)) {
        writeEvent(g, decision, i, ruleIds);
      } catch (IOException e) {
        // Strings, numbers and booleans into memory always serialise; this is a bug, not input.
        throw new UncheckedIOException(e);
      }
      events.add(out.toString());
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

    StringWriter out = new StringWriter(1024);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      writeHeader(g, time, severityId);
      g.writeStringField("message", message);
      g.writeNumberField("status_id", 1);
      g.writeStringField("status", "New");

      g.writeObjectFieldStart("metadata");
      writeProduct(g);
      g.writeStringField("uid", uid);
      g.writeEndObject();

      g.writeObjectFieldStart("finding_info");
      g.writeStringField("uid", uid);
      g.writeStringField("title", INVALID_EVENT + " (dead letter)");
      g.writeStringField("desc", message);
      writeRule(g, INVALID_EVENT);
      g.writeNumberField("created_time", time);
      g.writeEndObject();

      g.writeObjectFieldStart("unmapped");
      g.writeObjectFieldStart("agent_auditor");
      g.writeBooleanField("is_alert", true);
      g.writeObjectFieldStart("dead_letter");
      g.writeStringField("reason", message);
      g.writeStringField("error", errorType);
      g.writeObjectFieldStart("source");
      g.writeStringField("topic", sourceTopic);
      g.writeNumberField("partition", sourcePartition);
      g.writeNumberField("offset", sourceOffset);
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException ex) {
      // Strings and numbers into memory always serialise; this is a bug, not input.
      throw new UncheckedIOException(ex);
    }
    return out.toString();
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
  private static void writeHeader(JsonGenerator g, long time, int severityId) throws IOException {
    g.writeNumberField("activity_id", ACTIVITY_CREATE);
    g.writeStringField("activity_name", "Create");
    g.writeNumberField("category_uid", CATEGORY_UID);
    g.writeStringField("category_name", "Findings");
    g.writeNumberField("class_uid", CLASS_UID);
    g.writeStringField("class_name", "Detection Finding");
    g.writeNumberField("type_uid", TYPE_UID);
    g.writeStringField("type_name", "Detection Finding: Create");
    g.writeNumberField("time", time);
    g.writeNumberField("severity_id", severityId);
    g.writeStringField("severity", severityCaption(severityId));
  }

  /** {@code metadata.version} and {@code metadata.product}. */
  private void writeProduct(JsonGenerator g) throws IOException {
    g.writeStringField("version", OCSF_VERSION);
    g.writeObjectFieldStart("product");
    g.writeStringField("name", PRODUCT_NAME);
    g.writeStringField("vendor_name", PRODUCT_NAME);
    g.writeStringField("version", productVersion);
    g.writeEndObject();
  }

  /** {@code finding_info.types} and {@code finding_info.analytic}: the rule. */
  private static void writeRule(JsonGenerator g, String ruleId) throws IOException {
    g.writeArrayFieldStart("types");
    g.writeString(ruleId);
    g.writeEndArray();
    g.writeObjectFieldStart("analytic");
    g.writeStringField("uid", ruleId);
    g.writeStringField("name", ruleId);
    g.writeNumberField("type_id", 1);
    g.writeStringField("type", "Rule");
    g.writeEndObject();
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

  /**
   * Writes the violation event of finding {@code index} of {@code d}: the fields, in this order,
   * of the event as first specified (header, message, status, action, disposition, metadata,
   * finding_info, actor, unmapped), streamed rather than built as a tree.
   */
  private void writeEvent(JsonGenerator g, Decision d, int index, List<String> ruleIds)
      throws IOException {
    Finding f = d.findings().get(index);
    String uid = eventUid(d, f);
    int severityId = severityId(f.severity());
    boolean blocked = d.verdict() == Verdict.BLOCK;

    g.writeStartObject();
    writeHeader(g, d.occurredAtMillis(), severityId);
    g.writeStringField("message", f.message());
    g.writeNumberField("status_id", 1);
    g.writeStringField("status", "New");
    g.writeNumberField("action_id", actionId(d.verdict()));
    g.writeStringField("action", blocked ? "Denied" : "Allowed");
    g.writeNumberField("disposition_id", dispositionId(d.verdict()));
    g.writeStringField("disposition", blocked ? "Blocked" : "Alert");

    g.writeObjectFieldStart("metadata");
    writeProduct(g);
    g.writeStringField("uid", uid);
    // Every violation of one workflow shares its session id, the natural correlation key.
    g.writeStringField("correlation_uid", d.sessionId());
    g.writeArrayFieldStart("profiles");
    g.writeString("security_control");
    g.writeEndArray();
    g.writeEndObject();

    g.writeObjectFieldStart("finding_info");
    g.writeStringField("uid", uid);
    g.writeStringField("title", title(f));
    g.writeStringField("desc", f.message());
    writeRule(g, f.ruleId());
    g.writeNumberField("created_time", d.occurredAtMillis());
    g.writeEndObject();

    g.writeObjectFieldStart("actor");
    g.writeObjectFieldStart("user");
    g.writeStringField("uid", d.agentId());
    g.writeEndObject();
    g.writeObjectFieldStart("session");
    g.writeStringField("uid", d.sessionId());
    g.writeEndObject();
    g.writeEndObject();

    g.writeObjectFieldStart("unmapped");
    g.writeObjectFieldStart("agent_auditor");
    g.writeBooleanField("is_alert", f.enforced());
    g.writeBooleanField("shadow", !f.enforced());
    g.writeStringField("verdict", d.verdict().name());
    g.writeStringField("policy", d.policy());
    g.writeArrayFieldStart("path");
    for (String agent : d.path()) {
      g.writeString(agent);
    }
    g.writeEndArray();
    g.writeNumberField("finding_index", index);
    g.writeFieldName("finding");
    DecisionJsonCodec.writeFinding(g, f);
    writeSummary(g, d, ruleIds);
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndObject();
  }

  /** The decision without its findings' contents: what every one of its violations carries. */
  private static void writeSummary(JsonGenerator g, Decision d, List<String> ruleIds)
      throws IOException {
    g.writeObjectFieldStart("decision_summary");
    g.writeStringField("event_id", d.eventId());
    g.writeStringField("type", d.type().name());
    g.writeStringField("verdict", d.verdict().name());
    g.writeArrayFieldStart("rule_ids");
    for (String ruleId : ruleIds) {
      g.writeString(ruleId);
    }
    g.writeEndArray();
    g.writeNumberField("finding_count", d.findings().size());
    g.writeEndObject();
  }

  /** The distinct rule ids of {@code d}'s findings, in finding order. */
  private static List<String> distinctRuleIds(Decision d) {
    List<String> ids = new ArrayList<>(4);
    for (Finding f : d.findings()) {
      if (!ids.contains(f.ruleId())) {
        ids.add(f.ruleId());
      }
    }
    return ids;
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
