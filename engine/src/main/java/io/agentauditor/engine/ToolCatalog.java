package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import io.agentauditor.model.ScopeSyntaxException;
import io.agentauditor.policy.ToolSpec;
import io.agentauditor.model.CredentialStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bundle's tool catalog with its scope templates pre-split, so a tool call builds its required
 * scopes (contract section 6) by concatenation. A template is literal text with {@code {name}}
 * placeholders, each replaced by the value of argument {@code name}. Not thread-safe, like the
 * engine that owns it.
 */
final class ToolCatalog {

  /** A compiled catalog entry. */
  record Tool(String name, List<List<Part>> templates, List<String> sources, CredentialStorage sink) {}

  /** Literal text, or a placeholder when {@code argument} is true. */
  record Part(String text, boolean argument) {}

  /**
   * The outcome of building a call's required scopes: either {@code scopes}, or the {@code problems}
   * (one message per bad argument, in argument name order) that made {@code malformed-arguments} fire.
   */
  record Built(List<Scope> scopes, List<String> problems) {
    boolean ok() {
      return problems.isEmpty();
    }
  }

  private static final int MAX_SHOWN = 40;

  private final Map<String, Tool> tools = new HashMap<>();
  // Reused by every build: the catalog belongs to one engine, which is single-threaded.
  private final StringBuilder scratch = new StringBuilder(64);

  ToolCatalog(Map<String, ToolSpec> specs) {
    specs.forEach(
        (name, spec) -> {
          List<List<Part>> templates = new ArrayList<>();
          for (String t : spec.requiredScopes()) {
            templates.add(split(t));
          }
          tools.put(name, new Tool(name, templates, spec.requiredScopes(), spec.sink()));
        });
  }

  private static List<Part> split(String template) {
    List<Part> parts = new ArrayList<>();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      int close = open < 0 ? -1 : template.indexOf('}', open);
      if (open < 0 || close < 0) {
        parts.add(new Part(template.substring(i), false));
        break;
      }
      if (open > i) {
        parts.add(new Part(template.substring(i, open), false));
      }
      parts.add(new Part(template.substring(open + 1, close), true));
      i = close + 1;
    }
    return List.copyOf(parts);
  }

  /** The catalog entry, or null for an unknown tool. */
  Tool tool(String name) {
    return tools.get(name);
  }

  Built build(Tool tool, Map<String, String> arguments, ScopeCache cache) {
    TreeMap<String, String> problems = null;
    List<Scope> scopes = new ArrayList<>(tool.templates().size());
    for (int t = 0; t < tool.templates().size(); t++) {
      StringBuilder sb = scratch;
      sb.setLength(0);
      boolean complete = true;
      List<Part> parts = tool.templates().get(t);
      for (int i = 0; i < parts.size(); i++) {
        Part p = parts.get(i);
        if (!p.argument()) {
          sb.append(p.text());
          continue;
        }
        String value = arguments.get(p.text());
        String problem = checkArgument(value);
        if (problem == null) {
          sb.append(value);
        } else {
          complete = false;
          if (problems == null) {
            problems = new TreeMap<>();
          }
          problems.put(p.text(), "argument '" + p.text() + "' " + problem);
        }
      }
      if (complete) {
        try {
          scopes.add(cache.parse(sb.toString()));
        } catch (ScopeSyntaxException e) {
          // The loader validates templates; a template that still yields no scope fails closed.
          if (problems == null) {
            problems = new TreeMap<>();
          }
          problems.put("\uFFFF" + t, "template '" + tool.sources().get(t) + "' gives no scope");
        }
      }
    }
    if (problems != null) {
      return new Built(List.of(), List.copyOf(problems.values()));
    }
    return new Built(scopes, List.of());
  }

  /**
   * Why an argument value can't stand in a scope resource, or null when it can: split on {@code /},
   * a segment that is empty, not a literal of section 3, {@code .}, {@code ..}, or (contract v2)
   * ends with {@code .}, in that order of checks, is malformed.
   */
  static String checkArgument(String value) {
    if (value == null) {
      return "is missing";
    }
    if (value.isEmpty()) {
      return "is empty";
    }
    // Segment by segment in place: this runs for every argument of every tool call.
    int from = 0;
    while (true) {
      int slash = value.indexOf('/', from);
      int to = slash < 0 ? value.length() : slash;
      if (to == from) {
        return "has an empty segment";
      }
      if (!Scope.isLiteral(value, from, to)) {
        return "has segment '" + shorten(value.substring(from, to)) + "' that is not a literal";
      }
      if (value.charAt(from) == '.' && (to - from == 1 || (to - from == 2 && value.charAt(from + 1) == '.'))) {
        return "has a '" + value.substring(from, to) + "' segment";
      }
      if (value.charAt(to - 1) == '.') {
        // "prod." is not "prod" to a pattern, but may well be to the system behind the tool.
        return "has segment '" + shorten(value.substring(from, to)) + "' ending with '.'";
      }
      if (slash < 0) {
        break;
      }
      from = slash + 1;
    }
    return null;
  }

  static String shorten(String s) {
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
  }

  /** Argument names in sorted order, so messages don't depend on the map implementation. */
  static String[] sortedNames(Map<String, String> arguments) {
    String[] names = arguments.keySet().toArray(new String[0]);
    Arrays.sort(names);
    return names;
  }
}
