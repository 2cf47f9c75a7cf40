package io.agentauditor.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.agentauditor.policy.BundleYaml.Entry;
import io.agentauditor.policy.BundleYaml.Item;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code secretPatterns} and {@code codePatterns} sections of a bundle's files, pattern
 * ids unique across both. Errors go to each file's {@link BundleYaml}.
 */
final class PatternsReader {

  private static final Set<String> PATTERN_KEYS =
      BundleYaml.keys("id", "description", "regex", "unless", "keywords");

  private final List<NamedPattern> secretPatterns = new ArrayList<>();
  private final List<NamedPattern> codePatterns = new ArrayList<>();
  private final Map<String, String> patternDefinedAt = new HashMap<>();

  /** Reads a {@code secretPatterns} section. */
  void readSecretPatterns(BundleYaml yaml, Node node) {
    readPatterns(yaml, node, "secretPatterns", secretPatterns);
  }

  /** Reads a {@code codePatterns} section. */
  void readCodePatterns(BundleYaml yaml, Node node) {
    readPatterns(yaml, node, "codePatterns", codePatterns);
  }

  /** The secret patterns read, in bundle order. */
  List<NamedPattern> secretPatterns() {
    return secretPatterns;
  }

  /** The long-lived-credential-in-code patterns read, in bundle order. */
  List<NamedPattern> codePatterns() {
    return codePatterns;
  }

  private void readPatterns(BundleYaml yaml, Node node, String section, List<NamedPattern> into) {
    List<Node> items = yaml.list(node, section);
    if (items == null) {
      return;
    }
    for (Node item : items) {
      Map<String, Entry> f = yaml.fields(item, section + " item", PATTERN_KEYS);
      if (f == null) {
        continue;
      }
      boolean ok = yaml.require(item, f, section + " item", "id", "description", "regex");
      String id =
          f.containsKey("id") ? BundleYaml.id(yaml, f.get("id").value(), section + " id") : null;
      String what = section + " '" + (id == null ? "?" : id) + "'";
      if (id != null) {
        String earlier = patternDefinedAt.putIfAbsent(id, yaml.where(f.get("id").value()));
        if (earlier != null) {
          yaml.error(
              f.get("id").value(),
              "duplicate pattern id '" + id + "' (first defined at " + earlier + ")");
          ok = false;
        }
      } else {
        ok = false;
      }
      String description =
          f.containsKey("description")
              ? yaml.string(f.get("description").value(), what + " description")
              : null;
      Pattern regex =
          f.containsKey("regex") ? regex(yaml, f.get("regex").value(), what + " regex") : null;
      Pattern unless = null;
      if (f.containsKey("unless")) {
        unless = regex(yaml, f.get("unless").value(), what + " unless");
        ok &= unless != null;
      }
      List<String> keywords = List.of();
      if (f.containsKey("keywords")) {
        keywords = keywords(yaml, f.get("keywords").value(), what, regex);
        ok &= keywords != null;
      }
      if (ok && description != null && regex != null) {
        into.add(new NamedPattern(id, description, regex, unless, keywords));
      }
    }
  }

  /**
   * The pattern's keywords: non-empty strings, each found verbatim in the regex source. The check is
   * a guard against typos, not a proof that every match contains a keyword (see NamedPattern).
   */
  private static List<String> keywords(BundleYaml yaml, Node node, String what, Pattern regex) {
    int errorsBefore = yaml.errorCount();
    List<Item> items = yaml.strings(node, what + " keywords");
    if (items == null) {
      return null;
    }
    if (items.isEmpty() && yaml.errorCount() == errorsBefore) {
      yaml.error(node, what + " keywords must list at least one keyword, or be left out");
    }
    List<String> out = new ArrayList<>(items.size());
    for (Item item : items) {
      if (regex != null && !regex.pattern().contains(item.value())) {
        yaml.error(
            item.node(),
            what
                + " keyword '"
                + item.value()
                + "' does not occur in its regex (a keyword is a literal piece of every match)");
      }
      out.add(item.value());
    }
    return yaml.errorCount() == errorsBefore ? out : null;
  }

  private static Pattern regex(BundleYaml yaml, Node node, String what) {
    String source = yaml.nonEmpty(node, what);
    if (source == null) {
      return null;
    }
    Pattern p;
    try {
      p = Pattern.compile(source);
    } catch (PatternSyntaxException e) {
      yaml.error(node, what + ": RE2 rejects '" + source + "': " + e.getDescription());
      return null;
    }
    if (p.matcher("").find()) {
      yaml.error(
          node,
          what + ": '" + source + "' matches the empty string, so it would match every value");
      return null;
    }
    return p;
  }
}
