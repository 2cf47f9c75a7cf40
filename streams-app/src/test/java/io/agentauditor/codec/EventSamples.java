package io.agentauditor.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.schema.AgentDelegated;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.ApprovalGranted;
import io.agentauditor.schema.CredentialIssued;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialRevoked;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.SessionStarted;
import io.agentauditor.schema.ToolCall;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Test-side generator of valid events: the expected {@link AgentEvent} and a JSON rendering of it
 * built independently of the codec (Jackson tree, java.time), with the freedoms section 2 allows:
 * any key order, unknown fields, explicit nulls for optional fields and other payloads, offsets
 * other than Z, fractional seconds beyond milliseconds, lower-case {@code t}/{@code z}.
 */
public final class EventSamples {

  static final ObjectMapper MAPPER = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String[] PAYLOAD_KEYS = {
    "session", "delegation", "toolCall", "credential", "revocation", "approval"
  };
  static final EventType[] TYPES = {
    EventType.SESSION_STARTED, EventType.AGENT_DELEGATED, EventType.TOOL_CALL,
    EventType.CREDENTIAL_ISSUED, EventType.CREDENTIAL_REVOKED, EventType.APPROVAL_GRANTED,
    EventType.SESSION_ENDED
  };

  /** A valid event and a JSON tree that must decode to it. */
  record Sample(AgentEvent event, ObjectNode json) {
    String line() {
      return render(json, null, null);
    }

    @Override
    public String toString() {
      return line();
    }
  }

  private EventSamples() {}

  static Arbitrary<Sample> samples() {
    return Arbitraries.randomValue(EventSamples::sample);
  }

  static Arbitrary<AgentEvent> events() {
    return samples().map(Sample::event);
  }

  static Sample sample(Random r) {
    EventType type = TYPES[r.nextInt(TYPES.length)];
    long millis = millis(r);
    AgentEvent e = new AgentEvent(id(r), id(r), id(r), Instant.ofEpochMilli(millis), type,
        null, null, null, null, null, null);
    switch (type) {
      case SESSION_STARTED -> e.setSession(new SessionStarted(text(r), scopes(r), optional(r)));
      case AGENT_DELEGATED -> e.setDelegation(new AgentDelegated(id(r), scopes(r), optional(r)));
      case TOOL_CALL -> e.setToolCall(new ToolCall(text(r), arguments(r), r.nextBoolean() ? id(r) : null));
      case CREDENTIAL_ISSUED -> e.setCredential(new CredentialIssued(id(r), id(r), scopes(r),
          CredentialKind.values()[r.nextInt(CredentialKind.values().length - 1)],
          r.nextInt(4) == 0 ? null : intIn(r, 0),
          CredentialStorage.values()[r.nextInt(CredentialStorage.values().length - 1)]));
      case CREDENTIAL_REVOKED -> e.setRevocation(new CredentialRevoked(id(r), optional(r)));
      case APPROVAL_GRANTED -> e.setApproval(new ApprovalGranted(id(r), text(r), scopes(r), intIn(r, 1)));
      default -> { }
    }
    return new Sample(e, toJson(e, r));
  }

  // ------------------------------------------------------------------ JSON rendering

  static ObjectNode toJson(AgentEvent e, Random r) {
    List<Map.Entry<String, JsonNode>> top = new ArrayList<>();
    top.add(Map.entry("eventId", NODES.textNode(e.getEventId())));
    top.add(Map.entry("sessionId", NODES.textNode(e.getSessionId())));
    top.add(Map.entry("agentId", NODES.textNode(e.getAgentId())));
    top.add(Map.entry("occurredAt", NODES.textNode(dateTime(e.getOccurredAt(), r))));
    top.add(Map.entry("type", NODES.textNode(e.getType().name())));
    int own = e.getType().ordinal();
    for (int i = 0; i < PAYLOAD_KEYS.length; i++) {
      if (i == own) {
        top.add(Map.entry(PAYLOAD_KEYS[i], payload(e, r)));
      } else if (r.nextInt(8) == 0) {
        top.add(Map.entry(PAYLOAD_KEYS[i], NODES.nullNode()));
      }
    }
    addUnknown(top, r);
    return object(top, r);
  }

