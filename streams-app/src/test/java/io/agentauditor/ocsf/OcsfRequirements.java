package io.agentauditor.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The required attributes of an OCSF class, as listed in a test resource (see {@code
 * ocsf/detection-finding-1.3.0-required.json}), and a check of an event against them: every
 * required attribute present, non-null and of its JSON type, recursively through required and
 * present optional objects, every {@code at_least_one} constraint met, and every listed id within
 * its enum.
 */
final class OcsfRequirements {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final JsonNode spec;

  private OcsfRequirements(JsonNode spec) {
    this.spec = spec;
  }

  static OcsfRequirements load(String resource) {
    try (InputStream in = OcsfRequirements.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return new OcsfRequirements(MAPPER.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(resource, e);
    }
  }

  String version() {
    return spec.get("ocsf_version").asText();
  }

  /** The root type's required attribute names, for tests that remove them one at a time. */
  List<String> requiredOfRoot() {
    List<String> names = new ArrayList<>();
    spec.get("types")
        .get(spec.get("root").asText())
        .get("required")
        .fieldNames()
        .forEachRemaining(names::add);
    return names;
  }

  /** Every way {@code event} breaks the requirements, as {@code path: reason}; empty when none. */
  List<String> violations(JsonNode event) {
    List<String> out = new ArrayList<>();
    checkType(spec.get("root").asText(), event, "$", out);
    return out;
  }

  private void checkObject(String type, JsonNode node, String path, List<String> out) {
    JsonNode t = spec.get("types").get(type);
    if (t == null) {
      throw new IllegalStateException("resource names an undefined type " + type);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = t.get("required").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> attr = it.next();
      JsonNode value = node.get(attr.getKey());
      String at = path + "." + attr.getKey();
      if (value == null || value.isNull()) {
        out.add(at + ": required attribute missing");
      } else {
        checkType(attr.getValue().asText(), value, at, out);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = t.get("objects").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> attr = it.next();
      JsonNode value = node.get(attr.getKey());
      if (value != null && !value.isNull()) {
        checkType(attr.getValue().asText(), value, path + "." + attr.getKey(), out);
      }
    }
    for (JsonNode group : t.get("at_least_one")) {
      boolean any = false;
      for (JsonNode name : group) {
        JsonNode value = node.get(name.asText());
        any |= value != null && !value.isNull();
      }
      if (!any) {
        out.add(path + ": needs at least one of " + group);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = spec.get("enums").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String prefix = type + ".";
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      String attr = e.getKey().substring(prefix.length());
      JsonNode value = node.get(attr);
      if (value != null && !value.isNull() && !contains(e.getValue(), value)) {
        out.add(path + "." + attr + ": " + value + " is not one of " + e.getValue());
      }
    }
  }

  private void checkType(String type, JsonNode value, String path, List<String> out) {
    boolean ok =
        switch (type) {
          case "integer" -> value.isIntegralNumber();
          case "string" -> value.isTextual();
          case "boolean" -> value.isBoolean();
          case "array" -> value.isArray();
          default -> value.isObject();
        };
    if (!ok) {
      out.add(path + ": expected " + type + ", got " + value.getNodeType());
      return;
    }
    if (spec.get("types").has(type)) {
      checkObject(type, value, path, out);
    }
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }
}
