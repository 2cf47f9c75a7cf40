package io.agentauditor.codec;

import static io.agentauditor.codec.StrictJson.enumValue;
import static io.agentauditor.codec.StrictJson.integer;
import static io.agentauditor.codec.StrictJson.optionalString;
import static io.agentauditor.codec.StrictJson.present;
import static io.agentauditor.codec.StrictJson.requireObject;
import static io.agentauditor.codec.StrictJson.requiredString;
import static io.agentauditor.codec.StrictJson.stringArray;
import static io.agentauditor.codec.StrictJson.typeName;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.EventType;
import io.agentauditor.model.InvalidStepException;
import io.agentauditor.model.Limits;
import io.agentauditor.model.Step;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The strict JSON Lines form of a {@link Step} (contract section 2). Stateless and thread-safe.
 *
 * <p>This codec checks what the JSON form adds (JSON types, duplicate keys, integers written as
 * integers, the date-time form, enum symbols, which payload is present); section 2's field rules
 * (ids, scopes, surrogates, ranges) are the {@link Step} constructors'.
 *
 * <p><b>Decoding</b> reads one line (one record) token by token and either returns a valid event or
 * throws {@link InvalidEventException}, whatever the input: nothing else escapes (no parser,
 * number, encoding or runtime exception). Beyond section 2's rules:
 *
 * <ul>
 *   <li>A record larger than {@link Limits#MAX_RECORD_BYTES} (1 MiB, without a trailing {@code
 *       \r}) is {@code $: }{@value Limits#RECORD_TOO_LARGE}, before it is parsed.
 *   <li>JSON whitespace (space, tab, {@code \r}, {@code \n}) may surround the object, so a line
 *       whose trailing {@code \r} was not stripped still decodes; a blank line is {@code $: not a
 *       JSON object}, as is a line starting with a byte order mark; anything after the object is
 *       {@code $: trailing content after the JSON object}.
 *   <li>Bytes must be well-formed UTF-8 without NUL bytes; the strings the event keeps must not
 *       hold unpaired UTF-16 surrogates written as escapes (they have no UTF-8 form, so
 *       distinct ids could collapse in Avro). Strings of unknown fields are skipped unread, as the
 *       contract ignores those fields.
 *   <li>Nesting deeper than 64 levels is rejected, unknown fields
 *       included; numbers longer than Jackson's default limit (1000 digits) are rejected.
 *   <li>{@code occurredAt} must land within years 0000–9999 in UTC (see {@link Rfc3339}); {@code
 *       -0} is the integer 0.
 *   <li>Errors are reported in reading order, except that a payload read before {@code type} is
 *       judged after the whole object; missing fields are reported in contract order after the
 *       object is read.
 * </ul>
 *
 * <p><b>Encoding</b> gives the canonical line: fields in contract order, only the payload of the
 * event's type, optional fields omitted when null, tool arguments sorted by key, {@code occurredAt}
 * as {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}, no trailing newline. For every event it accepts,
 * decoding the encoding gives an equal event.
 */
public final class EventJsonCodec {

  private static final Logger LOGGER = LoggerFactory.getLogger(EventJsonCodec.class);

  /** JSON keys of the payloads, indexed by {@link EventType#ordinal()}; SESSION_ENDED has none. */
  private static final String[] PAYLOAD_KEYS = {
    "session", "delegation", "toolCall", "credential", "revocation", "approval"
  };

  static final Map<String, EventType> TYPES = symbols(EventType.values(), null);
  static final Map<String, CredentialKind> KINDS = symbols(CredentialKind.values(), null);
  static final Map<String, CredentialStorage> STORAGES = symbols(CredentialStorage.values(), null);

  static final String NOT_A_DATE_TIME = "not an RFC 3339 date-time with seconds and offset";

  private EventJsonCodec() {}

  /**
   * The JSON key of {@code type}'s payload ({@code toolCall} for TOOL_CALL), or null for
   * SESSION_ENDED.
   */
  public static String payloadKey(EventType type) {
    return type.ordinal() < PAYLOAD_KEYS.length ? PAYLOAD_KEYS[type.ordinal()] : null;
  }

  /**
   * Decodes one line.
   *
   * @param line the record's text; null is reported as not a JSON object
   * @return a valid event, never null
   * @throws InvalidEventException when the line is not a valid event
   */
  public static Step decode(String line) {
    if (line == null || (!line.isEmpty() && line.charAt(0) == '\uFEFF')) {
      throw notAnObject();
    }
    int end = line.length();
    if (end > Limits.MAX_RECORD_BYTES / 3) {
      if (line.charAt(end - 1) == '\r') {
        end--;
      }
      String record = end == line.length() ? line : line.substring(0, end);
      if (Limits.utf8LongerThan(record, Limits.MAX_RECORD_BYTES)) {
        throw tooLarge();
      }
    }
    JsonParser p = null;
    try {
      p = StrictJson.FACTORY.createParser(line);
      return read(p);
    } catch (FieldError e) {
      throw new InvalidEventException(e.path(), e.reason());
    } catch (InvalidStepException e) {
      throw new InvalidEventException(e.path(), e.reason());
    } catch (IOException e) {
      FieldError f = StrictJson.translate(p, e);
      throw new InvalidEventException(f.path(), f.reason(), e);
    } catch (RuntimeException e) {
      throw unexpected(e);
    } finally {
      close(p);
    }
  }

  /**
   * Decodes one line of UTF-8 bytes.
   *
   * @throws InvalidEventException when the bytes are not a valid event; see {@link #decode(String)}
   */
  public static Step decode(byte[] line) {
    return line == null ? decode((String) null) : decode(line, 0, line.length);
  }

  /**
   * Decodes the UTF-8 bytes {@code buf[offset, offset + length)} as one line.
   *
   * @throws InvalidEventException when the bytes are not a valid event; see {@link #decode(String)}
   * @throws IndexOutOfBoundsException when the range is not within {@code buf}
   */
  public static Step decode(byte[] buf, int offset, int length) {
    if (buf == null) {
      throw notAnObject();
    }
    java.util.Objects.checkFromIndexSize(offset, length, buf.length);
    int recordBytes = length;
    if (length > 0 && buf[offset + length - 1] == '\r') {
      recordBytes--;
    }
    if (recordBytes > Limits.MAX_RECORD_BYTES) {
      throw tooLarge();
    }
    JsonParser p = null;
    try {
      if (length >= 3
          && buf[offset] == (byte) 0xEF
          && buf[offset + 1] == (byte) 0xBB
          && buf[offset + 2] == (byte) 0xBF) {
        throw new FieldError(JsonPaths.ROOT, "not a JSON object");
      }
      StrictJson.checkUtf8(buf, offset, length);
      p = StrictJson.FACTORY.createParser(buf, offset, length);
      return read(p);
    } catch (FieldError e) {
      throw new InvalidEventException(e.path(), e.reason());
    } catch (InvalidStepException e) {
      throw new InvalidEventException(e.path(), e.reason());
    } catch (IOException e) {
      FieldError f = StrictJson.translate(p, e);
      throw new InvalidEventException(f.path(), f.reason(), e);
    } catch (RuntimeException e) {
      throw unexpected(e);
    } finally {
      close(p);
    }
  }

  /**
   * The canonical JSON line of {@code event}, without a line terminator.
   *
   * <p>A {@link Step} is valid by construction, so every line written decodes.
   */
  public static String encode(Step event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = StrictJson.FACTORY.createGenerator(out)) {
      write(g, event);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /** {@link #encode} as UTF-8 bytes. */
  public static byte[] encodeUtf8(Step event) {
    return encode(event).getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- decoding

  private static Step read(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t != JsonToken.START_OBJECT) {
      throw notAnObjectError();
    }
    String eventId = null;
    String sessionId = null;
    String agentId = null;
    Long occurredAt = null;
    EventType type = null;
    // A parsed payload record, or a TokenBuffer when the payload came before `type`.
    Object[] payloads = new Object[PAYLOAD_KEYS.length];
    boolean[] nullPayloads = new boolean[PAYLOAD_KEYS.length];
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "eventId" -> eventId = requiredString(p, v, "eventId");
        case "sessionId" -> sessionId = requiredString(p, v, "sessionId");
        case "agentId" -> agentId = requiredString(p, v, "agentId");
        case "occurredAt" -> occurredAt = occurredAt(p, v);
        case "type" -> type = enumValue(p, v, "type", TYPES);
        case "session", "delegation", "toolCall", "credential", "revocation", "approval" -> {
          int index = payloadIndex(name);
          if (v == JsonToken.VALUE_NULL) {
            nullPayloads[index] = true;
          } else if (type == null) {
            TokenBuffer buffer = new TokenBuffer(p);
            buffer.copyCurrentStructure(p);
            payloads[index] = buffer;
          } else if (index != type.ordinal()) {
            throw otherPayload(index, type);
          } else {
            payloads[index] = readPayload(p, v, index);
          }
        }
        default -> p.skipChildren();
      }
    }
    StrictJson.requireEnd(p);

    present(eventId, "eventId");
    present(sessionId, "sessionId");
    present(agentId, "agentId");
    present(occurredAt, "occurredAt");
    present(type, "type");
    for (int i = 0; i < payloads.length; i++) {
      if (payloads[i] != null && i != type.ordinal()) {
        throw otherPayload(i, type);
      }
    }
    if (type != EventType.SESSION_ENDED) {
      int index = type.ordinal();
      Object payload = payloads[index];
      if (payload == null) {
        throw new FieldError(
            PAYLOAD_KEYS[index],
            "payload of type " + type + (nullPayloads[index] ? " is null" : " is missing"));
      }
      if (payload instanceof TokenBuffer buffer) {
        try (JsonParser bp = buffer.asParser()) {
          payloads[index] = readPayload(bp, bp.nextToken(), index);
        }
      }
    }
    long at = occurredAt;
    return switch (type) {
      case SESSION_STARTED -> {
        SessionPayload s = (SessionPayload) payloads[0];
        yield new Step.SessionStarted(
            eventId, sessionId, agentId, at, s.initiator(), s.grantedScopes(), s.intent());
      }
      case AGENT_DELEGATED -> {
        DelegationPayload d = (DelegationPayload) payloads[1];
        yield new Step.AgentDelegated(
            eventId, sessionId, agentId, at, d.childAgentId(), d.scopes(), d.purpose());
      }
      case TOOL_CALL -> {
        ToolCallPayload c = (ToolCallPayload) payloads[2];
        yield new Step.ToolCall(
            eventId, sessionId, agentId, at, c.tool(), c.arguments(), c.credentialId());
      }
      case CREDENTIAL_ISSUED -> {
        CredentialPayload c = (CredentialPayload) payloads[3];
        yield new Step.CredentialIssued(
            eventId, sessionId, agentId, at, c.credentialId(), c.subjectAgentId(), c.scopes(),
            c.kind(), c.ttlSeconds(), c.storage());
      }
      case CREDENTIAL_REVOKED -> {
        RevocationPayload r = (RevocationPayload) payloads[4];
        yield new Step.CredentialRevoked(
            eventId, sessionId, agentId, at, r.credentialId(), r.reason());
      }
      case APPROVAL_GRANTED -> {
        ApprovalPayload a = (ApprovalPayload) payloads[5];
        yield new Step.ApprovalGranted(
            eventId, sessionId, agentId, at, a.approvalId(), a.approver(), a.scopes(),
            a.ttlSeconds());
      }
      case SESSION_ENDED -> new Step.SessionEnded(eventId, sessionId, agentId, at);
    };
  }

  // The payloads as read, before the step's constructor judges their fields.
  private record SessionPayload(String initiator, List<String> grantedScopes, String intent) {}

  private record DelegationPayload(String childAgentId, List<String> scopes, String purpose) {}

  private record ToolCallPayload(String tool, Map<String, String> arguments, String credentialId) {}

  private record CredentialPayload(
      String credentialId,
      String subjectAgentId,
      List<String> scopes,
      CredentialKind kind,
      Integer ttlSeconds,
      CredentialStorage storage) {}

  private record RevocationPayload(String credentialId, String reason) {}

  private record ApprovalPayload(
      String approvalId, String approver, List<String> scopes, int ttlSeconds) {}

  private static long occurredAt(JsonParser p, JsonToken v) throws IOException {
    String text = requiredString(p, v, "occurredAt");
    long millis = Rfc3339.parseMillisOrInvalid(text);
    if (millis == Rfc3339.INVALID) {
      throw new FieldError("occurredAt", NOT_A_DATE_TIME);
    }
    return millis;
  }

  private static Object readPayload(JsonParser p, JsonToken t, int index) throws IOException {
    requireObject(t, PAYLOAD_KEYS[index]);
    return switch (index) {
      case 0 -> readSession(p);
      case 1 -> readDelegation(p);
      case 2 -> readToolCall(p);
      case 3 -> readCredential(p);
      case 4 -> readRevocation(p);
      default -> readApproval(p);
    };
  }

  private static SessionPayload readSession(JsonParser p) throws IOException {
    String initiator = null;
    List<String> grantedScopes = null;
    String intent = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "initiator" -> initiator = requiredString(p, v, "session.initiator");
        case "grantedScopes" -> grantedScopes = stringArray(p, v, "session.grantedScopes");
        case "intent" -> intent = optionalString(p, v, "session.intent");
        default -> p.skipChildren();
      }
    }
    present(initiator, "session.initiator");
    present(grantedScopes, "session.grantedScopes");
    return new SessionPayload(initiator, grantedScopes, intent);
  }

  private static DelegationPayload readDelegation(JsonParser p) throws IOException {
    String childAgentId = null;
    List<String> scopes = null;
    String purpose = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "childAgentId" -> childAgentId = requiredString(p, v, "delegation.childAgentId");
        case "scopes" -> scopes = stringArray(p, v, "delegation.scopes");
        case "purpose" -> purpose = optionalString(p, v, "delegation.purpose");
        default -> p.skipChildren();
      }
    }
    present(childAgentId, "delegation.childAgentId");
    present(scopes, "delegation.scopes");
    return new DelegationPayload(childAgentId, scopes, purpose);
  }

  private static ToolCallPayload readToolCall(JsonParser p) throws IOException {
    String tool = null;
    Map<String, String> arguments = null;
    String credentialId = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "tool" -> tool = requiredString(p, v, "toolCall.tool");
        case "arguments" -> arguments = readArguments(p, v);
        case "credentialId" -> credentialId = optionalString(p, v, "toolCall.credentialId");
        default -> p.skipChildren();
      }
    }
    present(tool, "toolCall.tool");
    present(arguments, "toolCall.arguments");
    return new ToolCallPayload(tool, arguments, credentialId);
  }

  private static Map<String, String> readArguments(JsonParser p, JsonToken t) throws IOException {
    requireObject(t, "toolCall.arguments");
    Map<String, String> arguments = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      if (v != JsonToken.VALUE_STRING) {
        throw new FieldError(
            JsonPaths.child("toolCall.arguments", key), "expected string, got " + typeName(v));
      }
      arguments.put(key, p.getText());
    }
    return arguments;
  }

  private static CredentialPayload readCredential(JsonParser p) throws IOException {
    String credentialId = null;
    String subjectAgentId = null;
    List<String> scopes = null;
    CredentialKind kind = null;
    Integer ttlSeconds = null;
    CredentialStorage storage = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "credentialId" -> credentialId = requiredString(p, v, "credential.credentialId");
        case "subjectAgentId" -> subjectAgentId = requiredString(p, v, "credential.subjectAgentId");
        case "scopes" -> scopes = stringArray(p, v, "credential.scopes");
        case "kind" -> kind = enumValue(p, v, "credential.kind", KINDS);
        case "ttlSeconds" ->
            ttlSeconds = v == JsonToken.VALUE_NULL ? null : integer(p, v, "credential.ttlSeconds", 0);
        case "storage" -> storage = enumValue(p, v, "credential.storage", STORAGES);
        default -> p.skipChildren();
      }
    }
    present(credentialId, "credential.credentialId");
    present(subjectAgentId, "credential.subjectAgentId");
    present(scopes, "credential.scopes");
    present(kind, "credential.kind");
    present(storage, "credential.storage");
    return new CredentialPayload(credentialId, subjectAgentId, scopes, kind, ttlSeconds, storage);
  }

  private static RevocationPayload readRevocation(JsonParser p) throws IOException {
    String credentialId = null;
    String reason = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "credentialId" -> credentialId = requiredString(p, v, "revocation.credentialId");
        case "reason" -> reason = optionalString(p, v, "revocation.reason");
        default -> p.skipChildren();
      }
    }
    present(credentialId, "revocation.credentialId");
    return new RevocationPayload(credentialId, reason);
  }

  private static ApprovalPayload readApproval(JsonParser p) throws IOException {
    String approvalId = null;
    String approver = null;
    List<String> scopes = null;
    Integer ttlSeconds = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "approvalId" -> approvalId = requiredString(p, v, "approval.approvalId");
        case "approver" -> approver = requiredString(p, v, "approval.approver");
        case "scopes" -> scopes = stringArray(p, v, "approval.scopes");
        case "ttlSeconds" -> {
          if (v == JsonToken.VALUE_NULL) {
            throw new FieldError("approval.ttlSeconds", StrictJson.NULL);
          }
          ttlSeconds = integer(p, v, "approval.ttlSeconds", 1);
        }
        default -> p.skipChildren();
      }
    }
    present(approvalId, "approval.approvalId");
    present(approver, "approval.approver");
    present(scopes, "approval.scopes");
    present(ttlSeconds, "approval.ttlSeconds");
    return new ApprovalPayload(approvalId, approver, scopes, ttlSeconds);
  }

  // ---------------------------------------------------------------- encoding

  private static void write(JsonGenerator g, Step e) throws IOException {
    g.writeStartObject();
    g.writeStringField("eventId", e.eventId());
    g.writeStringField("sessionId", e.sessionId());
    g.writeStringField("agentId", e.agentId());
    g.writeStringField("occurredAt", Rfc3339.format(e.occurredAtMillis()));
    g.writeStringField("type", e.type().name());
    if (e instanceof Step.SessionStarted s) {
      g.writeObjectFieldStart("session");
      g.writeStringField("initiator", s.initiator());
      writeStrings(g, "grantedScopes", s.grantedScopes());
      writeOptional(g, "intent", s.intent());
      g.writeEndObject();
    } else if (e instanceof Step.AgentDelegated d) {
      g.writeObjectFieldStart("delegation");
      g.writeStringField("childAgentId", d.childAgentId());
      writeStrings(g, "scopes", d.scopes());
      writeOptional(g, "purpose", d.purpose());
      g.writeEndObject();
    } else if (e instanceof Step.ToolCall c) {
      g.writeObjectFieldStart("toolCall");
      g.writeStringField("tool", c.tool());
      g.writeObjectFieldStart("arguments");
      List<String> keys = new ArrayList<>(c.arguments().keySet());
      Collections.sort(keys);
      for (String key : keys) {
        g.writeStringField(key, c.arguments().get(key));
      }
      g.writeEndObject();
      writeOptional(g, "credentialId", c.credentialId());
      g.writeEndObject();
    } else if (e instanceof Step.CredentialIssued c) {
      g.writeObjectFieldStart("credential");
      g.writeStringField("credentialId", c.credentialId());
      g.writeStringField("subjectAgentId", c.subjectAgentId());
      writeStrings(g, "scopes", c.scopes());
      g.writeStringField("kind", c.kind().name());
      if (c.ttlSeconds() != null) {
        g.writeNumberField("ttlSeconds", c.ttlSeconds());
      }
      g.writeStringField("storage", c.storage().name());
      g.writeEndObject();
    } else if (e instanceof Step.CredentialRevoked r) {
      g.writeObjectFieldStart("revocation");
      g.writeStringField("credentialId", r.credentialId());
      writeOptional(g, "reason", r.reason());
      g.writeEndObject();
    } else if (e instanceof Step.ApprovalGranted a) {
      g.writeObjectFieldStart("approval");
      g.writeStringField("approvalId", a.approvalId());
      g.writeStringField("approver", a.approver());
      writeStrings(g, "scopes", a.scopes());
      g.writeNumberField("ttlSeconds", a.ttlSeconds());
      g.writeEndObject();
    }
    // SESSION_ENDED carries no payload.
    g.writeEndObject();
  }

  static void writeStrings(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  private static void writeOptional(JsonGenerator g, String name, String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static int payloadIndex(String key) {
    return switch (key) {
      case "session" -> 0;
      case "delegation" -> 1;
      case "toolCall" -> 2;
      case "credential" -> 3;
      case "revocation" -> 4;
      default -> 5;
    };
  }

  private static FieldError otherPayload(int index, EventType type) {
    return new FieldError(
        PAYLOAD_KEYS[index], "payload of another type present (type is " + type + ")");
  }

  private static FieldError notAnObjectError() {
    return new FieldError(JsonPaths.ROOT, "not a JSON object");
  }

  private static InvalidEventException tooLarge() {
    return new InvalidEventException(JsonPaths.ROOT, Limits.RECORD_TOO_LARGE);
  }

  private static InvalidEventException notAnObject() {
    return new InvalidEventException(JsonPaths.ROOT, "not a JSON object");
  }

  private static InvalidEventException unexpected(RuntimeException e) {
    // Not expected from any input; kept typed so a bad line still becomes a dead letter.
    LOGGER.warn("unexpected {} while decoding an event line", e.getClass().getName(), e);
    return new InvalidEventException(
        JsonPaths.ROOT, "undecodable: " + e.getClass().getSimpleName(), e);
  }

  private static void close(JsonParser p) {
    if (p != null) {
      try {
        p.close();
      } catch (IOException e) {
        LOGGER.debug("closing an in-memory parser failed", e);
      }
    }
  }

  static <E extends Enum<E>> Map<String, E> symbols(E[] values, E excluded) {
    Map<String, E> map = new LinkedHashMap<>();
    for (E e : values) {
      if (e != excluded) {
        map.put(e.name(), e);
      }
    }
    return Collections.unmodifiableMap(map);
  }
}