  private static JsonNode payload(AgentEvent e, Random r) {
    List<Map.Entry<String, JsonNode>> f = new ArrayList<>();
    switch (e.getType()) {
      case SESSION_STARTED -> {
        SessionStarted s = e.getSession();
        f.add(Map.entry("initiator", NODES.textNode(s.getInitiator())));
        f.add(Map.entry("grantedScopes", strings(s.getGrantedScopes())));
        optionalField(f, "intent", s.getIntent(), r);
      }
      case AGENT_DELEGATED -> {
        AgentDelegated d = e.getDelegation();
        f.add(Map.entry("childAgentId", NODES.textNode(d.getChildAgentId())));
        f.add(Map.entry("scopes", strings(d.getScopes())));
        optionalField(f, "purpose", d.getPurpose(), r);
      }
      case TOOL_CALL -> {
        ToolCall c = e.getToolCall();
        f.add(Map.entry("tool", NODES.textNode(c.getTool())));
        ObjectNode args = NODES.objectNode();
        c.getArguments().forEach(args::put);
        f.add(Map.entry("arguments", args));
        optionalField(f, "credentialId", c.getCredentialId(), r);
      }
      case CREDENTIAL_ISSUED -> {
        CredentialIssued c = e.getCredential();
        f.add(Map.entry("credentialId", NODES.textNode(c.getCredentialId())));
        f.add(Map.entry("subjectAgentId", NODES.textNode(c.getSubjectAgentId())));
        f.add(Map.entry("scopes", strings(c.getScopes())));
        f.add(Map.entry("kind", NODES.textNode(c.getKind().name())));
        if (c.getTtlSeconds() != null) {
          f.add(Map.entry("ttlSeconds", NODES.numberNode(c.getTtlSeconds())));
        } else if (r.nextBoolean()) {
          f.add(Map.entry("ttlSeconds", NODES.nullNode()));
        }
        f.add(Map.entry("storage", NODES.textNode(c.getStorage().name())));
      }
      case CREDENTIAL_REVOKED -> {
        CredentialRevoked v = e.getRevocation();
        f.add(Map.entry("credentialId", NODES.textNode(v.getCredentialId())));
        optionalField(f, "reason", v.getReason(), r);
      }
      case APPROVAL_GRANTED -> {
        ApprovalGranted a = e.getApproval();
        f.add(Map.entry("approvalId", NODES.textNode(a.getApprovalId())));
        f.add(Map.entry("approver", NODES.textNode(a.getApprover())));
        f.add(Map.entry("scopes", strings(a.getScopes())));
        f.add(Map.entry("ttlSeconds", NODES.numberNode(a.getTtlSeconds())));
      }
      default -> throw new IllegalStateException();
    }
    addUnknown(f, r);
    return object(f, r);
  }

  private static void optionalField(
      List<Map.Entry<String, JsonNode>> f, String name, String value, Random r) {
    if (value != null) {
      f.add(Map.entry(name, NODES.textNode(value)));
    } else if (r.nextBoolean()) {
      f.add(Map.entry(name, NODES.nullNode()));
    }
  }

  private static void addUnknown(List<Map.Entry<String, JsonNode>> fields, Random r) {
    int n = r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0;
    for (int i = 0; i < n; i++) {
      String name = "x_" + i + "_" + r.nextInt(1000);
      JsonNode value = switch (r.nextInt(6)) {
        case 0 -> NODES.nullNode();
        case 1 -> NODES.numberNode(r.nextDouble() * 1e300);
        case 2 -> NODES.arrayNode().add(1).add("two").add(NODES.objectNode().put("k", false));
        case 3 -> NODES.objectNode().set("nested", NODES.objectNode().put("eventId", ""));
        case 4 -> NODES.textNode(text(r));
        default -> NODES.numberNode(-r.nextLong());
      };
      fields.add(Map.entry(name, value));
    }
  }

