package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.Decision;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.PolicySettings;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RevocationAndApprovalRulesTest {

  private Harness h = new Harness();
  private final Events s = new Events("s1");

  private void chainWithCredential() {
    h.decide(s.start("agent:planner", 0, "read:repo/acme/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "read:repo/acme/**"));
    h.decide(s.delegate("agent:planner", 2, "agent:reviewer", "read:repo/acme/**"));
    h.decide(s.delegate("agent:coder", 3, "agent:tester", "read:repo/acme/**"));
    h.decide(s.issue("agent:coder", 4, "c1", "agent:tester", "read:repo/acme/**"));
  }

  @Test
  void shouldLetTheIssuerTheSubjectOrTheirAncestorsRevoke() {
    for (String revoker : List.of("agent:coder", "agent:tester", "agent:planner")) {
      // Given
      h = new Harness();
      chainWithCredential();
      // When
      StepResult r = h.process(s.revoke(revoker, 10, "c1"));
      // Then
      assertThat(r.decision().findings()).as(revoker).isEmpty();
      assertThat(r.credentialChanges()).singleElement()
          .satisfies(c -> {
            assertThat(c.status()).isEqualTo(CredentialStatus.REVOKED);
            assertThat(c.revokedBy()).isEqualTo(revoker);
          });
    }
  }

  @Test
  void shouldBlockRevocationByAnUnrelatedAgentAndKeepTheCredentialLive() {
    // Given
    chainWithCredential();
    // When
    Decision d = h.decide(s.revoke("agent:reviewer", 10, "c1"));
    Decision use = h.decide(s.tool("agent:tester", 11, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    // Then
    assertThat(ruleIds(d)).containsExactly("revocation-unauthorized");
    assertThat(d.findings().get(0).message()).contains("agent:reviewer", "agent:coder", "agent:tester");
    assertThat(use.findings()).isEmpty();
  }

  @Test
  void shouldFlagRevokingAnUnknownCredential() {
    // Given
    chainWithCredential();
    // When
    Decision d = h.decide(s.revoke("agent:coder", 10, "c9"));
    // Then
    assertThat(ruleIds(d)).containsExactly("revocation-unknown");
    assertThat(d.verdict()).isEqualTo(Verdict.FLAG);
  }

  @Test
  void shouldKeepTheFirstRevocationTimeAndStillCheckAuthorization() {
    // Given
    chainWithCredential();
    h.decide(s.revoke("agent:coder", 10, "c1"));
    // When
    StepResult second = h.process(s.revoke("agent:tester", 20, "c1"));
    Decision unauthorizedSecond = h.decide(s.revoke("agent:reviewer", 21, "c1"));
    Decision use = h.decide(s.tool("agent:tester", 15, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    // Then
    assertThat(second.decision().findings()).isEmpty();
    assertThat(second.credentialChanges()).isEmpty();
    assertThat(ruleIds(unauthorizedSecond)).containsExactly("revocation-unauthorized");
    assertThat(ruleIds(use)).containsExactly("credential-revoked");
    assertThat(use.findings().get(0).message()).contains("2026-11-26T10:00:10Z", "agent:coder");
  }

  @Test
  void shouldApplyARevocationThatIsOnlyFlagged() {
    // Given: revocation-unauthorized downgraded to FLAG
    h =
        new Harness(
            Policies.with(Map.of(
                    BuiltinRule.REVOCATION_UNAUTHORIZED,
                    Policies.rule(BuiltinRule.REVOCATION_UNAUTHORIZED, Verdict.FLAG, RuleMode.ENFORCE, true)),
                List.of()));
    chainWithCredential();
    // When
    Decision revocation = h.decide(s.revoke("agent:reviewer", 10, "c1"));
    Decision use = h.decide(s.tool("agent:tester", 11, "repo.read_file", Map.of("repo", "acme/api"), "c1"));
    // Then
    assertThat(revocation.verdict()).isEqualTo(Verdict.FLAG);
    assertThat(ruleIds(use)).containsExactly("credential-revoked");
  }

  @Test
  void shouldBlockAnApprovalGivenByAnAgentOfTheChainAndNotRecordIt() {
    // Given
    h.decide(s.start("agent:planner", 0, "write:deploy/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "write:deploy/**"));
    // When
    Decision self = h.decide(s.approve("agent:coder", 2, "agent:planner", 600, "write:deploy/prod/**"));
    Decision deploy = h.decide(s.tool("agent:coder", 3, "cloud.deploy", Map.of("env", "prod", "service", "api")));
    Decision human = h.decide(s.approve("agent:coder", 4, "user:bob@acme.io", 600, "write:deploy/prod/**"));
    Decision deployAfter = h.decide(s.tool("agent:coder", 5, "cloud.deploy", Map.of("env", "prod", "service", "api")));
    // Then
    assertThat(ruleIds(self)).containsExactly("self-approval");
    assertThat(ruleIds(deploy)).containsExactly("approval-required");
    assertThat(human.findings()).isEmpty();
    assertThat(deployAfter.findings()).isEmpty();
  }

  @Test
  void shouldBlockAnApproverWhoIsAnAgentOnceTrimmedAndAsciiCaseFolded() {
    // Given
    h.decide(s.start("agent:planner", 0, "write:deploy/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "write:deploy/**"));
    // When
    List<Decision> dodges = List.of(
        h.decide(s.approve("agent:coder", 2, "Agent:Planner", 600, "write:deploy/prod/**")),
        h.decide(s.approve("agent:coder", 3, "agent:planner ", 600, "write:deploy/prod/**")),
        h.decide(s.approve("agent:coder", 4, "\u00A0AGENT:CODER\t", 600, "write:deploy/prod/**")));
    List<Decision> others = List.of(
        h.decide(s.approve("agent:coder", 5, "agent:planner2", 600, "write:deploy/staging/**")),
        h.decide(s.approve("agent:coder", 6, "agent:pl\u00C4nner", 600, "write:deploy/staging/**")),
        h.decide(s.approve("agent:coder", 7, "\u200Bagent:planner", 600, "write:deploy/staging/**")));
    // Then: only A-Z fold and only White_Space is trimmed (a zero-width space is not)
    assertThat(dodges).allSatisfy(d -> assertThat(ruleIds(d)).containsExactly("self-approval"));
    assertThat(dodges.get(0).findings().get(0).message()).contains("'Agent:Planner' is agent:planner, an agent");
    assertThat(others).allSatisfy(d -> assertThat(d.findings()).isEmpty());
  }

  @Test
  void shouldStopCountingAnApprovalOnceItsApproverIsDelegatedIntoTheChain() {
    // Given: a human's approval, used once
    h.decide(s.start("agent:planner", 0, "write:deploy/**"));
    h.decide(s.approve("agent:planner", 1, "user:bob@acme.io", 600, "write:deploy/prod/**"));
    Map<String, String> prod = Map.of("env", "prod", "service", "api");
    Decision before = h.decide(s.tool("agent:planner", 2, "cloud.deploy", prod));
    // When: the approver joins the chain (spelled otherwise), and the approval is used again
    h.decide(s.delegate("agent:planner", 3, " User:Bob@ACME.io", "write:deploy/**"));
    Decision after = h.decide(s.tool("agent:planner", 4, "cloud.deploy", prod));
    // Then
    assertThat(before.findings()).isEmpty();
    assertThat(ruleIds(after)).containsExactly("approval-required");
  }

  @Test
  void shouldNeverCountAnApprovalGivenByAnAgentThatSelfApprovalOnlyFlagged() {
    // Given: self-approval downgraded to FLAG, so the approval is recorded
    h =
        new Harness(
            Policies.with(Map.of(
                    BuiltinRule.SELF_APPROVAL,
                    Policies.rule(BuiltinRule.SELF_APPROVAL, Verdict.FLAG, RuleMode.ENFORCE, true)),
                List.of()));
    h.decide(s.start("agent:planner", 0, "write:deploy/**"));
    Decision approval = h.decide(s.approve("agent:planner", 1, "agent:planner", 600, "write:deploy/prod/**"));
    // When
    Decision deploy = h.decide(s.tool("agent:planner", 2, "cloud.deploy", Map.of("env", "prod", "service", "api")));
    // Then
    assertThat(approval.verdict()).isEqualTo(Verdict.FLAG);
    assertThat(ruleIds(deploy)).containsExactly("approval-required");
  }

  @Test
  void shouldFindAnAgentSpelledOtherwiseInASessionStartedBeforeTheFoldedIndex() {
    // Given: a chain whose folded-id index entries are gone, as in a store of an older engine
    h.decide(s.start("agent:planner", 0, "write:deploy/**"));
    h.decide(s.delegate("agent:planner", 1, "agent:coder", "write:deploy/**"));
    for (String id : List.of("agent:planner", "agent:coder")) {
      h.store.delete(StateKeys.foldedAgent("s1", id));
    }
    // When
    Decision d = h.decide(s.approve("agent:planner", 2, "Agent:Coder ", 600, "write:deploy/prod/**"));
    Decision human = h.decide(s.approve("agent:planner", 3, "user:bob", 600, "write:deploy/prod/**"));
    // Then
    assertThat(ruleIds(d)).containsExactly("self-approval");
    assertThat(human.findings()).isEmpty();
  }

  @Test
  void shouldReadTheApprovalListOfAnOlderEngineBeforeTheApprovalsRecordedOneByOne() {
    for (boolean caching : new boolean[] {false, true}) {
      // Given: a session whose first approval an older engine kept in its list record (one record
      // for all), then a second approval recorded by this engine (a record of its own)
      AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
      InMemoryStateStore inner = new InMemoryStateStore();
      StateStore store = caching ? new CachingStateStore(inner) : inner;
      Events e = new Events("s1");
      engine.process(e.start("agent:planner", 0, "write:deploy/**", "admin:ci/**"), store);
      StateRecords.Approval old =
          new StateRecords.Approval(
              "old", "user:bob", "agent:planner", Events.millis(1), Events.millis(601), List.of("write:deploy/prod/**"));
      inner.put(StateKeys.approvals("s1"), StateCodec.encodeApprovals(List.of(old)));
      store.discardCached();
      engine.process(e.approve("agent:planner", 2, "user:carol", 600, "admin:ci/acme"), store);
      // When: calls that need each approval
      Decision deploy =
          engine.process(e.tool("agent:planner", 3, "cloud.deploy", Map.of("env", "prod", "service", "api")), store).decision();
      Decision ci =
          engine.process(e.tool("agent:planner", 4, "ci.set_variable", Map.of("project", "acme", "name", "N", "value", "v")), store).decision();
      Decision other =
          engine.process(e.tool("agent:planner", 5, "ci.set_variable", Map.of("project", "other", "name", "N", "value", "v")), store).decision();
      // Then: both count, in that order, and the new one is a record of its own
      assertThat(deploy.findings()).as("caching %s", caching).isEmpty();
      assertThat(ci.findings()).as("caching %s", caching).isEmpty();
      assertThat(ruleIds(other)).containsExactly("approval-required");
      assertThat(inner.get(StateKeys.approval("s1", 0))).isNotNull();
      StateStore fresh = new CachingStateStore(inner);
      List<StateRecords.Approval> all = new SessionView(fresh, "s1").approvals();
      assertThat(all).extracting(StateRecords.Approval::approvalId).containsExactly("old", "a2");
    }
  }
}
