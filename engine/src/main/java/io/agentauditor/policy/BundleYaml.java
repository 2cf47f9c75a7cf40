package io.agentauditor.policy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one bundle file as a SnakeYAML node tree, which keeps every node's line, and offers typed
 * accessors that record an error (with this file's name and the node's line) instead of throwing,
 * so that one pass over a bundle reports every problem. Accessors return null after recording an
 * error.
 */
final class BundleYaml {

  private static final java.util.regex.Pattern ID =
      java.util.regex.Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private final String file;
  private final List<PolicyError> errors;
  /** The parsed text's lines, for what a node's marks can't say (how a scalar was folded). */
  private String[] lines = new String[0];

  BundleYaml(String file, List<PolicyError> errors) {
    this.file = file;
    this.errors = errors;
  }

  String file() {
    return file;
  }

  static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  /** Line {@code line} (1-based) of the parsed text; empty past its end. */
  String sourceLine(int line) {
    return line >= 1 && line <= lines.length ? lines[line - 1] : "";
  }

  /** {@code file:line} of a node, for messages that point at an earlier definition. */
  String where(Node node) {
    return file + ":" + line(node);
  }

  void error(Node node, String message) {
    errors.add(new PolicyError(file, node == null ? 1 : line(node), message));
  }

  /** Errors reported so far, this file's and others'. */
  int errorCount() {
    return errors.size();
  }

  void error(int line, String message) {
    errors.add(new PolicyError(file, Math.max(1, line), message));
  }

  /** The single YAML document of {@code text}; null (with an error) when it is not one document. */
  Node parse(String text) {
    lines = text.split("\r?\n", -1);
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    options.setAllowRecursiveKeys(false);
    options.setCodePointLimit(8 * 1024 * 1024);
    Yaml yaml = new Yaml(options);
    try {
      Iterator<Node> docs = yaml.composeAll(new StringReader(text)).iterator();
      if (!docs.hasNext()) {
        error(1, "file is empty");
        return null;
      }
      Node root = docs.next();
      if (docs.hasNext()) {
        Node second = docs.next();
        error(second, "a bundle file holds one YAML document, found a second one");
        return null;
      }
      return root;
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
      error(mark == null ? 1 : mark.getLine() + 1, "bad YAML: " + problem + context);
      return null;
    } catch (YAMLException e) {
      error(1, "bad YAML: " + e.getMessage());
      return null;
    }
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }

  /**
   * The entries of a mapping by key, in file order. Keys must be strings from {@code allowed}; an
   * unknown key (a typo must not be ignored silently) or a repeated key is an error and is left
   * out. Null when {@code node} is not a mapping.
   */
  Map<String, Entry> fields(Node node, String what, Set<String> allowed) {
    return read(node, what, allowed);
  }

  /** All entries of a mapping whose keys are free-form names (tools, lattice actions). */
  Map<String, Entry> entries(Node node, String what) {
    return read(node, what, null);
  }

