package io.agentauditor.policytest;

import io.agentauditor.check.Finding;
import io.agentauditor.check.PreMergeCheck;
import io.agentauditor.policy.Policy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The pre-merge gate's golden cases of a bundle (format: {@code policies/README.md}): each
 * directory {@code DIR/check-cases/NAME/} holds a small repository, {@code repo/}, and {@code
 * case.yaml}, the findings {@code ./auditor check} must report on it: rule, file (relative to
 * {@code repo/}), line and, optionally, pattern; none for a repository that must stay clean. A case
 * passes when the findings are exactly those, in any order. Loading is strict and reports every
 * error as {@code file:line: message}.
 */
public final class CheckCases {

  /** The directory of a bundle that holds its check cases. */
  public static final String DIR = "check-cases";

  /** A case's file of expectations, beside its {@link #REPO}. */
  public static final String CASE_FILE = "case.yaml";

  /** A case's repository. */
  public static final String REPO = "repo";

  private static final Set<String> CASE_KEYS = Set.of("description", "expect");
  private static final Set<String> EXPECT_KEYS = Set.of("rule", "file", "line", "pattern");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  /** One expected finding; {@code pattern} null when any pattern will do. */
  public record Expected(String rule, String file, int line, String pattern) {
    @Override
    public String toString() {
      return rule + " " + file + ":" + line + (pattern == null ? "" : " (" + pattern + ")");
    }
  }

  /**
   * One case.
   *
   * @param id {@code check-cases/NAME}
   * @param repo its repository
   * @param caseFile its {@code case.yaml}, as reachable from the working directory
   */
  public record CheckCase(
      String id, Path repo, Path caseFile, String description, List<Expected> expect) {
    public CheckCase {
      expect = List.copyOf(expect);
    }
  }

  /** A case's outcome: what was expected and not reported, and what was reported unexpectedly. */
  public record Result(CheckCase checkCase, List<Expected> missing, List<Expected> unexpected) {
    public boolean passed() {
      return missing.isEmpty() && unexpected.isEmpty();
    }

    /** Indented lines naming each missing and unexpected finding; empty when it passed. */
    public String diff() {
      StringBuilder sb = new StringBuilder();
      missing.forEach(e -> sb.append("  missing:    ").append(e).append('\n'));
      unexpected.forEach(e -> sb.append("  unexpected: ").append(e).append('\n'));
      return sb.toString();
    }
  }

  private CheckCases() {}

