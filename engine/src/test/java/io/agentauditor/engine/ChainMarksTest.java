package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.model.Decision;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mark an agent's record keeps when its delegation found its list within the parent's
 * effective scopes: written only then, and trusted only while the parent keeps that list and the
 * coverage relation is the same.
 */
class ChainMarksTest {

  private final Harness h = new Harness();
  private final Events s = new Events("s1");

  private AgentNode agent(InMemoryStateStore store, String id) {
    return StateCodec.decodeAgent(id, store.get(StateKeys.agent("s1", id)));
  }

  /** The root granted {@code granted}, agent:a under it holding {@code a}, agent:b under agent:a holding {@code b}. */
  private void chain(String granted, String a, String b) {
    h.decideAll(s.start("agent:r", 0, granted), s.delegate("agent:r", 1, "agent:a", a), s.delegate("agent:a", 2, "agent:b", b));
  }

  @Test
  void shouldMarkEachAgentWhoseDelegationFoundItsListWithinItsParents() {
    // Given a chain whose every list lies within the one above
    chain("read:repo/**", "read:repo/a/**", "read:repo/a/x");
    // When the records are read
    AgentNode root = agent(h.store, "agent:r");
    AgentNode a = agent(h.store, "agent:a");
    AgentNode b = agent(h.store, "agent:b");
    // Then each names its list and holds a mark against its parent's
    assertThat(h.store.get(StateKeys.agent("s1", "agent:b"))[0]).isEqualTo((byte) 3);
    assertThat(List.of(root.generation, a.generation, b.generation)).containsExactly(0L, 0L, 0L);
    assertThat(root.withinParent).isEqualTo(-1);
    assertThat(a.withinParent).isEqualTo(root.generation);
    assertThat(b.withinParent).isEqualTo(a.generation);
    assertThat(b.withinStamp).isEqualTo(CompiledPolicy.coverageStamp(ActionLattice.defaults()));
  }

  @Test
  void shouldNotMarkAChildWhoseListWidenedWhenTheDelegationWasOnlyFlagged() {
    // Given scope-widening in FLAG mode
    Harness flag =
        new Harness(
            Policies.with(
                Map.of(BuiltinRule.SCOPE_WIDENING, Policies.rule(BuiltinRule.SCOPE_WIDENING, Verdict.FLAG, RuleMode.ENFORCE, true)),
                List.of()));
    // When the root delegates beyond its grant
    Decision d =
        flag.decideAll(s.start("agent:r", 0, "read:repo/a/**"), s.delegate("agent:r", 1, "agent:a", "read:repo/**"));
    // Then the child sits in the chain without a mark
    assertThat(Harness.ruleIds(d)).containsExactly("scope-widening");
    assertThat(agent(flag.store, "agent:a").withinParent).isEqualTo(-1);
  }

  @Test
  void shouldStopTrustingAChildsMarkOnceItsParentsListIsReplaced() {
    // Given a marked chain, then the parent's list narrowed by a second delegation
    chain("read:repo/**", "read:repo/a/**", "read:repo/a/x");
    h.decide(s.delegate("agent:r", 3, "agent:a", "read:repo/c"));
    // When the child calls for what only its own list still covers
    Decision d = h.decide(s.tool("agent:b", 4, "repo.read_file", Map.of("repo", "a/x")));
    // Then the narrowed list is asked, and the call is beyond the child's effective scopes
    assertThat(agent(h.store, "agent:a").generation).isEqualTo(1L);
    assertThat(agent(h.store, "agent:b").withinParent).isEqualTo(0L);
    assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(Harness.ruleIds(d)).containsExactly("scope-widening");
  }

  @Test
  void shouldStopTrustingAMarkFoundThroughAnotherLattice() {
    // Given a chain marked under the default lattice (admin implies write)
    chain("*:repo/**", "admin:repo/a", "write:repo/a");
    Policy d = Policies.defaultPolicy();
    Policy flat =
        new Policy(
            d.name(), d.version(), d.digest(), d.settings(), new ActionLattice(Map.of()), d.tools(),
            d.secretPatterns(), d.codePatterns(), d.builtins(), d.customRules());
    // When a bundle where admin implies nothing decides the child's write
    Decision write =
        new AuditEngine(flat).process(s.tool("agent:b", 3, "repo.write_file", Map.of("repo", "a", "path", "f", "content", "x")), h.store).decision();
    // Then the parent's list is asked through that lattice, and doesn't cover it
    assertThat(agent(h.store, "agent:b").withinParent).isEqualTo(0L);
    assertThat(Harness.ruleIds(write)).contains("scope-widening");
  }

  @Test
  void shouldReadAnAgentRecordOfVersionTwoAsAnAgentWithoutAGenerationNorAMark() {
    // Given the bytes of a version 2 record, as engines wrote them before the marks
    byte[] v2 =
        new ByteWriter(32)
            .writeByte(2)
            .writeString("agent:p")
            .writeVarLong(2)
            .writeStrings(List.of("read:x", "read:y"))
            .writeVarLong(8)
            .toByteArray();
    // When it is read
    AgentNode a = StateCodec.decodeAgent("agent:c", v2);
    // Then it is today's agent, with no list generation and no mark: its checks ask the lists above
    assertThat(a.parent).isEqualTo("agent:p");
    assertThat(a.depth).isEqualTo(2);
    assertThat(a.scopes).containsExactly("read:x", "read:y");
    assertThat(a.number).isEqualTo(7);
    assertThat(a.generation).isEqualTo(-1L);
    assertThat(a.withinParent).isEqualTo(-1L);
    assertThat(StateCodec.encodeAgentVersion2(a)).isEqualTo(v2);
  }

  @Test
  void shouldKeepTheGenerationAndTheMarkThroughTheCodec() {
    // Given an agent with a generation and a mark whose stamp has its high bit set
    AgentNode a = new AgentNode("agent:c");
    a.parent = "agent:p";
    a.depth = 3;
    a.number = 4;
    a.scopes = List.of("read:x");
    a.generation = 300;
    a.withinParent = 129;
    a.withinStamp = 0x8badf00d;
    // When it is written and read
    AgentNode back = StateCodec.decodeAgent("agent:c", StateCodec.encodeAgent(a));
    // Then
    assertThat(List.of(back.generation, back.withinParent)).containsExactly(300L, 129L);
    assertThat(back.withinStamp).isEqualTo(0x8badf00d);
    assertThat(List.of(back.parent, back.depth, back.number)).containsExactly("agent:p", 3, 4);
    assertThat(back.scopes).containsExactly("read:x");
  }
}
