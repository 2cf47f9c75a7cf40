package io.agentauditor.policy;

import io.agentauditor.model.Scope;
import io.agentauditor.model.ScopeSyntaxException;
import io.agentauditor.policy.BundleYaml.Entry;
import io.agentauditor.policy.BundleYaml.Item;
import io.agentauditor.model.CredentialStorage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code tools} sections of a bundle's files into the tool catalog, each tool name once
 * across the bundle. Errors go to each file's {@link BundleYaml}.
 */
final class ToolsReader {

  private static final Set<String> TOOL_KEYS =
      BundleYaml.keys("description", "requiredScopes", "sink");
  private static final java.util.regex.Pattern PLACEHOLDER =
      java.util.regex.Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)\\}");

  private final Map<String, ToolSpec> tools = new LinkedHashMap<>();
  private final Map<String, String> toolDefinedAt = new HashMap<>();

  /** Reads one {@code tools} section. */
  void readTools(BundleYaml yaml, Node node) {
    Map<String, Entry> entries = yaml.entries(node, "tools");
    if (entries == null) {
      return;
    }
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      String tool = e.getKey();
      Node keyNode = e.getValue().key();
      String what = "tool '" + tool + "'";
      boolean ok = true;
      if (tool.chars().anyMatch(Character::isWhitespace)) {
        yaml.error(keyNode, what + ": a tool name has no whitespace");
        ok = false;
      }
      String earlier = toolDefinedAt.putIfAbsent(tool, yaml.where(keyNode));
      if (earlier != null) {
        yaml.error(keyNode, what + " is already defined at " + earlier);
        ok = false;
      }
      Map<String, Entry> f = yaml.fields(e.getValue().value(), what, TOOL_KEYS);
      if (f == null) {
        continue;
      }
      if (!yaml.require(e.getValue().value(), f, what, "requiredScopes")) {
        ok = false;
      }
      if (f.containsKey("description")) {
        yaml.string(f.get("description").value(), what + " description");
      }
      List<String> templates = new ArrayList<>();
      if (f.containsKey("requiredScopes")) {
        List<Item> items = yaml.strings(f.get("requiredScopes").value(), what + " requiredScopes");
        if (items == null) {
          ok = false;
        } else {
          for (Item item : items) {
            String problem = templateProblem(item.value());
            if (problem != null) {
              yaml.error(item.node(), what + ": scope template '" + item.value() + "': " + problem);
              ok = false;
            } else {
              templates.add(item.value());
            }
          }
        }
      }
      CredentialStorage sink = null;
      if (f.containsKey("sink") && !BundleYaml.isNull(f.get("sink").value())) {
        String s = yaml.oneOf(f.get("sink").value(), what + " sink", SettingsReader.STORAGES);
        if (s == null) {
          ok = false;
        } else {
          sink = CredentialStorage.valueOf(s);
        }
      }
      if (ok) {
        tools.put(tool, new ToolSpec(tool, templates, sink));
      }
    }
  }

  /**
   * Why a required-scope template is malformed, or null. Placeholders are {@code {name}} with
   * {@code name} an identifier, in the resource only; with a literal in place of each, the template
   * must be a scope of contract section 3.
   */
  static String templateProblem(String template) {
    int colon = template.indexOf(':');
    if (colon >= 0 && template.substring(0, colon).contains("{")) {
      return "placeholders are allowed in the resource only, not in the action";
    }
    Matcher m = PLACEHOLDER.matcher(template);
    String rest = m.replaceAll("");
    if (rest.contains("{") || rest.contains("}")) {
      return "malformed placeholder: write {name}, name = [A-Za-z_][A-Za-z0-9_]*";
    }
    try {
      Scope.parse(m.replaceAll("x"));
    } catch (ScopeSyntaxException e) {
      return e.getMessage();
    }
    return null;
  }

  /** The catalog read, in bundle order. */
  Map<String, ToolSpec> tools() {
    return tools;
  }
}
