package io.agentauditor.policytest;

import io.agentauditor.codec.Rfc3339;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Verdict;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
 * Reads the cases of a policy bundle: every {@code *.yaml} / {@code *.yml} file under {@code
 * DIR/cases/} (recursively, in path order), each a mapping with an optional {@code rule} and a
 * non-empty {@code cases} list (format in {@code policies/README.md}). Strict: an unknown key, a
 * missing or ill-typed field, a duplicate case name in a file, or an expected output that can't
 * match anything is an error. All files are read before failing, and every error is reported.
 */
public final class PolicyCaseLoader {

  /** The directory of a bundle that holds its cases. */
  public static final String CASES_DIR = "cases";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  private static final Set<String> FILE_KEYS = Set.of("rule", "cases");
  private static final Set<String> CASE_KEYS = Set.of("name", "description", "events", "expect");
  private static final Set<String> DECISION_KEYS =
      Set.of(
          "eventId",
          "sessionId",
          "type",
          "agentId",
          "occurredAt",
          "verdict",
          "rules",
          "credentialIds",
          "path",
          "messageContains");
  private static final Set<String> DEAD_LETTER_KEYS = Set.of("deadLetter", "reasonContains");

  private PolicyCaseLoader() {}

  /**
   * The cases of the bundle in {@code bundleDir}, file by file in path order, each file's cases in
   * file order.
   *
   * @throws CaseFileException when {@code bundleDir/cases} is missing or holds no case file, or any
   *     case file is invalid (every error listed)
   */
  public static List<PolicyCase> load(Path bundleDir) {
    Path dir = bundleDir.resolve(CASES_DIR);
    if (!Files.isDirectory(dir)) {
      throw new CaseFileException(List.of(dir + ":1: no cases directory"));
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new CaseFileException(List.of(dir + ":1: can't list: " + e.getMessage()));
    }
    if (files.isEmpty()) {
      throw new CaseFileException(List.of(dir + ":1: no case files (*.yaml)"));
    }
    List<String> errors = new ArrayList<>();
    List<PolicyCase> cases = new ArrayList<>();
    for (Path file : files) {
      String rel = bundleDir.relativize(file).toString().replace('\\', '/');
      cases.addAll(new FileReader(file.toString(), rel, errors).read(file));
    }
    if (!errors.isEmpty()) {
      throw new CaseFileException(errors);
    }
    return List.copyOf(cases);
  }

  /** Reads one file, recording errors as {@code shownPath:line: message}. */
  private static final class FileReader {
    private final String shown;
    private final String rel;
    private final List<String> errors;

    FileReader(String shown, String rel, List<String> errors) {
      this.shown = shown;
      this.rel = rel;
      this.errors = errors;
    }

    List<PolicyCase> read(Path file) {
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
      } catch (CharacterCodingException e) {
        error(1, "not UTF-8");
        return List.of();
      } catch (IOException e) {
        error(1, "can't read: " + e.getMessage());
        return List.of();
      }
      Node root = parse(text);
      if (root == null) {
        return List.of();
      }
      Map<String, Node> top = fields(root, "case file", FILE_KEYS);
      if (top == null) {
        return List.of();
      }
      if (top.containsKey("rule")) {
        string(top.get("rule"), "rule");
      }
      Node casesNode = top.get("cases");
      if (casesNode == null) {
        error(line(root), "case file: missing key 'cases'");
        return List.of();
      }
      if (!(casesNode instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
        error(line(casesNode), "cases must be a non-empty list");
        return List.of();
      }
      List<PolicyCase> out = new ArrayList<>();
      Map<String, Integer> names = new HashMap<>();
      for (Node c : seq.getValue()) {
        PolicyCase pc = readCase(c, names);
        if (pc != null) {
          out.add(pc);
        }
      }
      return out;
    }

