package io.agentauditor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.codec.EventSamples.Sample;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.EventType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/** Properties of the event codec over generated valid events, their mutations and noise. */
class EventJsonCodecPropertiesTest {

  // ------------------------------------------------------------------ valid events

  @Property(tries = 2000)
  void shouldDecodeEveryValidRenderingToTheEvent(@ForAll("samples") Sample sample) {
    // Given a valid event rendered with section 2's freedoms
    String line = sample.line();

    // When it is decoded, from text and from UTF-8 bytes
    AgentEvent fromText = AvroViews.decode(line);
    AgentEvent fromBytes = AvroViews.decode(line.getBytes(StandardCharsets.UTF_8));

    // Then both give the event
    assertThat(fromText).isEqualTo(sample.event());
    assertThat(fromBytes).isEqualTo(sample.event());
  }

  @Property(tries = 2000)
  void shouldDecodeTheEncodingToAnEqualEvent(@ForAll("events") AgentEvent event) {
    // When a valid event is encoded and decoded
    String line = AvroViews.encode(event);
    AgentEvent back = AvroViews.decode(line);

    // Then it is the same event, and the encoding is a fixed point
    assertThat(back).isEqualTo(event);
    assertThat(AvroViews.encode(back)).isEqualTo(line);
    assertThat(AvroViews.encodeUtf8(event)).isEqualTo(line.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 1000)
  void shouldCarryAnEventThroughAvroBinaryLosslessly(@ForAll("samples") Sample sample)
      throws IOException {
    // Given JSON decoded to an event
    AgentEvent decoded = AvroViews.decode(sample.line());

    // When the event goes through Avro binary and back
    AgentEvent viaAvro = avroRoundTrip(decoded);

    // Then nothing is lost, and it still validates and encodes to the same line
    assertThat(viaAvro).isEqualTo(decoded);
    assertThat(AvroViews.isValid(viaAvro)).isTrue();
    assertThat(AvroViews.encode(viaAvro)).isEqualTo(AvroViews.encode(decoded));
  }

  // ------------------------------------------------------------------ mutations

  enum Mutation {
    DROP_REQUIRED, NULL_REQUIRED, WRONG_TYPE, DUPLICATE_KEY, UNKNOWN_TYPE, FRACTIONAL_INT,
    OUT_OF_RANGE_INT, CORRUPT_DATE, EXTRA_PAYLOAD, MALFORMED_SCOPE, EMPTY_ID
  }

  /** A mutated line and the error it must give. */
  record Mutated(Mutation kind, String line, String path, String reason) {
    @Override
    public String toString() {
      return kind + " -> " + path + ": " + reason + "  in  " + line;
    }
  }

  @Property(tries = 3000)
  void shouldReportEveryInvalidatingMutationAtItsField(
      @ForAll("samples") Sample sample, @ForAll Mutation kind, @ForAll long seed) {
    // Given a valid event with one rule of section 2 broken
    Mutated m = mutate(sample, kind, new Random(seed));
    if (m == null) {
      return; // this kind does not apply to the event's type
    }

    // When / Then it is reported invalid, at the mutated field, for the right reason
    assertThatThrownBy(() -> AvroViews.decode(m.line()))
        .as(m.toString())
        .isInstanceOfSatisfying(InvalidEventException.class, e -> {
          assertThat(e.fieldPath()).as(m.toString()).isEqualTo(m.path());
          if (m.reason() != null) {
            assertThat(e.reason()).as(m.toString()).startsWith(m.reason());
          }
        });
    assertThatThrownBy(() -> AvroViews.decode(m.line().getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageStartingWith(m.path() + ": ");
  }

  @Property(tries = 2000)
  void shouldRejectEveryTruncation(@ForAll("samples") Sample sample, @ForAll Random random) {
    // Given a valid line cut short, as text and as bytes (possibly inside a UTF-8 sequence)
    String line = sample.line();
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    String cutText = line.substring(0, random.nextInt(line.length()));
    byte[] cutBytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));

    // When / Then: never a valid event, never another exception
    assertThatThrownBy(() -> AvroViews.decode(cutText)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> AvroViews.decode(cutBytes)).isInstanceOf(InvalidEventException.class);
  }

  @Property(tries = 2000)
  void shouldDecodeOrRejectALineWithInsertedBytes(
      @ForAll("samples") Sample sample, @ForAll @Size(min = 1, max = 8) byte[] noise,
      @ForAll Random random) {
    // Given random bytes inserted at a random position of a valid line
    byte[] bytes = sample.line().getBytes(StandardCharsets.UTF_8);
    int at = random.nextInt(bytes.length + 1);
    byte[] mutated = new byte[bytes.length + noise.length];
    System.arraycopy(bytes, 0, mutated, 0, at);
    System.arraycopy(noise, 0, mutated, at, noise.length);
    System.arraycopy(bytes, at, mutated, at + noise.length, bytes.length - at);

    // When / Then: a valid event or the typed exception
    assertDecodesValidOrRejects(mutated);
  }

  // ------------------------------------------------------------------ noise

  @Property(tries = 3000)
  void shouldDecodeOrRejectRandomBytes(@ForAll @Size(max = 300) byte[] bytes) {
    assertDecodesValidOrRejects(bytes);
  }

  @Property(tries = 3000)
  void shouldDecodeOrRejectRandomStrings(@ForAll @Size(max = 300) String text) {
    try {
      AgentEvent e = AvroViews.decode(text);
      assertThat(AvroViews.isValid(e)).isTrue();
    } catch (InvalidEventException expected) {
      assertThat(expected.getMessage()).isEqualTo(expected.fieldPath() + ": " + expected.reason());
    }
  }

  @Property(tries = 5000)
  void shouldDecodeOrRejectRandomJsonTokenSoup(@ForAll("tokenSoup") String text) {
    try {
      AgentEvent e = AvroViews.decode(text);
      assertThat(AvroViews.decode(AvroViews.encode(e))).isEqualTo(e);
    } catch (InvalidEventException expected) {
      assertThat(expected.fieldPath()).isNotEmpty();
    }
  }

  // ------------------------------------------------------------------ providers

  @Provide
  Arbitrary<Sample> samples() {
    return EventSamples.samples();
  }

  @Provide
  Arbitrary<AgentEvent> events() {
    return EventSamples.events();
  }

  @Provide
  Arbitrary<String> tokenSoup() {
    Arbitrary<String> token = Arbitraries.of(
        "{", "}", "[", "]", ":", ",", " ", "\"eventId\"", "\"sessionId\"", "\"agentId\"",
        "\"occurredAt\"", "\"type\"", "\"toolCall\"", "\"tool\"", "\"arguments\"",
        "\"session\"", "\"initiator\"", "\"grantedScopes\"", "\"credential\"", "\"ttlSeconds\"",
        "\"approval\"", "\"TOOL_CALL\"", "\"SESSION_ENDED\"", "\"SESSION_STARTED\"",
        "\"2026-01-01T00:00:00Z\"", "\"read:repo/**\"", "\"x\"", "\"\"", "null", "true", "0",
        "1", "-1", "1.5", "1e3", "2147483648", "\"\\ud800\"", "\"\\u0000\"");
    return token.list().ofMaxSize(40).map(l -> String.join("", l));
  }

  // ------------------------------------------------------------------ mutation builder

  private static Mutated mutate(Sample sample, Mutation kind, Random r) {
    ObjectNode root = sample.json().deepCopy();
    EventType type = sample.event().getType();
    String payloadKey = EventJsonCodec.payloadKey(io.agentauditor.model.EventType.valueOf(type.name()));
    ObjectNode payload = payloadKey == null ? null : (ObjectNode) root.get(payloadKey);
    List<String[]> required = requiredFields(type);
    switch (kind) {
      case DROP_REQUIRED -> {
        String[] f = required.get(r.nextInt(required.size()));
        parent(root, f).remove(f[f.length - 1]);
        String reason = f.length == 1 && f[0].equals(payloadKey)
            ? "payload of type " + type + " is missing" : "required field is missing";
        return new Mutated(kind, root.toString(), String.join(".", f), reason);
      }
      case NULL_REQUIRED -> {
        String[] f = required.get(r.nextInt(required.size()));
        parent(root, f).putNull(f[f.length - 1]);
        String reason = f.length == 1 && f[0].equals(payloadKey)
            ? "payload of type " + type + " is null" : "required field is null";
        return new Mutated(kind, root.toString(), String.join(".", f), reason);
      }
      case WRONG_TYPE -> {
        List<String[]> candidates = new ArrayList<>(required);
        if (type == EventType.TOOL_CALL) {
          payload.get("arguments").properties()
              .forEach(en -> candidates.add(new String[] {"toolCall", "arguments", en.getKey()}));
        }
        String[] f = candidates.get(r.nextInt(candidates.size()));
        ObjectNode parent = parent(root, f);
        JsonNode old = parent.get(f[f.length - 1]);
        String expected = old.isObject() ? "object" : old.isArray() ? "array"
            : old.isInt() ? "integer" : "string";
        JsonNode replacement;
        String got;
        do {
          int pick = r.nextInt(5);
          got = new String[] {"number", "boolean", "array", "object", "string"}[pick];
          replacement = switch (pick) {
            case 0 -> EventSamples.NODES.numberNode(7);
            case 1 -> EventSamples.NODES.booleanNode(r.nextBoolean());
            case 2 -> EventSamples.NODES.arrayNode();
            case 3 -> EventSamples.NODES.objectNode();
            default -> EventSamples.NODES.textNode("7");
          };
        } while (got.equals(expected) || (expected.equals("integer") && got.equals("number")));
        parent.set(f[f.length - 1], replacement);
        String path = f.length == 3 ? JsonPaths.child("toolCall.arguments", f[2]) : String.join(".", f);
        return new Mutated(kind, root.toString(), path, "expected " + expected + ", got " + got);
      }
      case DUPLICATE_KEY -> {
        List<Map.Entry<JsonNode, String>> objects = new ArrayList<>(EventSamples.objects(root).entrySet());
        objects.removeIf(en -> en.getKey().isEmpty());
        Map.Entry<JsonNode, String> target = objects.get(r.nextInt(objects.size()));
        List<String> keys = new ArrayList<>();
        target.getKey().fieldNames().forEachRemaining(keys::add);
        String key = keys.get(r.nextInt(keys.size()));
        String line = EventSamples.render(root, target.getKey(), key);
        return new Mutated(kind, line, JsonPaths.child(target.getValue(), key), "duplicate key");
      }
      case UNKNOWN_TYPE -> {
        String bad = new String[] {"UNRECOGNIZED", type.name().toLowerCase(), "FOO", "", type.name() + " "}
            [r.nextInt(5)];
        root.put("type", bad);
        return new Mutated(kind, root.toString(), "type", "unknown value");
      }
      case FRACTIONAL_INT, OUT_OF_RANGE_INT -> {
        if (type != EventType.CREDENTIAL_ISSUED && type != EventType.APPROVAL_GRANTED) {
          return null;
        }
        int min = type == EventType.APPROVAL_GRANTED ? 1 : 0;
        String raw = kind == Mutation.FRACTIONAL_INT
            ? new String[] {"60.0", "1e3", "1E0", "0.5", "3600.000"}[r.nextInt(5)]
            : new String[] {String.valueOf(min - 1), "2147483648", "-2147483649",
                "184467440737095516150"}[r.nextInt(4)];
        payload.put("ttlSeconds", 424242);
        String line = root.toString().replace("424242", raw);
        String reason = kind == Mutation.FRACTIONAL_INT
            ? "expected integer, got number with fraction or exponent"
            : "integer out of range [" + min + ", 2147483647]";
        return new Mutated(kind, line, payloadKey + ".ttlSeconds", reason);
      }
      case CORRUPT_DATE -> {
        root.put("occurredAt", corruptDate(root.get("occurredAt").asText(), r));
        return new Mutated(kind, root.toString(), "occurredAt",
            "not an RFC 3339 date-time with seconds and offset");
      }
      case EXTRA_PAYLOAD -> {
        int other;
        do {
          other = r.nextInt(EventSamples.PAYLOAD_KEYS.length);
        } while (other == type.ordinal());
        String otherKey = EventSamples.PAYLOAD_KEYS[other];
        JsonNode value = r.nextBoolean() ? EventSamples.NODES.objectNode()
            : EventSamples.NODES.objectNode().put("credentialId", "c").put("junk", 1);
        root.set(otherKey, value);
        return new Mutated(kind, root.toString(), otherKey,
            "payload of another type present (type is " + type + ")");
      }
      case MALFORMED_SCOPE -> {
        String field = switch (type) {
          case SESSION_STARTED -> "grantedScopes";
          case AGENT_DELEGATED, CREDENTIAL_ISSUED, APPROVAL_GRANTED -> "scopes";
          default -> null;
        };
        if (field == null) {
          return null;
        }
        ArrayNode scopes = (ArrayNode) payload.get(field);
        String bad = new String[] {"noColon", "Read:x", "read:", "read:a//b", "read:**/a", "read: a",
            "read:a/b/", ":x", "read:a/***", "rea d:x", "read:é"}[r.nextInt(11)];
        int at = scopes.isEmpty() ? 0 : r.nextInt(scopes.size());
        if (scopes.isEmpty()) {
          scopes.add(bad);
        } else {
          scopes.set(at, EventSamples.NODES.textNode(bad));
        }
        return new Mutated(kind, root.toString(), payloadKey + "." + field + "[" + at + "]",
            "malformed scope ");
      }
      case EMPTY_ID -> {
        List<String[]> ids = new ArrayList<>(List.of(
            new String[] {"eventId"}, new String[] {"sessionId"}, new String[] {"agentId"}));
        for (String id : new String[] {"childAgentId", "credentialId", "subjectAgentId", "approvalId"}) {
          if (payload != null && payload.has(id) && !payload.get(id).isNull()) {
            ids.add(new String[] {payloadKey, id});
          }
        }
        String[] f = ids.get(r.nextInt(ids.size()));
        parent(root, f).put(f[f.length - 1], "");
        return new Mutated(kind, root.toString(), String.join(".", f), "must not be empty");
      }
      default -> throw new IllegalStateException(kind.name());
    }
  }

  private static String corruptDate(String s, Random r) {
    int zone = 19;
    if (s.charAt(19) == '.') {
      zone = 20;
      while (Character.isDigit(s.charAt(zone))) {
        zone++;
      }
    }
    return switch (r.nextInt(10)) {
      case 0 -> s.substring(0, 17) + "60" + s.substring(19); // leap second
      case 1 -> s.substring(0, 5) + "13" + s.substring(7);
      case 2 -> s.substring(0, 8) + "32" + s.substring(10);
      case 3 -> s.substring(0, 5) + "02-30" + s.substring(10);
      case 4 -> s.substring(0, 16) + s.substring(19); // no seconds
      case 5 -> s.substring(0, zone); // no offset
      case 6 -> s.substring(0, 10) + " " + s.substring(11);
      case 7 -> s.substring(0, zone) + "+24:00";
      case 8 -> s.substring(0, 11) + "24" + s.substring(13);
      default -> s.substring(0, 19) + "." + s.substring(zone);
    };
  }

  private static ObjectNode parent(ObjectNode root, String[] path) {
    ObjectNode node = root;
    for (int i = 0; i < path.length - 1; i++) {
      node = (ObjectNode) node.get(path[i]);
    }
    return node;
  }

  private static List<String[]> requiredFields(EventType type) {
    List<String[]> out = new ArrayList<>();
    for (String f : new String[] {"eventId", "sessionId", "agentId", "occurredAt", "type"}) {
      out.add(new String[] {f});
    }
    String key = EventJsonCodec.payloadKey(io.agentauditor.model.EventType.valueOf(type.name()));
    if (key == null) {
      return out;
    }
    out.add(new String[] {key});
    String[] fields = switch (type) {
      case SESSION_STARTED -> new String[] {"initiator", "grantedScopes"};
      case AGENT_DELEGATED -> new String[] {"childAgentId", "scopes"};
      case TOOL_CALL -> new String[] {"tool", "arguments"};
      case CREDENTIAL_ISSUED -> new String[] {"credentialId", "subjectAgentId", "scopes", "kind",
          "storage"};
      case CREDENTIAL_REVOKED -> new String[] {"credentialId"};
      case APPROVAL_GRANTED -> new String[] {"approvalId", "approver", "scopes", "ttlSeconds"};
      default -> new String[0];
    };
    for (String f : fields) {
      out.add(new String[] {key, f});
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private static void assertDecodesValidOrRejects(byte[] bytes) {
    try {
      AgentEvent e = AvroViews.decode(bytes);
      assertThat(AvroViews.isValid(e)).isTrue();
      assertThat(AvroViews.decode(AvroViews.encode(e))).isEqualTo(e);
    } catch (InvalidEventException expected) {
      assertThat(expected.getMessage()).isEqualTo(expected.fieldPath() + ": " + expected.reason());
    }
  }

  static AgentEvent avroRoundTrip(AgentEvent event) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(AgentEvent.class).write(event, encoder);
    encoder.flush();
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
    return new SpecificDatumReader<>(AgentEvent.class).read(null, decoder);
  }
}
