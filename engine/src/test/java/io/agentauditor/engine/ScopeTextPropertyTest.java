package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.ScopeCoveragePropertyTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Coverage walked on a scope's text answers what {@link ActionLattice#covers} answers for the
 * parsed scope, compared as a string or in place as the bytes of a record, and a list kept as
 * texts answers as the scope-by-scope check, before and after it is parsed and indexed.
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

  /** Literals of which one begins another, so texts share prefixes that end inside a segment. */
  @Provide
  Arbitrary<Scope> prefixed() {
    Arbitrary<List<String>> fixed = Arbitraries.of("a", "ab", "b", "*").list().ofMinSize(0).ofMaxSize(5);
    return Combinators.combine(Arbitraries.of("*", "read", "write", "list"), fixed, Arbitraries.of(true, false))
        .filter((a, f, o) -> o || !f.isEmpty())
        .as((a, f, o) -> Scope.parse(a + ":" + String.join("/", f) + (o ? (f.isEmpty() ? "**" : "/**") : "")));
  }

  @Property(tries = 5000)
  void shouldCoverAsTheParsedScopeWhenComparedAsBytes(
      @ForAll("prefixed") Scope granted,
      @ForAll("prefixed") Scope requested,
      @ForAll("lattices") ActionLattice lattice,
      @ForAll @IntRange(max = 3) int around) {
    // Given: the granted scope's text amid bytes that a walk past its ends would take for more
    byte[] text = granted.toString().getBytes(StandardCharsets.UTF_8);
    byte[] buf = new byte[text.length + 2 * around];
    Arrays.fill(buf, (byte) '/');
    for (int i = 0; i < around; i++) {
      buf[buf.length - 1 - i] = (byte) (i % 2 == 0 ? '*' : 'a');
    }
    System.arraycopy(text, 0, buf, around, text.length);
    // When
    boolean covers = ScopeText.covers(lattice, buf, around, text.length, new ScopeText.Requested(requested));
    // Then
    assertThat(covers).as("%s covers %s", granted, requested).isEqualTo(lattice.covers(granted, requested));
  }

  @Property(tries = 300)
  void shouldAnswerAsTheNaiveCheckWhenReadFromARecord(
      @ForAll("prefixedLists") List<Scope> granted,
      @ForAll("prefixedLists") List<Scope> requested,
      @ForAll("lattices") ActionLattice lattice,
      @ForAll boolean last) {
    // Given: the list as a record holds it, compared in place until parsed and indexed
    byte[] record = ByteWriter.scratch().writeByte(1).writeStrings(granted.stream().map(Scope::toString).toList()).toByteArray();
    ByteReader reader = new ByteReader(record, 1);
    ScopeList list = ScopeList.ofTexts(last ? reader.readLastStrings() : reader.readStringsLazily(), new ScopeCache(64));
    // When / Then
    assertAnswersAsTheNaiveCheck(list, granted, requested, lattice);
  }

  @Provide
  Arbitrary<List<Scope>> prefixedLists() {
    return prefixed().list().ofMinSize(0).ofMaxSize(40);
  }

  @Property(tries = 300)
  void shouldAnswerAsTheNaiveCheckWhenKeptAsTexts(
      @ForAll("lists") List<Scope> granted, @ForAll("lists") List<Scope> requested, @ForAll("lattices") ActionLattice lattice) {
    // Given: a list made of its texts, asked enough scopes to be parsed and indexed on the way
    ScopeList list = ScopeList.ofTexts(granted.stream().map(Scope::toString).toList(), new ScopeCache(64));
    // When / Then
    assertAnswersAsTheNaiveCheck(list, granted, requested, lattice);
  }

  /** Asks {@code list} each requested scope three rounds, so it is parsed and indexed on the way. */
  private static void assertAnswersAsTheNaiveCheck(
      ScopeList list, List<Scope> granted, List<Scope> requested, ActionLattice lattice) {
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
