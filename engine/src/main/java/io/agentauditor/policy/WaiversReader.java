package io.agentauditor.policy;

import io.agentauditor.policy.BundleYaml.Entry;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the bundle's {@code waivers} section (format: {@code policies/README.md}), which at most
 * one file defines: a list of {@code file}, {@code rule}, {@code fingerprint}, {@code reason} and
 * {@code expires}. An expired waiver is valid (the bundle still loads, so that a date passing never
 * stops the runtime); the gate and {@code policy check} report it. Errors go to the file's {@link
 * BundleYaml}.
 */
final class WaiversReader {

  /** The rules the pre-merge gate reports, and so the only ones a waiver can name. */
  static final List<BuiltinRule> GATE_RULES =
      List.of(
          BuiltinRule.SECRET_IN_ARGUMENTS,
          BuiltinRule.INSECURE_SECRET_STORAGE,
          BuiltinRule.LONG_LIVED_SECRET_IN_CODE);

  private static final Set<String> KEYS =
      BundleYaml.keys("file", "rule", "fingerprint", "reason", "expires");
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private String definedAt;
  private final List<Waiver> waivers = new ArrayList<>();

  /** Reads a {@code waivers} section: its key (for its line) and value. */
  void readWaivers(BundleYaml yaml, Entry section) {
    if (definedAt != null) {
      yaml.error(section.key(), "waivers are already defined at " + definedAt);
      return;
    }
    definedAt = yaml.where(section.key());
    if (BundleYaml.isNull(section.value())) {
      return; // "waivers:" with nothing under it: none
    }
    List<Node> items = yaml.list(section.value(), "waivers");
    if (items == null) {
      return;
    }
    Map<String, String> waiverAt = new HashMap<>();
    List<String> ruleIds = GATE_RULES.stream().map(BuiltinRule::id).toList();
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      String what = "waivers[" + i + "]";
      Map<String, Entry> f = yaml.fields(item, what, KEYS);
      if (f == null || !yaml.require(item, f, what, KEYS.toArray(new String[0]))) {
        continue;
      }
      String file = file(yaml, f.get("file").value(), what + ".file");
      String rule = yaml.oneOf(f.get("rule").value(), what + ".rule", ruleIds);
      Node fpNode = f.get("fingerprint").value();
      String fingerprint = yaml.nonEmpty(fpNode, what + ".fingerprint");
      if (fingerprint != null && !FINGERPRINT.matcher(fingerprint).matches()) {
        yaml.error(
            fpNode,
            what + ".fingerprint '" + fingerprint + "' must be 32 lower-case hex digits, as the"
                + " check reports it");
        fingerprint = null;
      }
      String reason = yaml.nonEmpty(f.get("reason").value(), what + ".reason");
      LocalDate expires = date(yaml, f.get("expires").value(), what + ".expires");
      if (file == null || rule == null || fingerprint == null || reason == null || expires == null) {
        continue;
      }
      String earlier =
          waiverAt.putIfAbsent(file + "\0" + rule + "\0" + fingerprint, yaml.where(item));
      if (earlier != null) {
        yaml.error(item, what + ": the same file, rule and fingerprint are waived at " + earlier);
        continue;
      }
      waivers.add(new Waiver(file, rule, fingerprint, reason.strip(), expires, yaml.where(item)));
    }
  }

  private static String file(BundleYaml yaml, Node node, String what) {
    String s = yaml.nonEmpty(node, what);
    if (s == null) {
      return null;
    }
    String problem = PolicyBundleLoader.relativePathProblem(s);
    if (problem != null) {
      yaml.error(node, what + " '" + s + "' " + problem);
      return null;
    }
    return s;
  }

  private static LocalDate date(BundleYaml yaml, Node node, String what) {
    String s = yaml.nonEmpty(node, what);
    if (s == null) {
      return null;
    }
    try {
      if (DATE.matcher(s).matches()) {
        return LocalDate.parse(s);
      }
    } catch (DateTimeParseException e) {
      // reported below
    }
    yaml.error(node, what + " '" + s + "' must be a date, YYYY-MM-DD");
    return null;
  }

  /** The waivers in bundle order; empty when the bundle defines none. */
  List<Waiver> waivers() {
    return List.copyOf(waivers);
  }
}
