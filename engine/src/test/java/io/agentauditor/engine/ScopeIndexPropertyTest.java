package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.ScopeCoveragePropertyTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The coverage index answers exactly what {@link ActionLattice#coversAny} answers, scope by scope:
 * over random lists (across the 64-scope word boundaries) of patterns with literals, {@code *},
 * trailing {@code **}, lattice actions, unrelated actions and {@code *} actions.
 */
class ScopeIndexPropertyTest {

  private static final ActionLattice DEFAULTS = ActionLattice.defaults();
  /** Two actions that both imply two others, and a chain below one of them. */
  private static final ActionLattice DIAMOND =
      new ActionLattice(
          Map.of("owner", List.of("read", "list"), "auditor", List.of("read", "list"), "list", List.of("stat")));

  @Provide
  Arbitrary<Scope> scopes() {
    return ScopeCoveragePropertyTest.scopes(
        Arbitraries.of("*", "read", "write", "admin", "deploy", "owner", "list", "stat"), 5);
  }

  @Provide
  Arbitrary<List<Scope>> lists() {
    return scopes().list().ofMinSize(0).ofMaxSize(140);
  }

  @Provide
  Arbitrary<ActionLattice> lattices() {
    return Arbitraries.of(DEFAULTS, DIAMOND);
  }

  @Property(tries = 2000)
  void shouldAnswerAsTheScopeByScopeComparison(
      @ForAll("lists") List<Scope> granted, @ForAll("scopes") Scope requested, @ForAll("lattices") ActionLattice lattice) {
    // Given: an index of the list
    ScopeIndex index = new ScopeIndex(granted, lattice);
    // When / Then: it answers as the naive check, and so does the list that owns one
    boolean naive = lattice.coversAny(granted, requested);
    assertThat(index.coversAny(requested)).as("%s in %s", requested, granted).isEqualTo(naive);
    assertThat(new ScopeList(granted.toArray(new Scope[0])).coversAny(requested, lattice)).isEqualTo(naive);
  }

  @Property(tries = 300)
  void shouldAnswerEveryScopeOfAListAndEveryScopeItCoversAsTheNaiveCheck(
      @ForAll("lists") List<Scope> granted, @ForAll("lists") List<Scope> requested, @ForAll("lattices") ActionLattice lattice) {
    // Given: one list asked many scopes, among them its own (each covered by itself)
    ScopeList list = new ScopeList(granted.toArray(new Scope[0]));
    List<Scope> asked = new ArrayList<>(requested);
    asked.addAll(granted);
    // When / Then
    for (Scope r : asked) {
      assertThat(list.coversAny(r, lattice)).as("%s in %s", r, granted).isEqualTo(lattice.coversAny(granted, r));
    }
  }

  @Property(tries = 300)
  void shouldAnswerAsTheNaiveCheckWhenIndexedBeforeItsFirstQuestion(
      @ForAll("lists") List<Scope> granted, @ForAll("lists") List<Scope> requested, @ForAll("lattices") ActionLattice lattice) {
    // Given: a list told it will be asked all of requested (indexed at once when they are many)
    ScopeList list = new ScopeList(granted.toArray(new Scope[0]));
    list.expect(requested.size(), lattice);
    // When / Then
    for (Scope r : requested) {
      assertThat(list.coversAny(r, lattice)).as("%s in %s", r, granted).isEqualTo(lattice.coversAny(granted, r));
    }
  }

  @Property(tries = 200)
  void shouldAnswerAsTheNaiveCheckWhenTheListIsAskedWithAnotherLattice(
      @ForAll("lists") List<Scope> granted, @ForAll("scopes") Scope requested) {
    // Given: a list indexed for one lattice
    ScopeList list = new ScopeList(granted.toArray(new Scope[0]));
    list.coversAny(requested, DEFAULTS);
    // When / Then: asked with another (a reloaded bundle), it answers for that one
    assertThat(list.coversAny(requested, DIAMOND)).isEqualTo(DIAMOND.coversAny(granted, requested));
  }

  @Example
  void shouldAnswerAsTheNaiveCheckForPatternsAtTheLimitsMixingLiteralsAndStars() {
    // Given: 128 scopes of 32 segments, each a different mix of one literal and * (the shape that
    // makes a trie walk branch at every position), none of them covering a resource ending in c
    List<Scope> granted = new ArrayList<>();
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 128; i++) {
      List<String> segs = new ArrayList<>();
      for (int j = 0; j < 31; j++) {
        segs.add(random.nextBoolean() ? "a" : "*");
      }
      segs.add("b");
      granted.add(new Scope("read", segs));
    }
    ScopeIndex index = new ScopeIndex(granted, DEFAULTS);
    // When / Then: all-a resources ending in c are covered by none, ending in b by all
    List<String> miss = new ArrayList<>(Collections.nCopies(31, "a"));
    miss.add("c");
    List<String> hit = new ArrayList<>(Collections.nCopies(31, "a"));
    hit.add("b");
    assertThat(index.coversAny(new Scope("read", miss))).isFalse();
    assertThat(index.coversAny(new Scope("read", hit))).isTrue();
    assertThat(index.coversAny(new Scope("write", hit))).isFalse();
    for (Scope g : granted) {
      assertThat(index.coversAny(g)).isTrue();
      assertThat(DEFAULTS.coversAny(granted, g)).isTrue();
    }
  }
}
