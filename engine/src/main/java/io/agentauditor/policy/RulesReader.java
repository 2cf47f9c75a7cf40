package io.agentauditor.policy;

import io.agentauditor.policy.BundleYaml.Entry;
import io.agentauditor.policy.BundleYaml.Item;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the {@code rules} (built-ins by id) and {@code customRules} sections of a bundle's files,
 * rule ids unique across both, references checked by {@link RuleReferences}, CEL compiled. Errors
 * go to each file's {@link BundleYaml}.
 */
final class RulesReader {

  private static final Set<String> RULE_KEYS =
      BundleYaml.keys("id", "enabled", "action", "mode", "severity", "references");
  private static final Set<String> CUSTOM_RULE_KEYS =
      BundleYaml.keys(
          "id", "description", "expression", "enabled", "action", "mode", "severity", "references");

  private static final List<String> ACTIONS = List.of("BLOCK", "FLAG");
  private static final List<String> MODES = List.of("enforce", "shadow");
  private static final List<String> SEVERITIES =
      List.of("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL");

  private final Map<BuiltinRule, RuleSettings> builtins = new EnumMap<>(BuiltinRule.class);
  private final List<CustomRule> customRules = new ArrayList<>();
  private final Map<String, String> ruleDefinedAt = new HashMap<>();
  /** The file and line of the first {@code rules:} key, where an unlisted built-in belongs. */
  private String rulesFile;
  private int rulesLine;

  /** The built-ins configured without error, by rule. */
  Map<BuiltinRule, RuleSettings> builtins() {
    return builtins;
  }

  /** The custom rules configured without error, in bundle order. */
  List<CustomRule> customRules() {
    return customRules;
  }

  /** Whether some rules item claimed {@code rule}'s id, with or without errors. */
  boolean listed(BuiltinRule rule) {
    return builtins.containsKey(rule) || ruleDefinedAt.containsKey(rule.id());
  }

  /**
   * Gives each built-in no rules item claimed its {@link BuiltinRule#defaultSettings()}, with a
   * warning naming the rule and its default, at the bundle's first {@code rules:} key, or at
   * {@code file:line} when no file has one.
   */
  List<PolicyWarning> defaultUnlisted(String file, int line) {
    String at = rulesFile != null ? rulesFile : file;
    int atLine = rulesFile != null ? rulesLine : line;
    List<PolicyWarning> warnings = new ArrayList<>();
    for (BuiltinRule r : BuiltinRule.values()) {
      if (!listed(r)) {
        RuleSettings d = r.defaultSettings();
        builtins.put(r, d);
        warnings.add(
            new PolicyWarning(
                at,
                atLine,
                "built-in rule '"
                    + r.id()
                    + "' is not listed; it gets its default: action "
                    + d.action()
                    + ", mode enforce, enabled, severity "
                    + d.severity()
                    + ", references ["
                    + String.join(", ", d.references())
                    + "]"));
      }
    }
    return warnings;
  }

  /** Reads one {@code rules} section: built-ins by id. */
  void readRules(BundleYaml yaml, Entry section) {
    if (rulesFile == null) {
      rulesFile = yaml.file();
      rulesLine = BundleYaml.line(section.key());
    }
    Node node = section.value();
    List<Node> items = yaml.list(node, "rules");
    if (items == null) {
      return;
    }
    List<String> builtinIds = Arrays.stream(BuiltinRule.values()).map(BuiltinRule::id).toList();
    for (Node item : items) {
      Map<String, Entry> f = yaml.fields(item, "rules item", RULE_KEYS);
      if (f == null) {
        continue;
      }
      if (!yaml.require(item, f, "rules item", "id", "action", "severity")) {
        if (!f.containsKey("id")) {
          continue;
        }
      }
      Node idNode = f.get("id").value();
      String id = yaml.nonEmpty(idNode, "rule id");
      if (id == null) {
        continue;
      }
      BuiltinRule rule = BuiltinRule.byId(id).orElse(null);
      if (rule == null) {
        yaml.error(
            idNode,
            "unknown built-in rule id '"
                + id
                + "'"
                + BundleYaml.suggestion(id, builtinIds)
                + "; custom rules go under customRules:");
      }
      boolean unique = claimRuleId(yaml, idNode, id);
      RuleSettings settings = ruleSettings(yaml, f, "rule '" + id + "'", id);
      if (rule != null && rule.gate() && !gateKept(yaml, f, id)) {
        settings = null;
      }
      if (rule != null && unique && settings != null) {
        builtins.put(rule, settings);
      }
    }
  }

