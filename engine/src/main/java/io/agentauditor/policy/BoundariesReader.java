package io.agentauditor.policy;

import io.agentauditor.model.Scope;
import io.agentauditor.model.ScopeSyntaxException;
import io.agentauditor.policy.BundleYaml.Entry;
import io.agentauditor.policy.BundleYaml.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the bundle's {@code boundaries} section (format: {@code policies/README.md}), which at most
 * one file defines: a list, in the order patterns are tried, of {@code agents} (a pattern) and
 * {@code scopes}. Errors go to the file's {@link BundleYaml}.
 */
final class BoundariesReader {

  private static final Set<String> KEYS = BundleYaml.keys("agents", "scopes", "description");

  private String definedAt;
  private final List<AgentBoundary> boundaries = new ArrayList<>();

  /** Reads a {@code boundaries} section: its key (for its line) and value. */
  void readBoundaries(BundleYaml yaml, Entry section) {
    if (definedAt != null) {
      yaml.error(section.key(), "boundaries are already defined at " + definedAt);
      return;
    }
    definedAt = yaml.where(section.key());
    if (BundleYaml.isNull(section.value())) {
      return; // "boundaries:" with nothing under it: none
    }
    List<Node> items = yaml.list(section.value(), "boundaries");
    if (items == null) {
      return;
    }
    Map<String, String> patternAt = new java.util.HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      String what = "boundaries[" + i + "]";
      Map<String, Entry> f = yaml.fields(item, what, KEYS);
      if (f == null || !yaml.require(item, f, what, "agents", "scopes")) {
        continue;
      }
      if (f.containsKey("description")) {
        yaml.string(f.get("description").value(), what + ".description");
      }
      Node agentsNode = f.get("agents").value();
      String agents = yaml.nonEmpty(agentsNode, what + ".agents");
      if (agents != null) {
        String earlier = patternAt.putIfAbsent(agents, yaml.where(agentsNode));
        if (earlier != null) {
          yaml.error(agentsNode, what + ".agents: pattern '" + agents + "' is already listed at " + earlier
              + " (the first that matches applies, so this one never would)");
          agents = null;
        }
      }
      List<Scope> scopes = scopes(yaml, f.get("scopes").value(), what + ".scopes");
      if (agents != null && scopes != null) {
        boundaries.add(new AgentBoundary(agents, scopes));
      }
    }
  }

  private static List<Scope> scopes(BundleYaml yaml, Node node, String what) {
    List<Item> items = yaml.strings(node, what);
    if (items == null) {
      return null;
    }
    List<Scope> out = new ArrayList<>();
    boolean ok = true;
    for (Item item : items) {
      try {
        out.add(Scope.parse(item.value()));
      } catch (ScopeSyntaxException e) {
        yaml.error(item.node(), what + ": " + e.getMessage());
        ok = false;
      }
    }
    return ok ? out : null;
  }

  /** The boundaries in bundle order; empty when the bundle defines none. */
  List<AgentBoundary> boundaries() {
    return List.copyOf(boundaries);
  }
}
