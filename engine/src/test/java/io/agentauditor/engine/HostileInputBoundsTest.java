package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Limits;
import io.agentauditor.model.Scope;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.SessionLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bounds on the work one event may cause, whatever an agent (or a compromised gateway) puts in it:
 * the state written by a step must not grow with the session's history, and the engine's caches
 * must not keep more than a fixed budget of text. Stated as bytes written to the store and as what
 * a cache keeps, never as wall time. From the hostile-input review (review-g).
 *
 * <p>The shapes of the hostile-input table (load-tests/README.md) are built at the largest size the
 * limits allow: section 2's input limits (ids of {@value Limits#MAX_ID_BYTES} bytes, scopes of
 * {@value Limits#MAX_SCOPE_BYTES} bytes and {@value Limits#MAX_SCOPE_SEGMENTS} segments, lists of
 * {@value Limits#MAX_SCOPES} scopes, free text of {@value Limits#MAX_TEXT_BYTES} bytes) and section
 * 4's default session limits (256 agents, depth 16, 1,024 credentials, 256 approvals). The bounds are
 * sums of the largest records a step may write, each a product of those limits:
 *
 * <ul>
 *   <li>{@link #ID} = 258: an id and its length prefix;
 *   <li>{@link #SCOPES} = 128 × 515 = 65,920: a whole scope list (a scope and its two-byte length,
 *       plus one byte of separator where a message lists it);
 *   <li>{@link #PATH} = 17 × 258 = 4,386: a path from the root to the deepest agent (depth 16);
 *   <li>{@link #TEXT} = 4,098: a free-text field;
 *   <li>{@link #KEYS} = 16 × 258 + 2,048 = 6,176: the keys of a step's records (each a kind byte,
 *       the session id and at most one other id), the ids quoted in its messages, and 2 KiB of
 *       fixed text (rule ids, references, counters, times).
 * </ul>
 *
 * None of them grows with the session's history: a step writes what it changes, not what it read.
 */
class HostileInputBoundsTest {

  /** A store counting the bytes put into it, so a test can state the write work of a step. */
  private static final class CountingStore extends ForwardingStore {
    long bytesPut;

    @Override
    void beforePut(byte[] key, byte[] value) {
      bytesPut += key.length + value.length;
    }
  }

  private final AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
  private final CountingStore store = new CountingStore();
  private final Events s = new Events("s1");

  private Decision decide(Step e) {
    return engine.process(e, store).decision();
  }

  @Test
  void shouldKeepTheFanOutRecordBoundedWhenOneSecondHoldsThousandsOfSteps() {
    // Given: a session
    decide(s.start("agent:root", 0, "read:repo/**"));
    long before = store.bytesPut;
    // When: 2,000 re-delegations of one child within the same second
    int n = 2_000;
    List<Boolean> flagged = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      flagged.add(ruleIds(decide(s.delegate("agent:root", 1, "agent:child", "read:repo/**"))).contains("fan-out"));
    }
    // Then: exactly the steps after the 10th (fanOut.max) are flagged, every one of them, and each
    // step wrote a bounded record (fanOut.max + 1 times suffice to tell "above max"; rewriting
    // every kept time per step was quadratic: 12 MB here)
    assertThat(flagged.subList(0, 10)).containsOnly(false);
    assertThat(flagged.subList(10, n)).containsOnly(true);
    assertThat(store.bytesPut - before).isLessThanOrEqualTo(n * 1_024L);
  }

  @Test
  void shouldKeepAtMostABudgetOfScopeTextInTheParseCache() {
    // Given: the engine's parse cache, and 64 distinct scopes of 1 MiB each (as tool arguments
    // of 64 calls would build them: any literal value up to 8 MiB becomes a required scope)
    ScopeCache cache = new ScopeCache(8192);
    String first = "read:repo/" + "a".repeat(1 << 20) + "0";
    Scope firstParsed = cache.parse(first);
    for (int i = 1; i < 64; i++) {
      cache.parse("read:repo/" + "a".repeat(1 << 20) + i);
    }
    // When: the first is parsed again
    Scope again = cache.parse(new String(first));
    // Then: it was let go (a cache bounded by entry count alone would keep 8,192 entries of up to
    // 8 MiB each, with a String per segment: a 2 MiB "a/a/..." value retains ~50 MB of heap)
    assertThat(again.equals(firstParsed)).isTrue();
    assertThat(again == firstParsed).as("the first 1 MiB scope is still kept after 64 MiB more").isFalse();
  }

  /** An id and its length prefix. */
  static final long ID = Limits.MAX_ID_BYTES + 2;

  /** A whole scope list, in a record or listed in a message. */
  static final long SCOPES = (long) Limits.MAX_SCOPES * (Limits.MAX_SCOPE_BYTES + 3);

  /** The path to an agent at the default maxDepth of 16. */
  static final long PATH = (SessionLimits.defaults().maxDepth() + 1L) * ID;

  /** A free-text field and its length prefix. */
  static final long TEXT = Limits.MAX_TEXT_BYTES + 2;

  /** Keys of a step's records, ids quoted in messages, and fixed text. */
  static final long KEYS = 16 * ID + 2_048;

  /** Builds steps at the input limits: ids of 256 bytes, scopes of 512 bytes and 32 segments. */
  static final class AtLimits {

    /** 31 segments of 14 characters: with an action of 5 and a last segment, 512 bytes. */
    static final String COMMON;

    static {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < Limits.MAX_SCOPE_SEGMENTS - 1; i++) {
        sb.append(String.format("seg%02d-abcdefgh", i)).append('/');
      }
      COMMON = sb.toString();
    }

    /** An id of exactly 256 bytes ending in {@code n}. */
    static String id(String prefix, int n) {
      String tail = "-" + n;
      return prefix + "x".repeat(Limits.MAX_ID_BYTES - prefix.length() - tail.length()) + tail;
    }

    /**
     * {@code action:COMMON/last}, padded in its last segment to 512 bytes; {@code last} "*" gives
     * the one scope of a list that covers all the others (and is 512 bytes short of nothing).
     */
    static String scope(String action, String last) {
      String head = action + ":" + COMMON;
      if (last.equals("*")) {
        return head + "*";
      }
      return head + last + "z".repeat(Limits.MAX_SCOPE_BYTES - head.length() - last.length());
    }

    /**
     * 128 scopes {@code action:COMMON/<tag>N...}; the last is {@code action:COMMON/*} when {@code
     * coveringLast}, so a coverage check of any of them scans the whole list to its end.
     */
    static String[] scopes(String action, String tag, boolean coveringLast) {
      String[] out = new String[Limits.MAX_SCOPES];
      for (int i = 0; i < out.length; i++) {
        out[i] = coveringLast && i == out.length - 1 ? scope(action, "*") : scope(action, tag + i);
      }
      return out;
    }
  }

  /** The largest bytes put by one step over {@code steps}, after the steps before them. */
  private long maxBytesPerStep(List<Step> steps) {
    long max = 0;
    for (Step e : steps) {
      long before = store.bytesPut;
      decide(e);
      max = Math.max(max, store.bytesPut - before);
    }
    return max;
  }

  private final String root = AtLimits.id("agent:root", 0);

  /**
   * A session granting 128 scopes of 512 bytes and a chain of agents at depths 1 to 15, each
   * delegated 128 such scopes, the last of every list covering the others (depth 15's lists none
   * that covers); returns the agents, root first. Times: one step per 10 s.
   */
  private List<String> deepChain(Events s, int depth) {
    List<String> chain = new ArrayList<>();
    chain.add(root);
    decide(s.start(root, 0, AtLimits.scopes("read", "granted", true)));
    for (int d = 1; d <= depth; d++) {
      String child = AtLimits.id("agent:a", d);
      Decision dd = decide(s.delegate(chain.get(d - 1), 10 * d, child, AtLimits.scopes("read", "d" + d, d < depth)));
      assertThat(dd.verdict()).as("delegation to depth %d", d).isNotEqualTo(Verdict.BLOCK);
      chain.add(child);
    }
    return chain;
  }

  @Test
  void shouldWriteAtMostTheUncoveredScopesAPathAndKeysPerDelegationOfTheMostScopesNoneCovered() {
    // Given: the largest chain the limits allow under the actor (depth 15, so its child sits at
    // maxDepth 16 and no session-limit gate stops the delegation before coverage is checked)
    List<String> chain = deepChain(s, 15);
    String actor = chain.get(15);
    String child = AtLimits.id("agent:a", 16);
    decide(s.delegate(actor, 160, child, AtLimits.scopes("read", "d15x", false)));
    // When: 10 re-delegations of its child, each of 128 scopes of 512 bytes that the actor's own
    // list doesn't cover (every other level of the path does, through its last scope)
    List<Step> hostile = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      hostile.add(s.delegate(actor, 170 + 10 * i, child, AtLimits.scopes("read", "r" + i + "-", false)));
    }
    long perStep = maxBytesPerStep(hostile);
    // Then: each is blocked by scope-widening listing all 128, and writes at most its decision
    // (the listed scopes, the path) and keys: SCOPES + PATH + KEYS = 65,920 + 4,386 + 6,176
    Decision last = decide(s.delegate(actor, 1_000, child, AtLimits.scopes("read", "last-", false)));
    assertThat(ruleIds(last)).contains("scope-widening");
    assertThat(last.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(perStep).isLessThanOrEqualTo(SCOPES + PATH + KEYS);
  }

  @Test
  void shouldWriteAtMostAPathAndKeysPerToolCallOfEachAgentOfAChainAtMaxDepthAndMaxAgents() {
    // Given: a chain at depth 16 whose agents hold 128 scopes of 512 bytes, and 239 more agents
    // under its depth-15 agent, one scope each (256 in all, the maxAgents default)
    List<String> chain = deepChain(s, 16);
    List<Step> build = new ArrayList<>();
    List<String> agents = new ArrayList<>(chain);
    for (int i = 0; agents.size() < SessionLimits.defaults().maxAgents(); i++) {
      String a = AtLimits.id("agent:w", i);
      build.add(s.delegate(chain.get(15), 200 + i, a, AtLimits.scope("read", "w" + i + "-")));
      agents.add(a);
    }
    // Building it: a new agent writes its record (SCOPES), the session meta with the granted
    // scopes (SCOPES), its decision (a path) and keys, whatever the chain held before
    long perDelegation = maxBytesPerStep(build);
    // When: one tool call per agent (read_file of a repository its scopes don't cover)
    List<Step> calls = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      calls.add(s.tool(agents.get(i), 600 + i, "repo.read_file", Map.of("repo", "acme/api", "path", "a.py")));
    }
    long perCall = maxBytesPerStep(calls);
    // Then: a call writes its decision, whose largest part is the path, and keys: PATH + KEYS
    assertThat(perDelegation).isLessThanOrEqualTo(2 * SCOPES + PATH + KEYS);
    assertThat(perCall).isLessThanOrEqualTo(PATH + KEYS);
  }

  @Test
  void shouldWriteAtMostOneApprovalPerApprovalAndAPathPerCallAfterTheMostApprovals() {
    // Given: a session granting 128 scopes of 512 bytes, the last admin:**
    String[] granted = AtLimits.scopes("admin", "g", false);
    granted[granted.length - 1] = "admin:**";
    decide(s.start(root, 0, granted));
    // When: 256 approvals (the maxApprovals default), each of 128 scopes of 512 bytes under
    // admin:COMMON/..., by an approver named in 4 KiB, valid for a day
    List<Step> approvals = new ArrayList<>();
    for (int i = 0; i < SessionLimits.defaults().maxApprovals(); i++) {
      approvals.add(
          new Step.ApprovalGranted(
              AtLimits.id("e-approval", i),
              "s1",
              root,
              Events.millis(1 + i),
              AtLimits.id("approval", i),
              "user:" + "h".repeat(Limits.MAX_TEXT_BYTES - 10) + i,
              List.of(AtLimits.scopes("admin", "a" + i + "-", false)),
              86_400));
    }
    long perApproval = maxBytesPerStep(approvals);
    // and then calls that need an approval none of them gives (admin:ci/... is sensitive)
    List<Step> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(s.tool(root, 300 + i, "ci.set_variable", Map.of("project", "acme-" + i, "name", "N", "value", "v")));
    }
    long perCall = maxBytesPerStep(calls);
    Decision last = decide(s.tool(root, 500, "ci.set_variable", Map.of("project", "acme", "name", "N", "value", "v")));
    // Then: each approval writes itself (SCOPES + TEXT + ids) and the session meta with its count
    // (SCOPES), never the approvals before it (that was 256 × 70 KB = 18 MB for the last one);
    // each call is blocked by approval-required and writes its decision and keys
    assertThat(ruleIds(last)).containsExactly("approval-required");
    assertThat(perApproval).isLessThanOrEqualTo(2 * SCOPES + TEXT + PATH + KEYS);
    assertThat(perCall).isLessThanOrEqualTo(PATH + KEYS);
  }

  @Test
  void shouldWriteAtMostTheCredentialRecordPerUseOfACredentialOfTheMostScopes() {
    // Given: a session and a credential of 128 scopes of 512 bytes, the last read:**, which covers
    // what the calls need
    decide(s.start(root, 0, "read:**"));
    String[] scopes = AtLimits.scopes("read", "c", false);
    scopes[scopes.length - 1] = "read:**";
    String cred = AtLimits.id("cred", 0);
    Decision issued =
        decide(s.issue(root, 1, cred, root, 3_600, CredentialKind.SHORT_LIVED_TOKEN, CredentialStorage.MEMORY, scopes));
    assertThat(issued.verdict()).isEqualTo(Verdict.ALLOW);
    // When: it is presented 200 times
    List<Step> uses = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      uses.add(s.tool(root, 2 + i, "repo.read_file", Map.of("repo", "acme/api", "path", "f" + i), cred));
    }
    long perUse = maxBytesPerStep(uses);
    Decision last = decide(s.tool(root, 600, "repo.read_file", Map.of("repo", "acme/api", "path", "x"), cred));
    // Then: every use is allowed and rewrites the credential (its scopes and two ids, the use count
    // and time) and its decision and keys, whatever the count: SCOPES + PATH + KEYS
    assertThat(last.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(perUse).isLessThanOrEqualTo(SCOPES + PATH + KEYS);
  }
}