  /** Shared by {@link #fields} and {@link #entries}: {@code allowed} null means any non-empty key. */
  private Map<String, Entry> read(Node node, String what, Set<String> allowed) {
    if (!(node instanceof MappingNode mapping)) {
      error(node, what + " must be a mapping");
      return null;
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    for (NodeTuple t : mapping.getValue()) {
      Node keyNode = t.getKeyNode();
      boolean stringKey = keyNode instanceof ScalarNode && !isNull(keyNode);
      if (!stringKey || (allowed == null && ((ScalarNode) keyNode).getValue().isEmpty())) {
        error(keyNode, what + (allowed == null ? ": keys must be non-empty strings" : ": keys must be strings"));
        continue;
      }
      String key = ((ScalarNode) keyNode).getValue();
      if (out.containsKey(key)) {
        error(
            keyNode,
            what
                + ": duplicate key '"
                + key
                + "' (first at line "
                + line(out.get(key).key())
                + ")");
        continue;
      }
      if (allowed != null && !allowed.contains(key)) {
        error(
            keyNode,
            what
                + ": unknown key '"
                + key
                + "'"
                + suggestion(key, allowed)
                + "; expected one of "
                + String.join(", ", allowed));
        continue;
      }
      out.put(key, new Entry(keyNode, t.getValueNode()));
    }
    return out;
  }

  /** Records an error, at the mapping's line, for each of {@code required} that is absent. */
  boolean require(Node mapping, Map<String, Entry> fields, String what, String... required) {
    boolean ok = true;
    for (String r : required) {
      if (!fields.containsKey(r)) {
        error(mapping, what + ": missing required key '" + r + "'");
        ok = false;
      }
    }
    return ok;
  }

  /** A non-null scalar's text; YAML numbers and booleans are taken as written. */
  String string(Node node, String what) {
    if (!(node instanceof ScalarNode s) || isNull(node)) {
      error(node, what + " must be a string");
      return null;
    }
    return s.getValue();
  }

  /** A non-empty string. */
  String nonEmpty(Node node, String what) {
    String s = string(node, what);
    if (s != null && s.isBlank()) {
      error(node, what + " must not be empty");
      return null;
    }
    return s;
  }

  /** An integer in {@code [min, max]}. */
  Long integer(Node node, String what, long min, long max) {
    if (!(node instanceof ScalarNode s) || !s.getTag().equals(Tag.INT)) {
      error(node, what + " must be an integer");
      return null;
    }
    long v;
    try {
      v = Long.parseLong(s.getValue().replace("_", ""));
    } catch (NumberFormatException e) {
      error(node, what + " must be a decimal integer, got '" + s.getValue() + "'");
      return null;
    }
    if (v < min || v > max) {
      error(node, what + " must be between " + min + " and " + max + ", got " + v);
      return null;
    }
    return v;
  }

  /** {@code true} or {@code false}. */
  Boolean bool(Node node, String what) {
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
      if (s.getValue().equalsIgnoreCase("true")) {
        return true;
      }
      if (s.getValue().equalsIgnoreCase("false")) {
        return false;
      }
    }
    error(node, what + " must be true or false");
    return null;
  }

  /** A sequence's items. */
  List<Node> list(Node node, String what) {
    if (!(node instanceof SequenceNode seq)) {
      error(node, what + " must be a list");
      return null;
    }
    return seq.getValue();
  }

  /** A list of strings; an item that is not a string is an error and is left out. */
  List<Item> strings(Node node, String what) {
    List<Node> items = list(node, what);
    if (items == null) {
      return null;
    }
    List<Item> out = new ArrayList<>();
    for (Node n : items) {
      String s = nonEmpty(n, what + " item");
      if (s != null) {
        out.add(new Item(n, s));
      }
    }
    return out;
  }

  /** One of {@code names}, compared ignoring case; returned in its canonical spelling. */
  String oneOf(Node node, String what, Collection<String> names) {
    String s = string(node, what);
    if (s == null) {
      return null;
    }
    for (String n : names) {
      if (n.equalsIgnoreCase(s)) {
        return n;
      }
    }
    error(node, what + ": '" + s + "' is not one of " + String.join(", ", names));
    return null;
  }

  /** A rule or pattern id: lower-case words of {@code [a-z0-9]} joined by {@code -}. */
  static String id(BundleYaml yaml, Node node, String what) {
    String s = yaml.nonEmpty(node, what);
    if (s != null && !ID.matcher(s).matches()) {
      yaml.error(
          node,
          what + " '" + s + "' must be lower-case words joined by '-' ([a-z0-9]+(-[a-z0-9]+)*)");
      return null;
    }
    return s;
  }

  /** The allowed keys of a mapping, in order, for {@link #fields}. */
  static Set<String> keys(String... keys) {
    return new LinkedHashSet<>(List.of(keys));
  }

  /** " (did you mean 'x'?)" for a near miss of one of {@code candidates}, else "". */
  static String suggestion(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(word.toLowerCase(), c.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best != null && bestDistance <= Math.max(2, word.length() / 4)
        ? " (did you mean '" + best + "'?)"
        : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** A mapping entry: its key node (for the key's line) and its value node. */
  record Entry(Node key, Node value) {}

  /** A string list item with its node (for its line). */
  record Item(Node node, String value) {}
}