  /**
   * The check cases of the bundle in {@code bundleDir}, by name; none when it has no {@code
   * check-cases/} directory.
   *
   * @throws CaseFileException when a case lacks its repository or its {@code case.yaml}, or the
   *     file is invalid (every error listed)
   */
  public static List<CheckCase> load(Path bundleDir) {
    Path dir = bundleDir.resolve(DIR);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> caseDirs;
    try (Stream<Path> list = Files.list(dir)) {
      caseDirs = list.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new CaseFileException(List.of(dir + ":1: can't list: " + e.getMessage()));
    }
    List<String> errors = new ArrayList<>();
    List<CheckCase> cases = new ArrayList<>();
    for (Path caseDir : caseDirs) {
      String name = caseDir.getFileName().toString();
      Path file = caseDir.resolve(CASE_FILE);
      if (!NAME.matcher(name).matches()) {
        errors.add(caseDir + ":1: case directory name '" + name + "' must match " + NAME.pattern());
      } else if (!Files.isRegularFile(file)) {
        errors.add(file + ":1: no " + CASE_FILE + " in the case directory");
      } else if (!Files.isDirectory(caseDir.resolve(REPO))) {
        errors.add(file + ":1: no " + REPO + "/ directory beside it");
      } else {
        CheckCase c = new Reader(file, errors).read(DIR + "/" + name, caseDir.resolve(REPO));
        if (c != null) {
          cases.add(c);
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new CaseFileException(errors);
    }
    return List.copyOf(cases);
  }

  /** Runs {@code c}: checks its repository with {@code policy} and compares the findings. */
  public static Result run(Policy policy, CheckCase c) {
    PreMergeCheck check = new PreMergeCheck(policy);
    check.scan(c.repo());
    String prefix = c.repo().toString().replace('\\', '/') + "/";
    List<Expected> unexpected = new ArrayList<>();
    for (Finding f : check.findings()) {
      String file = f.file().startsWith(prefix) ? f.file().substring(prefix.length()) : f.file();
      unexpected.add(new Expected(f.ruleId(), file, f.line(), f.patternId()));
    }
    List<Expected> missing = new ArrayList<>();
    for (Expected e : c.expect()) {
      int i = indexOfMatch(unexpected, e);
      if (i < 0) {
        missing.add(e);
      } else {
        unexpected.remove(i);
      }
    }
    return new Result(c, missing, unexpected);
  }

  private static int indexOfMatch(List<Expected> actual, Expected e) {
    for (int i = 0; i < actual.size(); i++) {
      Expected a = actual.get(i);
      if (a.rule().equals(e.rule())
          && a.file().equals(e.file())
          && a.line() == e.line()
          && (e.pattern() == null || e.pattern().equals(a.pattern()))) {
        return i;
      }
    }
    return -1;
  }

  /** Reads one {@code case.yaml}, recording errors as {@code file:line: message}. */
  private static final class Reader {
    private final Path file;
    private final List<String> errors;

    Reader(Path file, List<String> errors) {
      this.file = file;
      this.errors = errors;
    }

    CheckCase read(String id, Path repo) {
      int before = errors.size();
      Node root;
      try {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        Iterator<Node> docs =
            new Yaml(options)
                .composeAll(new StringReader(Files.readString(file, StandardCharsets.UTF_8)))
                .iterator();
        root = docs.hasNext() ? docs.next() : null;
      } catch (MarkedYAMLException e) {
        error(e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1, "bad YAML: " + e.getProblem());
        return null;
      } catch (YAMLException | IOException e) {
        error(1, "can't read: " + e.getMessage());
        return null;
      }
      Map<String, Node> f = fields(root, "case", CASE_KEYS);
      if (f == null) {
        return null;
      }
      String description = f.containsKey("description") ? string(f.get("description"), "description") : "";
      List<Expected> expect = new ArrayList<>();
      if (!f.containsKey("expect")) {
        error(line(root), "case: missing key 'expect' (a list, empty for a clean repository)");
      } else if (!(f.get("expect") instanceof SequenceNode seq)) {
        error(line(f.get("expect")), "expect must be a list");
      } else {
        for (Node n : seq.getValue()) {
          Expected e = expected(n, repo);
          if (e != null) {
            expect.add(e);
          }
        }
      }
      return errors.size() > before ? null : new CheckCase(id, repo, file, description, expect);
    }

    private Expected expected(Node node, Path repo) {
      Map<String, Node> f = fields(node, "expected finding", EXPECT_KEYS);
      if (f == null) {
        return null;
      }
      for (String key : List.of("rule", "file", "line")) {
        if (!f.containsKey(key)) {
          error(line(node), "expected finding: missing key '" + key + "'");
          return null;
        }
      }
      String rule = string(f.get("rule"), "rule");
      String path = string(f.get("file"), "file");
      String lineText = string(f.get("line"), "line");
      String pattern = f.containsKey("pattern") ? string(f.get("pattern"), "pattern") : null;
      if (rule == null || path == null || lineText == null) {
        return null;
      }
      if (!Files.isRegularFile(repo.resolve(path))) {
        error(line(f.get("file")), "file '" + path + "' is not in " + REPO + "/");
        return null;
      }
      int n;
      try {
        n = Integer.parseInt(lineText);
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1) {
        error(line(f.get("line")), "line must be a positive integer, got '" + lineText + "'");
        return null;
      }
      return new Expected(rule, path, n, pattern);
    }

    private Map<String, Node> fields(Node node, String what, Set<String> allowed) {
      if (!(node instanceof MappingNode mapping)) {
        error(node == null ? 1 : line(node), what + " must be a mapping");
        return null;
      }
      Map<String, Node> out = new LinkedHashMap<>();
      for (NodeTuple t : mapping.getValue()) {
        String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
        if (key == null || !allowed.contains(key)) {
          error(line(t.getKeyNode()), what + ": unknown key '" + key + "'; expected one of "
              + String.join(", ", allowed.stream().sorted().toList()));
        } else if (out.put(key, t.getValueNode()) != null) {
          error(line(t.getKeyNode()), what + ": duplicate key '" + key + "'");
        }
      }
      return out;
    }

    private String string(Node node, String what) {
      if (node instanceof ScalarNode s && !s.getValue().isEmpty()) {
        return s.getValue();
      }
      error(line(node), what + " must be a non-empty string");
      return null;
    }

    private static int line(Node node) {
      return node.getStartMark().getLine() + 1;
    }

    private void error(int line, String message) {
      errors.add(file + ":" + line + ": " + message);
    }
  }
}
