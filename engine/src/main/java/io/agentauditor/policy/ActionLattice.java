package io.agentauditor.policy;

import io.agentauditor.model.Scope;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bundle's action implication relation (contract section 3): its transitive closure, so that
 * {@link #implies} is a set lookup. Default: {@code admin} implies {@code write}, {@code write}
 * implies {@code read}.
 */
public final class ActionLattice {

  private final Map<String, Set<String>> direct;
  private final Map<String, Set<String>> closure;

  /**
   * @param implications action to the actions it directly implies; copied
   * @throws IllegalArgumentException when the relation has a cycle or a malformed action
   */
  public ActionLattice(Map<String, List<String>> implications) {
    Map<String, Set<String>> d = new HashMap<>();
    implications.forEach(
        (k, v) -> {
          if (k.equals(Scope.ANY) || !Scope.isAction(k)) {
            throw new IllegalArgumentException("malformed action '" + k + "' in lattice");
          }
          for (String a : v) {
            if (a.equals(Scope.ANY) || !Scope.isAction(a)) {
              throw new IllegalArgumentException("malformed action '" + a + "' in lattice");
            }
          }
          d.put(k, Set.copyOf(v));
        });
    this.direct = Map.copyOf(d);
    Map<String, Set<String>> c = new HashMap<>();
    for (String a : d.keySet()) {
      Set<String> reach = new HashSet<>();
      collect(a, reach);
      if (reach.contains(a)) {
        throw new IllegalArgumentException("action lattice has a cycle through '" + a + "'");
      }
      c.put(a, Set.copyOf(reach));
    }
    this.closure = Map.copyOf(c);
  }

  /** The contract's default lattice: admin implies write, write implies read. */
  public static ActionLattice defaults() {
    return new ActionLattice(Map.of("admin", List.of("write"), "write", List.of("read")));
  }

  private void collect(String action, Set<String> reach) {
    for (String next : direct.getOrDefault(action, Set.of())) {
      if (reach.add(next)) {
        collect(next, reach);
      }
    }
  }

  /** Whether granting {@code granted} allows {@code requested}: equal, {@code *}, or implied. */
  public boolean implies(String granted, String requested) {
    return granted.equals(Scope.ANY)
        || granted.equals(requested)
        || closure.getOrDefault(granted, Set.of()).contains(requested);
  }

  /** {@code covers(g, r)} of contract section 3: actions through this lattice, resources by containment. */
  public boolean covers(Scope granted, Scope requested) {
    return implies(granted.action(), requested.action())
        && Scope.resourceCovers(granted.segments(), requested.segments());
  }

  /** A set G covers a set R when every r in R is covered by some g in G. */
  public boolean coversAll(List<Scope> granted, List<Scope> requested) {
    for (Scope r : requested) {
      if (!coversAny(granted, r)) {
        return false;
      }
    }
    return true;
  }

  /** Whether some scope of {@code granted} covers {@code requested}. */
  public boolean coversAny(List<Scope> granted, Scope requested) {
    for (Scope g : granted) {
      if (covers(g, requested)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The scopes covering exactly what both {@code a} and {@code b} cover (for any concrete scope
   * r: {@code covers(a, r) && covers(b, r)} iff some returned scope covers r): the resource
   * intersection, once per greatest action both imply ({@code write} and {@code read} meet in
   * {@code read}; unrelated actions not at all). Empty when they share nothing.
   */
  public List<Scope> intersect(Scope a, Scope b) {
    List<String> resource = Scope.resourceIntersection(a.segments(), b.segments());
    if (resource == null) {
      return List.of();
    }
    List<Scope> out = new java.util.ArrayList<>(1);
    for (String action : commonActions(a.action(), b.action())) {
      out.add(new Scope(action, resource));
    }
    return out;
  }

  /** The greatest actions implied by both {@code a} and {@code b}, in name order. */
  private List<String> commonActions(String a, String b) {
    if (a.equals(Scope.ANY)) {
      return List.of(b);
    }
    if (b.equals(Scope.ANY)) {
      return List.of(a);
    }
    java.util.TreeSet<String> both = new java.util.TreeSet<>(closure.getOrDefault(a, Set.of()));
    both.add(a);
    Set<String> fromB = new HashSet<>(closure.getOrDefault(b, Set.of()));
    fromB.add(b);
    both.retainAll(fromB);
    List<String> greatest = new java.util.ArrayList<>(both.size());
    for (String m : both) {
      boolean below = false;
      for (String x : both) {
        if (!x.equals(m) && implies(x, m)) {
          below = true;
          break;
        }
      }
      if (!below) {
        greatest.add(m);
      }
    }
    return greatest;
  }

  /** The direct implications, as configured. */
  public Map<String, Set<String>> implications() {
    return direct;
  }
}
