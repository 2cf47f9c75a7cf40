package io.agentauditor.codec;

import static io.agentauditor.codec.StrictJson.enumValue;
import static io.agentauditor.codec.StrictJson.optionalString;
import static io.agentauditor.codec.StrictJson.present;
import static io.agentauditor.codec.StrictJson.requiredString;
import static io.agentauditor.codec.StrictJson.stringArray;
import static io.agentauditor.codec.StrictJson.typeName;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.EventType;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON Lines form of {@link Decision} (contract 9.1). Stateless and thread-safe.
 *
 * <p>A decision line has exactly, in this order: {@code eventId}, {@code sessionId}, {@code
 * agentId}, {@code type}, {@code occurredAt} (UTC, {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}), {@code
 * verdict}, {@code findings} (each: {@code ruleId}, {@code action}, {@code mode} as {@code enforce}
 * or {@code shadow}, {@code severity}, {@code message}, {@code references}, and {@code
 * credentialId} only when set), {@code policy}, {@code path}.
 *
 * <p>Decoding is as strict as {@link EventJsonCodec}'s about JSON (duplicate keys, types, trailing
 * content, UTF-8) and ignores unknown fields. A missing {@code mode} reads as {@code enforce} (the
 * Avro default; contract 9.1 does not list it); every other field is required, {@code
 * credentialId} is optional. {@code occurredAt} is read as any RFC 3339 date-time ({@link Rfc3339}).
 * Enum values are the symbols of the Avro enums, except {@code UNRECOGNIZED} for {@code type}.
 */
public final class DecisionJsonCodec {

  private static final Logger LOGGER = LoggerFactory.getLogger(DecisionJsonCodec.class);

  private static final Map<String, Verdict> VERDICTS =
      EventJsonCodec.symbols(Verdict.values(), null);
  private static final Map<String, Severity> SEVERITIES =
      EventJsonCodec.symbols(Severity.values(), null);
  private static final Map<String, RuleMode> MODES;

  static {
    Map<String, RuleMode> modes = new java.util.LinkedHashMap<>();
    for (RuleMode m : RuleMode.values()) {
      modes.put(modeName(m), m);
    }
    MODES = java.util.Collections.unmodifiableMap(modes);
  }

  private DecisionJsonCodec() {}

