package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Scope;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Coverage (contract section 3) is an order relation that agrees with concrete matching. */
public class ScopeCoveragePropertyTest {

  private static final ActionLattice LATTICE = ActionLattice.defaults();
  /** Two actions that both imply two others: their meet has two greatest actions. */
  private static final ActionLattice DIAMOND =
      new ActionLattice(
          java.util.Map.of("owner", List.of("read", "list"), "auditor", List.of("read", "list")));
  private static final List<String> LITERALS = List.of("a", "b", "c");
  /** Every concrete resource over {a, b, c} of 1 to 6 segments: enough witnesses for 4+** patterns. */
  private static final List<List<String>> CONCRETE = concretes(6);

  @Provide
  Arbitrary<Scope> scopes() {
    return scopes(Arbitraries.of("*", "read", "write", "admin", "deploy"), 4);
  }

  /**
   * Scopes of {@code actions} whose resources are up to {@code maxFixed} segments of {@code a},
   * {@code b} and {@code *}, then a trailing {@code **} or not (at least one segment in all).
   */
  public static Arbitrary<Scope> scopes(Arbitrary<String> action, int maxFixed) {
    Arbitrary<List<String>> fixed = Arbitraries.of("a", "b", "*").list().ofMinSize(0).ofMaxSize(maxFixed);
    Arbitrary<Boolean> open = Arbitraries.of(true, false);
    return Combinators.combine(action, fixed, open)
        .filter((a, f, o) -> o || !f.isEmpty())
        .as(
            (a, f, o) -> {
              List<String> segs = new ArrayList<>(f);
              if (o) {
                segs.add("**");
              }
              return Scope.parse(a + ":" + String.join("/", segs));
            });
  }

  @Provide
  Arbitrary<List<String>> concrete() {
    return Arbitraries.of("a", "b", "c").list().ofMinSize(1).ofMaxSize(6);
  }

  /** Reference matcher: does pattern {@code p} match concrete resource {@code c}? */
  static boolean matches(List<String> p, List<String> c) {
    return matches(p, 0, c, 0);
  }

  private static boolean matches(List<String> p, int i, List<String> c, int j) {
    if (i == p.size()) {
      return j == c.size();
    }
    String seg = p.get(i);
    if (seg.equals("**")) {
      return true; // last by grammar; c has at least one segment overall
    }
    if (j == c.size()) {
      return false;
    }
    return (seg.equals("*") || seg.equals(c.get(j))) && matches(p, i + 1, c, j + 1);
  }

  @Property
  void coverageIsReflexive(@ForAll("scopes") Scope s) {
    assertThat(LATTICE.covers(s, s)).isTrue();
  }

  @Property(tries = 3000)
  void coverageIsTransitive(@ForAll("scopes") Scope a, @ForAll("scopes") Scope b, @ForAll("scopes") Scope c) {
    if (LATTICE.covers(a, b) && LATTICE.covers(b, c)) {
      assertThat(LATTICE.covers(a, c)).as("%s > %s > %s", a, b, c).isTrue();
    }
  }

  @Property(tries = 3000)
  void coverageAgreesWithConcreteMatching(
      @ForAll("scopes") Scope g, @ForAll("scopes") Scope r, @ForAll("concrete") List<String> c) {
    if (Scope.resourceCovers(g.segments(), r.segments()) && matches(r.segments(), c)) {
      assertThat(matches(g.segments(), c)).as("%s covers %s, which matches %s", g, r, c).isTrue();
    }
  }

  @Property(tries = 2000)
  void coverageIsExactlyContainmentOverConcreteResources(@ForAll("scopes") Scope g, @ForAll("scopes") Scope r) {
    boolean contained = true;
    for (List<String> c : CONCRETE) {
      if (matches(r.segments(), c) && !matches(g.segments(), c)) {
        contained = false;
        break;
      }
    }
    assertThat(Scope.resourceCovers(g.segments(), r.segments())).as("%s vs %s", g, r).isEqualTo(contained);
  }

  @Property(tries = 2000)
  void coverageRespectsTheActionLattice(@ForAll("scopes") Scope g, @ForAll("scopes") Scope r) {
    boolean resources = Scope.resourceCovers(g.segments(), r.segments());
    assertThat(LATTICE.covers(g, r)).isEqualTo(resources && LATTICE.implies(g.action(), r.action()));
    if (LATTICE.covers(g, r)) {
      for (String stronger : List.of("*", "admin", "write", "read", "deploy")) {
        if (LATTICE.implies(stronger, g.action())) {
          assertThat(LATTICE.covers(new Scope(stronger, g.segments()), r)).isTrue();
        }
      }
    }
    if (r.action().equals("*")) {
      assertThat(LATTICE.covers(g, r)).isEqualTo(resources && g.action().equals("*"));
    }
  }

  private static List<List<String>> concretes(int maxLength) {
    List<List<String>> out = new ArrayList<>();
    List<List<String>> level = List.of(List.of());
    for (int n = 1; n <= maxLength; n++) {
      List<List<String>> next = new ArrayList<>();
      for (List<String> prefix : level) {
        for (String l : LITERALS) {
          List<String> c = new ArrayList<>(prefix);
          c.add(l);
          next.add(List.copyOf(c));
        }
      }
      out.addAll(next);
      level = next;
    }
    return out;
  }

  @Provide
  Arbitrary<Scope> diamondScopes() {
    return scopes()
        .flatMap(
            sc ->
                Arbitraries.of("*", "owner", "auditor", "read", "list", "write")
                    .map(a -> new Scope(a, sc.segments())));
  }

  @Property(tries = 5000)
  void intersectionCoversExactlyWhatBothCover(
      @ForAll("scopes") Scope a,
      @ForAll("scopes") Scope b,
      @ForAll("concreteActions") String action,
      @ForAll("concrete") List<String> c) {
    assertMeetCoversWhatBothCover(LATTICE, a, b, new Scope(action, c));
  }

  @Property(tries = 3000)
  void intersectionCoversExactlyWhatBothCoverInALatticeWithTwoGreatestCommonActions(
      @ForAll("diamondScopes") Scope a,
      @ForAll("diamondScopes") Scope b,
      @ForAll("diamondActions") String action,
      @ForAll("concrete") List<String> c) {
    assertMeetCoversWhatBothCover(DIAMOND, a, b, new Scope(action, c));
  }

  private static void assertMeetCoversWhatBothCover(ActionLattice lattice, Scope a, Scope b, Scope r) {
    boolean both = lattice.covers(a, r) && lattice.covers(b, r);
    assertThat(lattice.coversAny(lattice.intersect(a, b), r))
        .as("%s and %s meet in %s; %s", a, b, lattice.intersect(a, b), r)
        .isEqualTo(both);
  }

  @Provide
  Arbitrary<String> concreteActions() {
    return Arbitraries.of("read", "write", "admin", "deploy", "other");
  }

  @Provide
  Arbitrary<String> diamondActions() {
    return Arbitraries.of("owner", "auditor", "read", "list", "write", "other");
  }
}
