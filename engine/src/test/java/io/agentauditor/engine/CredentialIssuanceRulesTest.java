package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.Decision;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CredentialIssuanceRulesTest {

  private final Harness h = new Harness();
  private final Events s = new Events("s1");

  @BeforeEach
  void chain() {
    h.decide(s.start("agent:planner", 0, "read:repo/acme/**", "write:repo/acme/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "write:repo/acme/**"));
    h.decide(s.delegate("agent:planner", 2, "agent:reviewer", "read:repo/acme/**"));
    h.decide(s.delegate("agent:coder", 3, "agent:tester", "read:repo/acme/**"));
  }

  private Decision issue(String issuer, String subject, Integer ttl, CredentialKind kind, CredentialStorage storage) {
    return h.decide(s.issue(issuer, 10, "c1", subject, ttl, kind, storage, "read:repo/acme/api"));
  }

  @Test
  void shouldAllowShortLivedTokenInMemoryToTheIssuerOrADescendant() {
    // When
    Decision self = issue("agent:coder", "agent:coder", 3600, CredentialKind.SHORT_LIVED_TOKEN, CredentialStorage.MEMORY);
    StepResult child =
        h.process(s.issue("agent:coder", 11, "c2", "agent:tester", "read:repo/acme/api"));
    // Then
    assertThat(self.findings()).isEmpty();
    assertThat(child.decision().findings()).isEmpty();
    CredentialChange state = child.credentialChanges().get(0);
    assertThat(state.credentialId()).isEqualTo("c2");
    assertThat(state.sessionId()).isEqualTo("s1");
    assertThat(state.status()).isEqualTo(CredentialStatus.ACTIVE);
    assertThat(state.expiresAtMillis()).isEqualTo(Events.millis(11 + 900));
  }

  @Test
  void shouldBlockTtlAboveTheMaximumButNotAtIt() {
    // When
    Decision at = issue("agent:coder", "agent:coder", 3600, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY);
    Decision above =
        h.decide(s.issue("agent:coder", 11, "c2", "agent:coder", 3601, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY));
    Decision never =
        h.decide(s.issue("agent:coder", 12, "c3", "agent:coder", null, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY));
    // Then
    assertThat(at.findings()).isEmpty();
    assertThat(ruleIds(above)).containsExactly("long-lived-credential");
    assertThat(above.findings().get(0).message()).contains("3601", "3600");
    assertThat(above.findings().get(0).credentialId()).isEqualTo("c2");
    assertThat(ruleIds(never)).containsExactly("long-lived-credential");
    assertThat(never.findings().get(0).message()).contains("never expires");
  }

  @Test
  void shouldBlockForbiddenStorageAndFlagStaticKinds() {
    // When
    Decision env = issue("agent:coder", "agent:coder", 60, CredentialKind.SHORT_LIVED_TOKEN, CredentialStorage.ENV);
    Decision apiKey =
        h.decide(s.issue("agent:coder", 11, "c2", "agent:coder", 60, CredentialKind.API_KEY, CredentialStorage.SECRETS_MANAGER));
    Decision unknownStorage =
        h.decide(s.issue("agent:coder", 12, "c3", "agent:coder", 60, CredentialKind.SPIFFE_SVID, CredentialStorage.UNKNOWN));
    // Then
    assertThat(ruleIds(env)).containsExactly("insecure-secret-storage");
    assertThat(env.findings().get(0).message()).contains("ENV");
    assertThat(ruleIds(apiKey)).containsExactly("static-credential");
    assertThat(apiKey.verdict()).isEqualTo(Verdict.FLAG);
    assertThat(unknownStorage.findings()).isEmpty();
  }

  @Test
  void shouldListEveryIssuanceFindingInTableOrder() {
    // When: reviewer issues to tester (not its descendant), widening, never expiring, in a repo, an SSH key
    Decision d =
        h.decide(
            s.issue(
                "agent:reviewer", 10, "c1", "agent:tester", null, CredentialKind.SSH_KEY, CredentialStorage.REPOSITORY,
                "write:repo/acme/api"));
    // Then
    assertThat(ruleIds(d))
        .containsExactly(
            "scope-widening",
            "credential-lateral-grant",
            "long-lived-credential",
            "insecure-secret-storage",
            "static-credential");
    assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
  }

  @Test
  void shouldBlockGrantToAnAgentOutsideTheIssuersSubtree() {
    // When
    Decision sibling = issue("agent:coder", "agent:reviewer", 60, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY);
    Decision stranger =
        h.decide(s.issue("agent:coder", 11, "c2", "agent:nobody", "read:repo/acme/api"));
    Decision ancestorToDescendant =
        h.decide(s.issue("agent:planner", 12, "c3", "agent:tester", "read:repo/acme/api"));
    // Then
    assertThat(ruleIds(sibling)).containsExactly("credential-lateral-grant");
    assertThat(ruleIds(stranger)).containsExactly("credential-lateral-grant");
    assertThat(ancestorToDescendant.findings()).isEmpty();
  }

  @Test
  void shouldBlockAReusedCredentialIdAndKeepTheFirstRecord() {
    // Given
    issue("agent:coder", "agent:coder", 60, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY);
    // When
    Decision again = h.decide(s.issue("agent:planner", 20, "c1", "agent:planner", "read:repo/acme/api"));
    Decision use =
        h.decide(s.tool("agent:coder", 21, "repo.read_file", java.util.Map.of("repo", "acme/api"), "c1"));
    // Then
    assertThat(ruleIds(again)).containsExactly("credential-id-conflict");
    assertThat(use.findings()).isEmpty();
  }

  @Test
  void shouldBlockIssuingScopesBeyondTheIssuersEffectiveScopes() {
    // When
    Decision d = h.decide(s.issue("agent:tester", 10, "c1", "agent:tester", "write:repo/acme/api"));
    // Then
    assertThat(ruleIds(d)).containsExactly("scope-widening");
    assertThat(d.findings().get(0).message()).contains("write:repo/acme/api");
  }
}
