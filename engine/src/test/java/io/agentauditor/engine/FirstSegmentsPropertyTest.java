package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.ScopeCoveragePropertyTest;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The first segments of a list of scope texts rule out only what the list can't cover: when they
 * say no scope of the list may cover a requested scope, {@link ActionLattice#coversAny} says none
 * does.
 */
class FirstSegmentsPropertyTest {

  @Provide
  Arbitrary<Scope> scopes() {
    return ScopeCoveragePropertyTest.scopes(Arbitraries.of("*", "read", "write", "admin"), 4);
  }

  @Provide
  Arbitrary<List<Scope>> lists() {
    return scopes().list().ofMinSize(0).ofMaxSize(20);
  }

  @Property(tries = 3000)
  void shouldRuleOutOnlyScopesTheListDoesNotCover(@ForAll("lists") List<Scope> granted, @ForAll("scopes") Scope requested) {
    // Given: the list's texts, as a record holds them
    List<String> texts = granted.stream().map(Scope::toString).toList();
    // When
    boolean may = FirstSegments.of(texts).mayCover(requested);
    // Then
    if (!may) {
      assertThat(ActionLattice.defaults().coversAny(granted, requested)).as("%s in %s", requested, granted).isFalse();
    }
  }

  @Property(tries = 1000)
  void shouldAnswerFromARecordsBytesAsFromTheTexts(@ForAll("lists") List<Scope> granted, @ForAll("scopes") Scope requested) {
    // Given: the texts as a record holds them, still encoded
    List<String> texts = granted.stream().map(Scope::toString).toList();
    byte[] record = ByteWriter.scratch().writeStrings(texts).toByteArray();
    EncodedStrings encoded = new ByteReader(record, 0).readStringsLazily();
    // When / Then: the same answer, and the same texts once decoded
    assertThat(FirstSegments.of(encoded).mayCover(requested)).isEqualTo(FirstSegments.of(texts).mayCover(requested));
    assertThat(encoded).isEqualTo(texts);
  }

  @Example
  void shouldRuleOutAnApprovalOfOtherResourcesAndKeepOneThatStartsAlike() {
    // Given: approvals of repositories, one of them also of a CI project
    FirstSegments repos = FirstSegments.of(List.of("admin:repo/acme/api", "admin:repo/acme/web"));
    FirstSegments mixed = FirstSegments.of(List.of("admin:repo/acme/api", "admin:ci/p1"));
    FirstSegments any = FirstSegments.of(List.of("admin:repo/acme/api", "admin:*/p1"));
    Scope ci = Scope.parse("admin:ci/p2");
    // When / Then: only the lists with a resource that can start with ci are kept
    assertThat(repos.mayCover(ci)).isFalse();
    assertThat(mixed.mayCover(ci)).isTrue();
    assertThat(any.mayCover(ci)).isTrue();
    assertThat(FirstSegments.of(List.of("admin:**")).mayCover(ci)).isTrue();
    assertThat(FirstSegments.of(List.of()).mayCover(ci)).isFalse();
  }

  @Example
  void shouldKeepAtMostItsBoundOfLiteralsAndThenMayCoverAnything() {
    // Given: 128 scopes starting with different literals of 500 characters
    List<String> texts = new java.util.ArrayList<>();
    for (int i = 0; i < 128; i++) {
      texts.add("admin:" + "x".repeat(496) + String.format("%04d", i) + "/y");
    }
    // When
    FirstSegments first = FirstSegments.of(texts);
    // Then: nothing kept, and nothing ruled out
    assertThat(first.literals()).isEmpty();
    assertThat(first.mayCover(Scope.parse("admin:ci/p1"))).isTrue();
  }
}