  /**
   * Whether gate rule {@code id} stays an enforced BLOCK (contract 5: gate rules can't be shadowed
   * or switched off), each way it is weakened an error of its own. Read from the raw values, so
   * it is reported even when another field of the rule is invalid too; an unreadable value is the
   * field check's error, not this one's.
   */
  private static boolean gateKept(BundleYaml yaml, Map<String, Entry> f, String id) {
    boolean kept = true;
    if (isScalar(f, "enabled", "false")) {
      yaml.error(f.get("enabled").value(), "gate rule '" + id + "' can't be disabled");
      kept = false;
    }
    if (isScalar(f, "mode", "shadow")) {
      yaml.error(f.get("mode").value(), "gate rule '" + id + "' can't be put in shadow mode");
      kept = false;
    }
    if (isScalar(f, "action", "FLAG")) {
      yaml.error(
          f.get("action").value(), "gate rule '" + id + "' must BLOCK: there is no chain to go on with");
      kept = false;
    }
    return kept;
  }

  /** Whether {@code key} holds the scalar {@code value}, ignoring case. */
  private static boolean isScalar(Map<String, Entry> f, String key, String value) {
    return f.containsKey(key)
        && f.get(key).value() instanceof ScalarNode s
        && s.getValue().trim().equalsIgnoreCase(value);
  }

  private boolean claimRuleId(BundleYaml yaml, Node idNode, String id) {
    String earlier = ruleDefinedAt.putIfAbsent(id, yaml.where(idNode));
    if (earlier != null) {
      yaml.error(idNode, "duplicate rule id '" + id + "' (first defined at " + earlier + ")");
      return false;
    }
    return true;
  }

  /** Action, mode, severity, enabled and references of a rule; null after an error. */
  private static RuleSettings ruleSettings(
      BundleYaml yaml, Map<String, Entry> f, String what, String id) {
    boolean ok = true;
    Boolean enabled = true;
    if (f.containsKey("enabled")) {
      enabled = yaml.bool(f.get("enabled").value(), what + " enabled");
      ok &= enabled != null;
    }
    String action =
        f.containsKey("action")
            ? yaml.oneOf(f.get("action").value(), what + " action", ACTIONS)
            : null;
    ok &= action != null;
    String mode = "enforce";
    if (f.containsKey("mode")) {
      mode = yaml.oneOf(f.get("mode").value(), what + " mode", MODES);
      ok &= mode != null;
    }
    String severity =
        f.containsKey("severity")
            ? yaml.oneOf(f.get("severity").value(), what + " severity", SEVERITIES)
            : null;
    ok &= severity != null;
    List<String> references = new ArrayList<>();
    if (f.containsKey("references")) {
      List<Item> items = yaml.strings(f.get("references").value(), what + " references");
      if (items == null) {
        ok = false;
      } else {
        for (Item i : items) {
          String problem = RuleReferences.problem(i.value());
          if (problem != null) {
            yaml.error(i.node(), what + ": reference '" + i.value() + "': " + problem);
            ok = false;
          } else if (references.contains(i.value())) {
            yaml.error(i.node(), what + ": reference '" + i.value() + "' is listed twice");
            ok = false;
          } else {
            references.add(i.value());
          }
        }
      }
    }
    if (!ok) {
      return null;
    }
    return new RuleSettings(
        id,
        enabled,
        Verdict.valueOf(action),
        RuleMode.valueOf(mode.toUpperCase()),
        Severity.valueOf(severity),
        references);
  }

