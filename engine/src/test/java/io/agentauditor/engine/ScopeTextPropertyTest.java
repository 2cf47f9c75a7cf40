package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.ScopeCoveragePropertyTest;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Coverage walked on a scope's text answers what {@link ActionLattice#covers} answers for the
 * parsed scope, and a list kept as texts answers as the scope-by-scope check, before and after it
 * is parsed and indexed.
 */
class ScopeTextPropertyTest {

  private static final ActionLattice DIAMOND =
      new ActionLattice(
          Map.of("owner", List.of("read", "list"), "auditor", List.of("read", "list"), "list", List.of("stat")));

  @Provide
  Arbitrary<Scope> scopes() {
    return ScopeCoveragePropertyTest.scopes(Arbitraries.of("*", "read", "write", "admin", "owner", "list", "stat"), 5);
  }

  @Provide
  Arbitrary<ActionLattice> lattices() {
    return Arbitraries.of(ActionLattice.defaults(), DIAMOND);
  }

  @Property(tries = 5000)
  void shouldCoverAsTheParsedScope(
      @ForAll("scopes") Scope granted, @ForAll("scopes") Scope requested, @ForAll("lattices") ActionLattice lattice) {
    // Given / When / Then
    assertThat(ScopeText.covers(lattice, granted.toString(), requested))
        .as("%s covers %s", granted, requested)
        .isEqualTo(lattice.covers(granted, requested));
  }

  @Property(tries = 300)
  void shouldAnswerAsTheNaiveCheckWhenKeptAsTexts(
      @ForAll("lists") List<Scope> granted, @ForAll("lists") List<Scope> requested, @ForAll("lattices") ActionLattice lattice) {
    // Given: a list made of its texts, asked enough scopes to be parsed and indexed on the way
    ScopeList list = ScopeList.ofTexts(granted.stream().map(Scope::toString).toList(), new ScopeCache(64));
    // When / Then
    for (int round = 0; round < 3; round++) {
      for (Scope r : requested) {
        assertThat(list.coversAny(r, lattice)).as("%s in %s", r, granted).isEqualTo(lattice.coversAny(granted, r));
      }
    }
    assertThat(list).isEqualTo(granted);
  }

  @Provide
  Arbitrary<List<Scope>> lists() {
    return scopes().list().ofMinSize(0).ofMaxSize(40);
  }

  @Example
  void shouldTellAnOpenEndFromALiteralEndingInStars() {
    // Given / When / Then: ** as the whole resource or its last segment only
    ActionLattice lattice = ActionLattice.defaults();
    assertThat(ScopeText.covers(lattice, "read:**", Scope.parse("read:a/b"))).isTrue();
    assertThat(ScopeText.covers(lattice, "read:a/**", Scope.parse("read:a"))).isTrue();
    assertThat(ScopeText.covers(lattice, "read:a/*", Scope.parse("read:a/**"))).isFalse();
    assertThat(ScopeText.covers(lattice, "admin:a/*/c", Scope.parse("read:a/b/c"))).isTrue();
    assertThat(ScopeText.covers(lattice, "read:a/*/c", Scope.parse("admin:a/b/c"))).isFalse();
  }
}