    private PolicyCase readCase(Node node, Map<String, Integer> names) {
      int before = errors.size();
      Map<String, Node> f = fields(node, "case", CASE_KEYS);
      if (f == null) {
        return null;
      }
      String name = required(f, node, "name", "case");
      if (name != null && !NAME.matcher(name).matches()) {
        error(line(f.get("name")), "case name '" + name + "' must match " + NAME.pattern());
      } else if (name != null) {
        Integer first = names.putIfAbsent(name, line(f.get("name")));
        if (first != null) {
          error(
              line(f.get("name")),
              "duplicate case name '" + name + "' (first at line " + first + ")");
        }
      }
      String description =
          f.containsKey("description") ? string(f.get("description"), "description") : "";
      String events = required(f, node, "events", "case");
      Node expectNode = f.get("expect");
      List<ExpectedOutput> expect = new ArrayList<>();
      if (expectNode == null) {
        error(line(node), "case: missing key 'expect'");
      } else if (!(expectNode instanceof SequenceNode seq)) {
        error(line(expectNode), "expect must be a list");
      } else {
        for (Node e : seq.getValue()) {
          ExpectedOutput out = readExpected(e);
          if (out != null) {
            expect.add(out);
          }
        }
      }
      if (errors.size() > before) {
        return null;
      }
      return new PolicyCase(
          rel, line(node), name, description == null ? "" : description, events, expect);
    }

    private ExpectedOutput readExpected(Node node) {
      if (node instanceof MappingNode m
          && m.getValue().stream()
              .anyMatch(
                  t ->
                      t.getKeyNode() instanceof ScalarNode k
                          && k.getValue().equals("deadLetter"))) {
        Map<String, Node> f = fields(node, "dead letter", DEAD_LETTER_KEYS);
        if (f == null) {
          return null;
        }
        Long line = positiveInteger(f.get("deadLetter"), "deadLetter");
        String reason =
            f.containsKey("reasonContains")
                ? string(f.get("reasonContains"), "reasonContains")
                : null;
        return line == null ? null : new ExpectedOutput.DeadLetter(line(node), line, reason);
      }
      int before = errors.size();
      Map<String, Node> f = fields(node, "expected decision", DECISION_KEYS);
      if (f == null) {
        return null;
      }
      String eventId = required(f, node, "eventId", "expected decision");
      Verdict verdict = null;
      String v = required(f, node, "verdict", "expected decision");
      if (v != null) {
        verdict = enumValue(Verdict.class, v, f.get("verdict"), "verdict");
      }
      List<String> rules = null;
      if (!f.containsKey("rules")) {
        error(line(node), "expected decision: missing key 'rules' (write rules: [] for none)");
      } else {
        rules = strings(f.get("rules"), "rules");
      }
      String sessionId = optionalString(f, "sessionId");
      EventType type = null;
      String t = optionalString(f, "type");
      if (t != null) {
        type = enumValue(EventType.class, t, f.get("type"), "type");
      }
      String agentId = optionalString(f, "agentId");
      Long occurredAt = null;
      String at = optionalString(f, "occurredAt");
      if (at != null) {
        try {
          occurredAt = Rfc3339.parse(at).toEpochMilli();
        } catch (IllegalArgumentException e) {
          error(line(f.get("occurredAt")), "occurredAt '" + at + "': " + e.getMessage());
        }
      }
      List<String> credentialIds =
          f.containsKey("credentialIds") ? strings(f.get("credentialIds"), "credentialIds") : null;
      List<String> path = f.containsKey("path") ? strings(f.get("path"), "path") : null;
      List<String> contains = List.of();
      Node mc = f.get("messageContains");
      if (mc instanceof SequenceNode) {
        contains = strings(mc, "messageContains");
      } else if (mc != null) {
        String s = string(mc, "messageContains");
        contains = s == null ? List.of() : List.of(s);
      }
      if (errors.size() > before || rules == null || contains == null) {
        return null;
      }
      if (credentialIds != null) {
        long n = rules.stream().filter("credential-not-revoked"::equals).count();
        if (n != credentialIds.size()) {
          error(
              line(f.get("credentialIds")),
              "credentialIds lists "
                  + credentialIds.size()
                  + " ids but rules has "
                  + n
                  + " credential-not-revoked findings");
          return null;
        }
      }
      return new ExpectedOutput.Decision(
          line(node),
          eventId,
          sessionId,
          type,
          agentId,
          occurredAt,
          verdict,
          rules,
          credentialIds,
          path,
          contains);
    }