  /** The JSON line of {@code decision}, without a line terminator. */
  public static String encode(Decision decision) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = StrictJson.FACTORY.createGenerator(out)) {
      write(g, decision);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** {@link #encode} as UTF-8 bytes. */
  public static byte[] encodeUtf8(Decision decision) {
    return encode(decision).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Decodes one decision line.
   *
   * @throws InvalidDecisionException when the line is not a decision, whatever the input
   */
  public static Decision decode(String line) {
    if (line == null) {
      throw new InvalidDecisionException(JsonPaths.ROOT, "not a JSON object");
    }
    JsonParser p = null;
    try {
      p = StrictJson.FACTORY.createParser(line);
      return read(p);
    } catch (FieldError e) {
      throw new InvalidDecisionException(e.path(), e.reason());
    } catch (IOException e) {
      FieldError f = StrictJson.translate(p, e);
      throw new InvalidDecisionException(f.path(), f.reason(), e);
    } catch (RuntimeException e) {
      LOGGER.warn("unexpected {} while decoding a decision line", e.getClass().getName(), e);
      throw new InvalidDecisionException(
          JsonPaths.ROOT, "undecodable: " + e.getClass().getSimpleName(), e);
    } finally {
      if (p != null) {
        try {
          p.close();
        } catch (IOException e) {
          LOGGER.debug("closing an in-memory parser failed", e);
        }
      }
    }
  }

  /**
   * Decodes one decision line of UTF-8 bytes.
   *
   * @throws InvalidDecisionException when the bytes are not a decision
   */
  public static Decision decode(byte[] line) {
    if (line == null) {
      throw new InvalidDecisionException(JsonPaths.ROOT, "not a JSON object");
    }
    try {
      StrictJson.checkUtf8(line, 0, line.length);
    } catch (FieldError e) {
      throw new InvalidDecisionException(e.path(), e.reason());
    }
    return decode(new String(line, StandardCharsets.UTF_8));
  }

  /** {@code enforce} or {@code shadow}. */
  static String modeName(RuleMode mode) {
    return mode.name().toLowerCase(Locale.ROOT);
  }

  private static void write(JsonGenerator g, Decision d) throws IOException {
    g.writeStartObject();
    g.writeStringField("eventId", d.eventId());
    g.writeStringField("sessionId", d.sessionId());
    g.writeStringField("agentId", d.agentId());
    g.writeStringField("type", d.type().name());
    g.writeStringField("occurredAt", Rfc3339.format(d.occurredAtMillis()));
    g.writeStringField("verdict", d.verdict().name());
    g.writeArrayFieldStart("findings");
    for (Finding f : d.findings()) {
      writeFinding(g, f);
    }
    g.writeEndArray();
    g.writeStringField("policy", d.policy());
    EventJsonCodec.writeStrings(g, "path", d.path());
    g.writeEndObject();
  }

  /** One element of a decision's {@code findings}, as the decision line holds it (contract 9.1). */
  public static void writeFinding(JsonGenerator g, Finding f) throws IOException {
    g.writeStartObject();
    g.writeStringField("ruleId", f.ruleId());
    g.writeStringField("action", f.action().name());
    g.writeStringField("mode", modeName(f.mode()));
    g.writeStringField("severity", f.severity().name());
    g.writeStringField("message", f.message());
    EventJsonCodec.writeStrings(g, "references", f.references());
    if (f.credentialId() != null) {
      g.writeStringField("credentialId", f.credentialId());
    }
    g.writeEndObject();
  }

  private static Decision read(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new FieldError(JsonPaths.ROOT, "not a JSON object");
    }
    String eventId = null;
    String sessionId = null;
    String agentId = null;
    EventType type = null;
    Long occurredAt = null;
    Verdict verdict = null;
    List<Finding> findings = null;
    String policy = null;
    List<String> path = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "eventId" -> eventId = requiredString(p, v, "eventId");
        case "sessionId" -> sessionId = requiredString(p, v, "sessionId");
        case "agentId" -> agentId = requiredString(p, v, "agentId");
        case "type" -> type = enumValue(p, v, "type", EventJsonCodec.TYPES);
        case "occurredAt" -> {
          long millis = Rfc3339.parseMillisOrInvalid(requiredString(p, v, "occurredAt"));
          if (millis == Rfc3339.INVALID) {
            throw new FieldError("occurredAt", EventJsonCodec.NOT_A_DATE_TIME);
          }
          occurredAt = millis;
        }
        case "verdict" -> verdict = enumValue(p, v, "verdict", VERDICTS);
        case "findings" -> findings = readFindings(p, v);
        case "policy" -> policy = requiredString(p, v, "policy");
        case "path" -> path = stringArray(p, v, "path");
        default -> p.skipChildren();
      }
    }
    StrictJson.requireEnd(p);
    present(eventId, "eventId");
    present(sessionId, "sessionId");
    present(agentId, "agentId");
    present(type, "type");
    present(occurredAt, "occurredAt");
    present(verdict, "verdict");
    present(findings, "findings");
    present(policy, "policy");
    present(path, "path");
    return new Decision(
        eventId, sessionId, agentId, type, occurredAt, verdict, findings, policy, path);
  }

  private static List<Finding> readFindings(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      throw new FieldError("findings", StrictJson.NULL);
    }
    if (t != JsonToken.START_ARRAY) {
      throw new FieldError("findings", "expected array, got " + typeName(t));
    }
    List<Finding> findings = new ArrayList<>();
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      findings.add(readFinding(p, e, JsonPaths.index("findings", findings.size())));
    }
    return findings;
  }

  private static Finding readFinding(JsonParser p, JsonToken t, String at) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      throw new FieldError(at, "expected object, got " + typeName(t));
    }
    String ruleId = null;
    Verdict action = null;
    RuleMode mode = RuleMode.ENFORCE;
    Severity severity = null;
    String message = null;
    List<String> references = null;
    String credentialId = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "ruleId" -> ruleId = requiredString(p, v, at + ".ruleId");
        case "action" -> action = enumValue(p, v, at + ".action", VERDICTS);
        case "mode" -> mode = enumValue(p, v, at + ".mode", MODES);
        case "severity" -> severity = enumValue(p, v, at + ".severity", SEVERITIES);
        case "message" -> message = requiredString(p, v, at + ".message");
        case "references" -> references = stringArray(p, v, at + ".references");
        case "credentialId" -> credentialId = optionalString(p, v, at + ".credentialId");
        default -> p.skipChildren();
      }
    }
    present(ruleId, at + ".ruleId");
    present(action, at + ".action");
    present(severity, at + ".severity");
    present(message, at + ".message");
    present(references, at + ".references");
    return new Finding(ruleId, action, mode, severity, message, references, credentialId);
  }
}
