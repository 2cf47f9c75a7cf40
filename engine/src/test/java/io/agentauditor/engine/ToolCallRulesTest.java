package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Verdict;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ToolCallRulesTest {

  private static final String AWS_KEY = "AKIAABCDEFGHIJKLMNOP";

  private final Harness h = new Harness();
  private final Events s = new Events("s1");

  @BeforeEach
  void chain() {
    h.decide(
        s.start(
            "agent:planner", 0, "write:repo/acme/**", "admin:ci/acme", "write:deploy/**", "write:secrets/**",
            "write:config/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "write:repo/acme/**", "write:deploy/**", "write:config/**"));
    h.decide(s.delegate("agent:planner", 2, "agent:reviewer", "read:repo/acme/**"));
  }

  private Decision call(String agent, double at, String tool, Map<String, String> args) {
    return h.decide(s.tool(agent, at, tool, args));
  }

  @Test
  void shouldAllowACallWithinScopeWithAMultiSegmentArgument() {
    // When
    Decision d = call("agent:coder", 5, "repo.write_file", Map.of("repo", "acme/api", "path", "src/a.py", "content", "x"));
    // Then
    assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(d.path()).containsExactly("agent:planner", "agent:coder");
  }

  @Test
  void shouldBlockACallWhoseRequiredScopeIsNotEffective() {
    // When
    Decision d = call("agent:reviewer", 5, "repo.write_file", Map.of("repo", "acme/api", "content", "x"));
    // Then
    assertThat(ruleIds(d)).containsExactly("scope-widening");
    assertThat(d.findings().get(0).message()).contains("write:repo/acme/api");
  }

  @Test
  void shouldBlockAnUnknownToolAndStillScanItsArgumentsForSecrets() {
    // When
    Decision d = call("agent:coder", 5, "shell.exec", Map.of("cmd", "export K=" + AWS_KEY));
    // Then
    assertThat(ruleIds(d)).containsExactly("unknown-tool", "secret-in-arguments");
    assertThat(d.findings().get(0).message()).contains("shell.exec");
    assertThat(d.findings().get(1).message()).contains("'cmd'", "aws-access-key-id").doesNotContain(AWS_KEY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "acme/../x", "acme/./x", "acme//x", "/acme", "acme/", "acme/*", "acme x", "acme:x", "acme/**"})
  void shouldBlockArgumentsThatCannotStandInAScope(String repo) {
    // When
    Decision d = call("agent:coder", 5, "repo.write_file", Map.of("repo", repo, "content", "x"));
    // Then
    assertThat(ruleIds(d)).containsExactly("malformed-arguments");
    assertThat(d.findings().get(0).message()).contains("'repo'");
  }

  @Test
  void shouldNameEveryMissingArgumentInNameOrder() {
    // When
    Decision d = call("agent:coder", 5, "cloud.deploy", Map.of("version", "1"));
    // Then
    assertThat(ruleIds(d)).containsExactly("malformed-arguments");
    assertThat(d.findings().get(0).message())
        .contains("argument 'env' is missing; argument 'service' is missing");
  }

  @Test
  void shouldSkipScopeRulesButKeepCredentialRulesWhenNoScopeCanBeBuilt() {
    // Given: a credential of the reviewer, presented by the coder
    h.decide(s.issue("agent:reviewer", 3, "c1", "agent:reviewer", "read:repo/acme/api"));
    // When: admin:ci would widen, need approval and exceed the credential, but the project is missing
    Decision d = h.decide(s.tool("agent:coder", 5, "ci.set_variable", Map.of("value", "x"), "c1"));
    // Then
    assertThat(ruleIds(d)).containsExactly("malformed-arguments", "credential-reuse");
  }

  @Test
  void shouldRequireAnApprovalForSensitiveScopesWithoutTheLatticeForMatching() {
    // When
    Decision prod = call("agent:coder", 5, "cloud.deploy", Map.of("env", "prod", "service", "api"));
    Decision staging = call("agent:coder", 6, "cloud.deploy", Map.of("env", "staging", "service", "api"));
    // write:ci is implied by admin but does not match the sensitive admin:** pattern
    Decision trigger = call("agent:planner", 7, "ci.trigger_pipeline", Map.of("project", "acme"));
    Decision setVariable = call("agent:planner", 8, "ci.set_variable", Map.of("project", "acme", "value", "1"));
    // Then
    assertThat(ruleIds(prod)).containsExactly("approval-required");
    assertThat(prod.findings().get(0).message()).contains("write:deploy/prod/api", "*:deploy/prod/**");
    assertThat(staging.findings()).isEmpty();
    assertThat(trigger.findings()).isEmpty();
    assertThat(ruleIds(setVariable)).containsExactly("approval-required");
    assertThat(setVariable.findings().get(0).message()).contains("admin:**");
  }

  @Test
  void shouldMatchSensitiveScopesIgnoringAsciiCaseInResourcesWhileApprovalsCoverWithCase() {
    // Given: an approval of prod deploys, in lower case
    h.decide(s.approve("agent:coder", 10, "user:bob@acme.io", 600, "write:deploy/prod/**"));
    // When: env=PROD and env=Prod, then an approval written as the call spells it
    Decision upper = call("agent:coder", 11, "cloud.deploy", Map.of("env", "PROD", "service", "api"));
    Decision mixed = call("agent:coder", 12, "cloud.deploy", Map.of("env", "Prod", "service", "API"));
    Decision lower = call("agent:coder", 13, "cloud.deploy", Map.of("env", "prod", "service", "api"));
    h.decide(s.approve("agent:coder", 14, "user:bob@acme.io", 600, "write:deploy/PROD/**"));
    Decision approvedAsSpelled = call("agent:coder", 15, "cloud.deploy", Map.of("env", "PROD", "service", "api"));
    // Then: as sensitive as prod; coverage stays case-sensitive, which can only block more
    assertThat(ruleIds(upper)).containsExactly("approval-required");
    assertThat(upper.findings().get(0).message()).contains("write:deploy/PROD/api (sensitive *:deploy/prod/**)");
    assertThat(ruleIds(mixed)).containsExactly("approval-required");
    assertThat(lower.findings()).isEmpty();
    assertThat(approvedAsSpelled.findings()).isEmpty();
  }

  @Test
  void shouldHonourAnApprovalOnItsHalfOpenIntervalThroughTheLattice() {
    // Given: an approval of admin on prod deploys (admin implies write) for 60 s from t=10
    Decision approval = h.decide(s.approve("agent:coder", 10, "user:bob@acme.io", 60, "admin:deploy/prod/**"));
    Map<String, String> args = Map.of("env", "prod", "service", "api");
    // When
    Decision before = call("agent:coder", 9.999, "cloud.deploy", args);
    Decision atStart = call("agent:coder", 10, "cloud.deploy", args);
    Decision lastMilli = call("agent:coder", 69.999, "cloud.deploy", args);
    Decision atEnd = call("agent:coder", 70, "cloud.deploy", args);
    // Then
    assertThat(approval.findings()).isEmpty();
    assertThat(ruleIds(before)).containsExactly("approval-required");
    assertThat(atStart.findings()).isEmpty();
    assertThat(lastMilli.findings()).isEmpty();
    assertThat(ruleIds(atEnd)).containsExactly("approval-required");
  }

  @Test
  void shouldNotCountAnApprovalThatCoversOtherScopes() {
    // Given
    h.decide(s.approve("agent:coder", 10, "user:bob@acme.io", 600, "write:deploy/prod/web"));
    // When
    Decision d = call("agent:coder", 11, "cloud.deploy", Map.of("env", "prod", "service", "api"));
    // Then
    assertThat(ruleIds(d)).containsExactly("approval-required");
  }

  @Test
  void shouldBlockAnUnknownCredential() {
    // When
    Decision d = h.decide(s.tool("agent:coder", 5, "repo.read_file", Map.of("repo", "acme/api"), "nope"));
    // Then
    assertThat(ruleIds(d)).containsExactly("credential-unknown");
    assertThat(d.findings().get(0).credentialId()).isEqualTo("nope");
  }

  @Test
  void shouldBlockACredentialPresentedByAnotherAgent() {
    // Given
    h.decide(s.issue("agent:planner", 3, "c1", "agent:coder", "read:repo/acme/**"));
    // When
    Decision d = h.decide(s.tool("agent:reviewer", 5, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    // Then
    assertThat(ruleIds(d)).containsExactly("credential-reuse");
  }

  @Test
  void shouldTreatACredentialAsExpiredFromItsExpiryInstant() {
    // Given: 60 s from t=3
    h.decide(s.issue("agent:coder", 3, "c1", "agent:coder", 60, io.agentauditor.model.CredentialKind.OIDC_TOKEN,
        io.agentauditor.model.CredentialStorage.MEMORY, "read:repo/acme/**"));
    // When
    StepResult before = h.process(s.tool("agent:coder", 62.999, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    StepResult at = h.process(s.tool("agent:coder", 63, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    // Then
    assertThat(before.decision().findings()).isEmpty();
    assertThat(before.credentialChanges().get(0).useCount()).isEqualTo(1);
    assertThat(ruleIds(at.decision())).containsExactly("credential-expired");
    assertThat(at.credentialChanges()).singleElement()
        .satisfies(c -> {
          assertThat(c.status()).isEqualTo(CredentialStatus.EXPIRED);
          assertThat(c.useCount()).isEqualTo(1); // the blocked call is no use
        });
  }

  @Test
  void shouldTreatACredentialAsRevokedForEveryStepArrivingAfterTheRevocationWhateverTheStamps() {
    // Given
    h.decide(s.issue("agent:coder", 3, "c1", "agent:coder", "read:repo/acme/**"));
    Decision beforeArrival = h.decide(s.tool("agent:coder", 20, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    h.decide(s.revoke("agent:coder", 10, "c1"));
    // When: a use stamped before the revocation, then one at it, both arriving after it
    Decision backdated = h.decide(s.tool("agent:coder", 9.999, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    Decision at = h.decide(s.tool("agent:coder", 10, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    // Then: a use that arrived first stays allowed; every later arrival is blocked (section 4, v2)
    assertThat(beforeArrival.findings()).isEmpty();
    assertThat(ruleIds(backdated)).containsExactly("credential-revoked");
    assertThat(backdated.findings().get(0).message()).contains("revoked at 2026-11-26T10:00:10Z");
    assertThat(ruleIds(at)).containsExactly("credential-revoked");
  }

  @Test
  void shouldNotLetAFutureStampedSelfRevocationPostponeTheRevocation() {
    // Given: the subject revokes its own credential stamped far ahead, then the issuer revokes it
    h.decide(s.issue("agent:planner", 3, "c1", "agent:coder", "read:repo/acme/**"));
    StepResult early = h.process(s.revoke("agent:coder", 100_000, "c1"));
    StepResult real = h.process(s.revoke("agent:planner", 10, "c1"));
    // When: uses stamped between the two
    Decision use = h.decide(s.tool("agent:coder", 11, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    StepResult end = h.process(s.end("agent:planner", 12));
    // Then: revoked from the first arrival on; its time (the one reported) is the first stamp
    assertThat(early.credentialChanges()).singleElement()
        .satisfies(c -> assertThat(c.revokedAtMillis()).isEqualTo(Events.millis(100_000)));
    assertThat(real.decision().findings()).isEmpty();
    assertThat(real.credentialChanges()).isEmpty();
    assertThat(ruleIds(use)).containsExactly("credential-revoked");
    assertThat(use.findings().get(0).message()).contains("2026-11-27T13:46:40Z", "agent:coder");
    assertThat(end.decision().findings()).isEmpty(); // revoked, so no credential-not-revoked
  }

  @Test
  void shouldBlockACallBeyondThePresentedCredentialsScopes() {
    // Given
    h.decide(s.issue("agent:coder", 3, "c1", "agent:coder", "write:repo/acme/web"));
    // When
    Decision other = h.decide(s.tool("agent:coder", 5, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    Decision impliedRead = h.decide(s.tool("agent:coder", 6, "repo.read_file", Map.of("repo", "acme/web"), "c1"));
    // Then
    assertThat(ruleIds(other)).containsExactly("credential-scope-exceeded");
    assertThat(other.findings().get(0).message()).contains("read:repo/acme/api");
    assertThat(impliedRead.findings()).isEmpty();
  }

  @Test
  void shouldBlockSecretsInArgumentsUnlessTheSinkIsTheSecretsManager() {
    // Given
    Map<String, String> args = new HashMap<>();
    args.put("repo", "acme/api");
    args.put("path", "notes.txt");
    args.put("content", "token ghp_" + "a".repeat(36) + " and " + AWS_KEY);
    args.put("b", "-----BEGIN RSA PRIVATE KEY-----");
    // When
    Decision repo = call("agent:coder", 5, "repo.write_file", args);
    Decision vault = call("agent:planner", 6, "secrets.put", Map.of("path", "prod/db", "value", AWS_KEY));
    // Then
    assertThat(ruleIds(repo)).containsExactly("secret-in-arguments");
    assertThat(repo.findings().get(0).message())
        .isEqualTo(
            "secret in arguments: argument 'b' matches private-key; "
                + "argument 'content' matches aws-access-key-id, github-classic-token");
    assertThat(ruleIds(vault)).containsExactly("approval-required"); // secrets/prod is sensitive, no secret finding
  }

  @Test
  void shouldBlockLongLivedCredentialsInCodeOnlyForRepositoryAndConfigSinks() {
    // Given
    String tf = "resource \"aws_iam_access_key\" \"ci\" {\n  user = aws_iam_user.ci.name\n}\n";
    // When
    Decision repo = call("agent:coder", 5, "repo.write_file", Map.of("repo", "acme/infra", "path", "k.tf", "content", tf));
    Decision config = call("agent:coder", 6, "config.write", Map.of("service", "api", "body", "expires_at: null"));
    Decision read = call("agent:coder", 7, "repo.read_file", Map.of("repo", "acme/infra", "path", tf));
    // Then
    assertThat(ruleIds(repo)).containsExactly("long-lived-secret-in-code");
    assertThat(repo.findings().get(0).message()).contains("terraform-aws-iam-access-key", "REPOSITORY");
    assertThat(ruleIds(config)).containsExactly("long-lived-secret-in-code");
    assertThat(read.findings()).isEmpty();
  }

  @Test
  void shouldCountANonBlockedUseOfACredential() {
    // Given
    h.decide(s.issue("agent:coder", 3, "c1", "agent:coder", "read:repo/acme/**"));
    // When
    StepResult r = h.process(s.tool("agent:coder", 5, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    StepResult blocked = h.process(s.tool("agent:coder", 6, "repo.read_file", Map.of("repo", "other/x"), "c1"));
    // Then
    assertThat(r.credentialChanges()).singleElement()
        .satisfies(c -> {
          assertThat(c.useCount()).isEqualTo(1);
          assertThat(c.lastUsedAtMillis()).isEqualTo(Events.millis(5));
        });
    assertThat(blocked.decision().verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(blocked.credentialChanges()).isEmpty();
  }
}
