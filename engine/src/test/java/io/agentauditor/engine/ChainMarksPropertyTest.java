package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.model.Decision;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The marks agents' records keep (a delegated list found within the parent's effective scopes)
 * change no decision: on random chains, with re-delegations, delegations that widened (allowed in
 * FLAG mode), cycles, re-parentings and a bundle whose lattice differs between steps, every step is
 * decided alike by an engine reading its records cold (marks used), one keeping them decoded
 * (marks used in memory) and one whose records never hold a mark (every list of the path asked).
 */
class ChainMarksPropertyTest {

  private static final List<String> AGENTS =
      List.of("agent:r", "agent:a", "agent:b", "agent:c", "agent:d", "agent:e", "agent:f");
  private static final List<String> RESOURCES =
      List.of("repo/**", "repo/*", "repo/a", "repo/a/*", "repo/a/**", "repo/a/b", "repo/a/b/**", "repo/b", "repo/b/**");
  private static final List<String> REPOS = List.of("a", "a/b", "a/b/c", "b", "b/c", "c");

  /** The bundles a step may be decided with: the default, scope-widening in FLAG, and that with no lattice. */
  private static final List<Policy> POLICIES = policies();

  private static List<Policy> policies() {
    Policy flag =
        Policies.with(
            Map.of(BuiltinRule.SCOPE_WIDENING, Policies.rule(BuiltinRule.SCOPE_WIDENING, Verdict.FLAG, RuleMode.ENFORCE, true)),
            List.of());
    Policy flat =
        new Policy(
            flag.name(),
            flag.version(),
            flag.digest(),
            flag.settings(),
            new ActionLattice(Map.of()),
            flag.tools(),
            flag.secretPatterns(),
            flag.codePatterns(),
            flag.builtins(),
            flag.customRules());
    return List.of(Policies.defaultPolicy(), flag, flat);
  }

  /** One step of the history: which bundle decides it, and what it is. */
  record Move(int policy, int actor, boolean call, int child, List<String> scopes, int repo) {}

  @Property(tries = 1000)
  void shouldDecideEveryStepAsAskingEveryListOfThePath(@ForAll("histories") List<Move> moves) {
    // Given an engine per bundle and three stores: cold with marks, kept decoded with marks,
    // and one whose agent records are rewritten without a mark after every step
    List<AuditEngine> engines = POLICIES.stream().map(AuditEngine::new).toList();
    InMemoryStateStore cold = new InMemoryStateStore();
    InMemoryStateStore keptInner = new InMemoryStateStore();
    CachingStateStore kept = new CachingStateStore(keptInner);
    InMemoryStateStore unmarked = new InMemoryStateStore();
    Events s = new Events("s1");
    Step start = s.start(AGENTS.get(0), 0, "*:**");
    decideAlike(engines.get(0), start, unmarked, cold, kept, 0);
    for (int i = 0; i < moves.size(); i++) {
      Move m = moves.get(i);
      // The actor is one of the agents in the chain now, so most steps reach the rules
      List<String> joined = AGENTS.stream().filter(a -> unmarked.get(StateKeys.agent("s1", a)) != null).toList();
      String actor = joined.get(m.actor() % joined.size());
      Step step =
          m.call()
              ? s.tool(actor, 1 + i, "repo.read_file", Map.of("repo", REPOS.get(m.repo())))
              : s.delegate(actor, 1 + i, AGENTS.get(m.child()), m.scopes().toArray(new String[0]));
      decideAlike(engines.get(m.policy()), step, unmarked, cold, kept, i + 1);
    }
    net.jqwik.api.statistics.Statistics.collect(markedAgents(cold) > 0 ? "some agent marked" : "no agent marked");
  }

  /** Decides {@code step} with each store: when each decides it, the decisions are the same. */
  private static void decideAlike(
      AuditEngine engine, Step step, InMemoryStateStore unmarked, InMemoryStateStore cold, CachingStateStore kept, int i) {
    Decision expected = engine.process(step, unmarked).decision();
    stripMarks(unmarked);
    assertThat(engine.process(step, cold).decision()).as("step %d, cold", i).isEqualTo(expected);
    assertThat(engine.process(step, kept).decision()).as("step %d, kept decoded", i).isEqualTo(expected);
  }

  /** Rewrites every agent record of s1 as version 2: no generation, no mark. */
  private static void stripMarks(InMemoryStateStore store) {
    for (String id : AGENTS) {
      byte[] b = store.get(StateKeys.agent("s1", id));
      if (b != null) {
        store.put(StateKeys.agent("s1", id), StateCodec.encodeAgentVersion2(StateCodec.decodeAgent(id, b)));
      }
    }
  }

  private static int markedAgents(InMemoryStateStore store) {
    int n = 0;
    for (String id : AGENTS) {
      byte[] b = store.get(StateKeys.agent("s1", id));
      if (b != null) {
        AgentNode a = StateCodec.decodeAgent(id, b);
        n += a.withinParent >= 0 ? 1 : 0;
      }
    }
    return n;
  }

  @Provide
  Arbitrary<List<Move>> histories() {
    Arbitrary<String> scope =
        Combinators.combine(
                Arbitraries.frequency(Tuple.of(6, "read"), Tuple.of(2, "write"), Tuple.of(1, "admin"), Tuple.of(1, "*")),
                Arbitraries.of(RESOURCES))
            .as((a, r) -> a + ":" + r);
    // Reads and delegations of read under repo/a mostly: lists within the ones above are common.
    Arbitrary<Move> move =
        Combinators.combine(
                Arbitraries.integers().between(0, POLICIES.size() - 1),
                Arbitraries.integers().between(0, 100),
                Arbitraries.integers().between(0, 2).map(k -> k == 0),
                Arbitraries.integers().between(1, AGENTS.size() - 1),
                scope.list().ofMinSize(0).ofMaxSize(3),
                Arbitraries.integers().between(0, REPOS.size() - 1))
            .as(Move::new);
    return move.list().ofMinSize(1).ofMaxSize(60);
  }
}