    // ------------------------------------------------------------ YAML helpers

    private Node parse(String text) {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(50);
      options.setAllowRecursiveKeys(false);
      options.setCodePointLimit(16 * 1024 * 1024);
      try {
        Iterator<Node> docs = new Yaml(options).composeAll(new StringReader(text)).iterator();
        if (!docs.hasNext()) {
          error(1, "file is empty");
          return null;
        }
        Node root = docs.next();
        if (docs.hasNext()) {
          error(line(docs.next()), "a case file holds one YAML document, found a second one");
          return null;
        }
        return root;
      } catch (MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
        error(mark == null ? 1 : mark.getLine() + 1, "bad YAML: " + problem);
        return null;
      } catch (YAMLException e) {
        error(1, "bad YAML: " + e.getMessage());
        return null;
      }
    }

    private Map<String, Node> fields(Node node, String what, Set<String> allowed) {
      if (!(node instanceof MappingNode mapping)) {
        error(line(node), what + " must be a mapping");
        return null;
      }
      Map<String, Node> out = new LinkedHashMap<>();
      boolean ok = true;
      for (NodeTuple t : mapping.getValue()) {
        Node k = t.getKeyNode();
        if (!(k instanceof ScalarNode key) || k.getTag().equals(Tag.NULL)) {
          error(line(k), what + ": keys must be strings");
          ok = false;
          continue;
        }
        if (out.containsKey(key.getValue())) {
          error(line(k), what + ": duplicate key '" + key.getValue() + "'");
          ok = false;
        } else if (!allowed.contains(key.getValue())) {
          error(
              line(k),
              what
                  + ": unknown key '"
                  + key.getValue()
                  + "'; expected one of "
                  + String.join(", ", sorted(allowed)));
          ok = false;
        } else {
          out.put(key.getValue(), t.getValueNode());
        }
      }
      return ok ? out : null;
    }

    private String required(Map<String, Node> f, Node owner, String key, String what) {
      Node n = f.get(key);
      if (n == null) {
        error(line(owner), what + ": missing key '" + key + "'");
        return null;
      }
      return string(n, key);
    }

    private String optionalString(Map<String, Node> f, String key) {
      return f.containsKey(key) ? string(f.get(key), key) : null;
    }

    /** A scalar's text, as written: {@code eventId: 2} is the string "2". */
    private String string(Node n, String key) {
      if (!(n instanceof ScalarNode s) || n.getTag().equals(Tag.NULL)) {
        error(line(n), key + " must be a string");
        return null;
      }
      return s.getValue();
    }

    private List<String> strings(Node n, String key) {
      if (!(n instanceof SequenceNode seq)) {
        error(line(n), key + " must be a list of strings");
        return null;
      }
      List<String> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        String s = string(item, key + " item");
        if (s == null) {
          return null;
        }
        out.add(s);
      }
      return out;
    }

    private Long positiveInteger(Node n, String key) {
      String s = n == null ? null : string(n, key);
      if (s == null) {
        return null;
      }
      try {
        long v = Long.parseLong(s);
        if (v >= 1) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      error(line(n), key + " must be a line number (an integer >= 1), got '" + s + "'");
      return null;
    }

    private <E extends Enum<E>> E enumValue(Class<E> type, String value, Node n, String key) {
      for (E e : type.getEnumConstants()) {
        if (e.name().equals(value)) {
          return e;
        }
      }
      List<String> names = Stream.of(type.getEnumConstants()).map(Enum::name).toList();
      error(line(n), key + " '" + value + "' is not one of " + String.join(", ", names));
      return null;
    }

    private static List<String> sorted(Set<String> s) {
      return s.stream().sorted().toList();
    }

    private static int line(Node n) {
      return n == null ? 1 : n.getStartMark().getLine() + 1;
    }

    private void error(int line, String message) {
      errors.add(shown + ":" + Math.max(1, line) + ": " + message);
    }
  }
}