  private static ObjectNode object(List<Map.Entry<String, JsonNode>> fields, Random r) {
    List<Map.Entry<String, JsonNode>> shuffled = new ArrayList<>(fields);
    if (r.nextInt(3) == 0) {
      Collections.shuffle(shuffled, r);
    }
    ObjectNode o = NODES.objectNode();
    shuffled.forEach(en -> o.set(en.getKey(), en.getValue()));
    return o;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = NODES.arrayNode();
    values.forEach(a::add);
    return a;
  }

  /** An RFC 3339 rendering of {@code at} with a random offset, fraction and letter case. */
  static String dateTime(Instant at, Random r) {
    int offsetMinutes = r.nextInt(3) == 0 ? 0 : r.nextInt(2 * 1439 + 1) - 1439;
    // java.time offsets stop at ±18:00; RFC 3339 allows up to ±23:59, so shift by hand.
    LocalDateTime local = LocalDateTime.ofInstant(at.plusSeconds(offsetMinutes * 60L), ZoneOffset.UTC);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%04d-%02d-%02d", local.getYear(), local.getMonthValue(),
        local.getDayOfMonth()));
    sb.append(r.nextInt(5) == 0 ? 't' : 'T');
    sb.append(String.format("%02d:%02d:%02d", local.getHour(), local.getMinute(), local.getSecond()));
    int millis = local.getNano() / 1_000_000;
    int digits = millis != 0 ? 3 + r.nextInt(7) : r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(9);
    if (digits > 0) {
      sb.append('.').append(String.format("%03d", millis));
      if (digits < 3) {
        sb.setLength(sb.length() - (3 - digits)); // only zeros were cut (millis == 0)
      }
      for (int i = 3; i < digits; i++) {
        sb.append((char) ('0' + r.nextInt(10))); // sub-millisecond digits are truncated away
      }
    }
    if (offsetMinutes == 0 && r.nextInt(4) != 0) {
      sb.append(r.nextInt(5) == 0 ? 'z' : 'Z');
    } else {
      int abs = Math.abs(offsetMinutes);
      sb.append(offsetMinutes < 0 || (offsetMinutes == 0 && r.nextBoolean()) ? '-' : '+');
      sb.append(String.format("%02d:%02d", abs / 60, abs % 60));
    }
    return sb.toString();
  }

  /**
   * Renders a tree as one JSON line; when {@code dupIn} is set, the key {@code dupKey} of that
   * object is written twice.
   */
  static String render(JsonNode node, JsonNode dupIn, String dupKey) {
    StringBuilder sb = new StringBuilder();
    render(node, dupIn, dupKey, sb);
    return sb.toString();
  }

  private static void render(JsonNode node, JsonNode dupIn, String dupKey, StringBuilder sb) {
    if (node.isObject()) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> en : node.properties()) {
        int times = node == dupIn && en.getKey().equals(dupKey) ? 2 : 1;
        for (int t = 0; t < times; t++) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          sb.append(NODES.textNode(en.getKey()).toString()).append(':');
          render(en.getValue(), dupIn, dupKey, sb);
        }
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        render(node.get(i), dupIn, dupKey, sb);
      }
      sb.append(']');
    } else {
      sb.append(node.toString());
    }
  }

  // ------------------------------------------------------------------ values

  static long millis(Random r) {
    long day = 86_400_000L;
    return switch (r.nextInt(3)) {
      case 0 -> 1_700_000_000_000L + (long) (r.nextDouble() * 100L * 365 * day);
      case 1 -> Rfc3339.MIN_MILLIS + day + (long) (r.nextDouble() * (Rfc3339.MAX_MILLIS
          - Rfc3339.MIN_MILLIS - 2 * day));
      default -> (1_700_000_000L + r.nextInt(1_000_000)) * 1000; // whole seconds
    };
  }

  static int intIn(Random r, int min) {
    return switch (r.nextInt(4)) {
      case 0 -> min;
      case 1 -> Integer.MAX_VALUE;
      default -> min + r.nextInt(Integer.MAX_VALUE - min);
    };
  }

  static String optional(Random r) {
    return r.nextBoolean() ? null : text(r);
  }

  /** A non-empty id: mostly ASCII-ish, sometimes any Unicode (non-BMP and escaped controls too). */
  static String id(Random r) {
    String s = text(r);
    return s.isEmpty() ? "x" : s;
  }

  /** Up to 11 characters, ASCII-ish or any Unicode but surrogates (two- to four-byte forms). */
  public static String text(Random r) {
    int length = r.nextInt(12);
    StringBuilder sb = new StringBuilder();
    boolean unicode = r.nextInt(3) == 0;
    for (int i = 0; i < length; i++) {
      if (unicode) {
        int cp;
        do {
          cp = switch (r.nextInt(4)) {
            case 0 -> r.nextInt(0x80);
            case 1 -> 0x80 + r.nextInt(0x800 - 0x80);
            case 2 -> 0x800 + r.nextInt(0x10000 - 0x800);
            default -> 0x10000 + r.nextInt(0x110000 - 0x10000);
          };
        } while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
        sb.appendCodePoint(cp);
      } else {
        String alphabet = "abcdefghijklmnopqrstuvwxyzAB:/._-@ 09\"\\";
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
    }
    return sb.toString();
  }

  static List<String> scopes(Random r) {
    int n = r.nextInt(4);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(scope(r));
    }
    return out;
  }

  /** A scope from section 3's grammar. */
  static String scope(Random r) {
    StringBuilder sb = new StringBuilder();
    if (r.nextInt(6) == 0) {
      sb.append('*');
    } else {
      sb.append((char) ('a' + r.nextInt(26)));
      int more = r.nextInt(6);
      for (int i = 0; i < more; i++) {
        sb.append("abcdefghijklmnopqrstuvwxyz0123456789_-".charAt(r.nextInt(38)));
      }
    }
    sb.append(':');
    int segments = 1 + r.nextInt(4);
    for (int i = 0; i < segments; i++) {
      if (i > 0) {
        sb.append('/');
      }
      int kind = r.nextInt(8);
      if (kind == 0) {
        sb.append('*');
      } else if (kind == 1 && i == segments - 1) {
        sb.append("**");
      } else {
        int len = 1 + r.nextInt(6);
        for (int k = 0; k < len; k++) {
          sb.append("ABCxyz019._@-".charAt(r.nextInt(13)));
        }
      }
    }
    return sb.toString();
  }

  static Map<String, String> arguments(Random r) {
    Map<String, String> m = new HashMap<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      m.put(text(r), text(r));
    }
    return m;
  }

  /** Every object of the tree with its path in the codec's format. */
  static Map<JsonNode, String> objects(ObjectNode root) {
    Map<JsonNode, String> out = new IdentityHashMap<>();
    out.put(root, JsonPaths.ROOT);
    collect(root, JsonPaths.ROOT, out);
    return out;
  }

  private static void collect(JsonNode node, String path, Map<JsonNode, String> out) {
    if (node.isObject()) {
      node.properties().forEach(en -> {
        String p = JsonPaths.child(path, en.getKey());
        if (en.getValue().isObject()) {
          out.put(en.getValue(), p);
        }
        collect(en.getValue(), p, out);
      });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String p = JsonPaths.index(path, i);
        if (node.get(i).isObject()) {
          out.put(node.get(i), p);
        }
        collect(node.get(i), p, out);
      }
    }
  }
}
