package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.model.Scope;
import io.agentauditor.model.ScopeSyntaxException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ScopeTest {

  private final ActionLattice lattice = ActionLattice.defaults();

  private boolean covers(String g, String r) {
    return lattice.covers(Scope.parse(g), Scope.parse(r));
  }

  @ParameterizedTest
  @CsvSource({
    "read:repo/acme/*, read:repo/acme/api, true",
    "read:repo/acme/*, read:repo/acme/*, true",
    "read:repo/acme/*, read:repo/acme/**, false",
    "read:repo/acme/*, read:repo/acme/api/x, false",
    "read:repo/**, read:repo/acme/api, true",
    "read:repo/**, read:repo/acme/*, true",
    "read:repo/**, read:repo/acme/**, true",
    "read:repo/**, read:repo/acme/api/x, true",
    "read:repo/**, read:repo, true",
    "read:repo/acme/**, read:repo/acme, true",
    "read:repo/acme/**, read:repo, false",
    "read:repo/acme/api, read:repo/acme/*, false",
    "read:**, read:x/**, true",
    "read:*/**, read:**, true",
    "read:a/**, read:**, false",
    "admin:repo/x, read:repo/x, true",
    "write:repo/x, admin:repo/x, false",
    "*:repo/x, admin:repo/x, true",
    "admin:repo/x, *:repo/x, false",
    "read:repo/x, deploy:repo/x, false"
  })
  void shouldCoverByContainmentAndTheLattice(String g, String r, boolean expected) {
    assertThat(covers(g, r)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"read", "read:", ":x", "Read:x", "1x:y", "read:a//b", "read:/a", "read:a/", "read:**/a", "read:a b",
        "read:a:b", "re ad:x", "read:a/***"})
  void shouldRejectMalformedScopes(String text) {
    assertThatThrownBy(() -> Scope.parse(text)).isInstanceOf(ScopeSyntaxException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"read:a", "read:a/b/c", "read:**", "read:a/*/**", "*:*", "read:x.y/A_b@c-d/*"})
  void shouldCutTheResourceAtEachSlash(String text) {
    // Given / When / Then: the segments String.split gives, in order
    String resource = text.substring(text.indexOf(':') + 1);
    assertThat(Scope.parse(text).segments()).containsExactly(resource.split("/", -1));
  }

  @Test
  void shouldAcceptTheGrammarsLiterals() {
    assertThat(Scope.parse("a_b-1:x.y/A_b@c-d/*/**").segments()).containsExactly("x.y", "A_b@c-d", "*", "**");
    assertThat(Scope.parse("*:**").openEnded()).isTrue();
  }

  @Test
  void shouldCloseTheLatticeTransitivelyAndRejectCycles() {
    ActionLattice l = new ActionLattice(Map.of("owner", List.of("admin"), "admin", List.of("write"), "write", List.of("read")));
    assertThat(l.implies("owner", "read")).isTrue();
    assertThat(l.implies("read", "owner")).isFalse();
    assertThatThrownBy(() -> new ActionLattice(Map.of("a", List.of("b"), "b", List.of("a"))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