  /** Reads one {@code customRules} section. */
  void readCustomRules(BundleYaml yaml, Node node) {
    List<Node> items = yaml.list(node, "customRules");
    if (items == null) {
      return;
    }
    for (Node item : items) {
      Map<String, Entry> f = yaml.fields(item, "customRules item", CUSTOM_RULE_KEYS);
      if (f == null) {
        continue;
      }
      yaml.require(
          item, f, "customRules item", "id", "description", "expression", "action", "severity");
      String id = null;
      boolean ok = true;
      if (f.containsKey("id")) {
        Node idNode = f.get("id").value();
        id = BundleYaml.id(yaml, idNode, "custom rule id");
        if (id != null && BuiltinRule.byId(id).isPresent()) {
          yaml.error(idNode, "duplicate rule id '" + id + "': it is a built-in rule's id");
          ok = false;
        } else if (id != null) {
          ok &= claimRuleId(yaml, idNode, id);
        }
      }
      ok &= id != null;
      String what = "custom rule '" + (id == null ? "?" : id) + "'";
      String description =
          f.containsKey("description")
              ? yaml.nonEmpty(f.get("description").value(), what + " description")
              : null;
      RuleSettings settings = ruleSettings(yaml, f, what, id == null ? "?" : id);
      CelCustomRule rule = null;
      if (f.containsKey("expression")) {
        rule = compile(yaml, f.get("expression").value(), what, settings, description);
      }
      if (ok && settings != null && description != null && rule != null) {
        customRules.add(rule);
      }
    }
  }

  private static CelCustomRule compile(
      BundleYaml yaml, Node node, String what, RuleSettings settings, String description) {
    String expression = yaml.nonEmpty(node, what + " expression");
    if (expression == null) {
      return null;
    }
    // Compile even when the rest of the rule is wrong, so that its CEL errors are reported too.
    RuleSettings forCompile =
        settings != null
            ? settings
            : new RuleSettings(
                "?", true, Verdict.BLOCK, RuleMode.ENFORCE, Severity.MEDIUM, List.of());
    try {
      return CelCustomRule.compile(forCompile, description == null ? "" : description, expression);
    } catch (CelCustomRule.InvalidExpressionException e) {
      for (CelCustomRule.Issue issue : e.issues()) {
        String at =
            issue.line() < 1
                ? ""
                : " (expression line " + issue.line() + ", column " + (issue.column() + 1) + ")";
        yaml.error(
            expressionLine(yaml, node, expression, issue.line(), issue.column()),
            what + ": CEL: " + issue.message() + at);
      }
      return null;
    }
  }

  /**
   * The file line of a CEL issue at {@code exprLine}, {@code column} of {@code expression}, the
   * value of scalar {@code node}. A literal block keeps its lines; folded, plain and quoted
   * scalars join theirs (a line break becomes a space), so the issue's offset in the expression is
   * traced back through the source lines, each holding its trimmed text and one joining character.
   */
  private static int expressionLine(
      BundleYaml yaml, Node node, String expression, int exprLine, int column) {
    int start = BundleYaml.line(node);
    if (exprLine < 1 || !(node instanceof ScalarNode s)) {
      return start;
    }
    if (s.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL) {
      return start + exprLine; // a block's text starts on the line after its '|'
    }
    String[] exprLines = expression.split("\n", -1);
    int offset = column;
    for (int i = 0; i < exprLine - 1 && i < exprLines.length; i++) {
      offset += exprLines[i].length() + 1;
    }
    boolean block = s.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED;
    int last = Math.max(start, s.getEndMark().getLine() + 1);
    int consumed = 0;
    for (int line = block ? start + 1 : start; line <= last; line++) {
      String text = yaml.sourceLine(line);
      if (line == start) {
        text = text.substring(Math.min(s.getStartMark().getColumn(), text.length()));
      }
      consumed += text.strip().length() + 1;
      if (offset < consumed) {
        return line;
      }
    }
    return last;
  }
}
