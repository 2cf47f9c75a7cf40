package io.agentauditor.policy;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.BundleYaml.Entry;
import io.agentauditor.policy.BundleYaml.Item;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the bundle's {@code lattice} section, which at most one file defines, into an {@link
 * ActionLattice}. Errors go to the file's {@link BundleYaml}.
 */
final class LatticeReader {

  private String latticeDefinedAt;
  private ActionLattice lattice;

  /** Reads a {@code lattice} section: its key (for its line) and value. */
  void readLattice(BundleYaml yaml, Entry section) {
    if (latticeDefinedAt != null) {
      yaml.error(section.key(), "lattice is already defined at " + latticeDefinedAt);
      return;
    }
    latticeDefinedAt = yaml.where(section.key());
    Map<String, Entry> entries = yaml.entries(section.value(), "lattice");
    if (entries == null) {
      return;
    }
    Map<String, List<String>> implications = new LinkedHashMap<>();
    boolean ok = true;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (!isLatticeAction(e.getKey())) {
        yaml.error(
            e.getValue().key(),
            "lattice: '" + e.getKey() + "' is not an action ([a-z][a-z0-9_-]*)");
        ok = false;
      }
      List<Item> implied = yaml.strings(e.getValue().value(), "lattice." + e.getKey());
      if (implied == null) {
        ok = false;
        continue;
      }
      List<String> actions = new ArrayList<>();
      for (Item i : implied) {
        if (!isLatticeAction(i.value())) {
          yaml.error(
              i.node(),
              "lattice."
                  + e.getKey()
                  + ": '"
                  + i.value()
                  + "' is not an action ([a-z][a-z0-9_-]*)");
          ok = false;
        } else {
          actions.add(i.value());
        }
      }
      implications.put(e.getKey(), actions);
    }
    if (!ok) {
      return;
    }
    try {
      lattice = new ActionLattice(implications);
    } catch (IllegalArgumentException e) {
      yaml.error(section.key(), "lattice: " + e.getMessage());
    }
  }

  private static boolean isLatticeAction(String a) {
    return !a.equals(Scope.ANY) && Scope.isAction(a);
  }

  /** The lattice the bundle defines, or the contract default when no file defines one. */
  ActionLattice lattice() {
    return lattice != null ? lattice : ActionLattice.defaults();
  }
}
