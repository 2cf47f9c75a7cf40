package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.Scope;
import io.agentauditor.policy.BuiltinRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks that several rule families share: {@code scope-widening} against the actor's effective
 * scopes, ancestry in the chain, and {@code fan-out}.
 */
final class ChainChecks {

  private ChainChecks() {}

  /**
   * Fires {@code scope-widening} listing every scope of {@code requested} the actor can't cover;
   * returns whether it covers them all. Then {@code requested} remembers that every list of the
   * actor's path read so far covers it ({@link ScopeList#recordWithin}): delegated, it becomes the
   * child's list, and the child's own checks then need not ask those lists again (nor, through the
   * mark the child's record keeps, the others: {@link PathLists}).
   */
  static boolean scopeWidening(StepContext c, List<Scope> requested) {
    PathLists lists = new PathLists(c, requested.size());
    List<String> uncovered = null; // made for the first uncovered scope: most steps have none
    for (int i = 0; i < requested.size(); i++) {
      Scope r = requested.get(i);
      if (!coveredByAll(c, lists, r, requested.size())) {
        if (uncovered == null) {
          uncovered = new ArrayList<>(2);
        }
        uncovered.add(r.toString());
      }
    }
    if (uncovered != null) {
      c.fire(
          BuiltinRule.SCOPE_WIDENING,
          "not within the effective scopes of " + c.actor + ": " + String.join(", ", uncovered));
      return false;
    }
    if (requested instanceof ScopeList checked) {
      for (int i = 0; i < lists.size(); i++) {
        ScopeList l = lists.read(i);
        if (l != null) {
          checked.recordWithin(l, c.rules.lattice);
        }
      }
    }
    return true;
  }

  /**
   * The lists a scope must be covered by to be within the actor's effective scopes (contract
   * section 1): its own delegated list first, then up the path to the session's granted scopes. The
   * deepest list is the narrowest, so a scope outside the effective ones is found outside after
   * one list, not after all of them. Each list answers through its index ({@link ScopeList}).
   *
   * <p>A list is not asked when another list asked before it lies within it, so a scope covered by
   * that one is covered by it too (coverage is transitive, contract section 3). That is known two
   * ways: the lists a list of the actor's path was found within in memory ({@link
   * ScopeList#isWithin}), and the mark each agent's record keeps when its delegation found its list
   * within every list of its parent's path ({@link StateRecords.AgentNode#withinParent}), which
   * holds while the parent keeps the list it had then (its generation) and the coverage relation
   * is the same. An agent's marked list lies within its parent's, so from the actor up each list
   * whose child below is marked is not asked: after a restart, a path of marked agents asks the
   * actor's own list alone, where it read 16 lists of 64 KiB before.
   *
   * <p>A list is made ready when a check first reaches it, so a check that stops at the actor's own
   * list never decodes the ones above (after a restart, up to 15 lists of 64 KiB). A list not yet
   * parsed (its record just read) is then taken from the scope cache when it is to be asked 16
   * scopes or more (the same list, with its index and what it is known to cover), else kept as its
   * texts, compared in place until asked enough.
   */
  private static final class PathLists {
    private final StepContext c;
    private final int questions;
    private final ScopeList[] lists;
    /** Per list: 0 not yet decided, 1 asked, 2 not asked (it covers all of the deepest one). */
    private final byte[] asked;

    PathLists(StepContext c, int questions) {
      this.c = c;
      this.questions = questions;
      this.lists = new ScopeList[c.path.size()];
      this.asked = new byte[lists.length];
    }

    int size() {
      return lists.length;
    }

    /** List {@code i} if it was made ready, else null. */
    ScopeList read(int i) {
      return lists[i];
    }

    ScopeList get(int i) {
      ScopeList l = lists[i];
      if (l == null) {
        if (i == lists.length - 1) {
          SessionMeta m = c.view.meta();
          if (m.parsedGranted == null) {
            m.parsedGranted = parsed(m.grantedScopes);
          }
          l = ScopeList.of(m.parsedGranted);
        } else {
          AgentNode n = c.path.get(c.path.size() - 1 - i);
          if (n.parsedScopes == null) {
            n.parsedScopes = parsed(n.scopes);
          }
          l = ScopeList.of(n.parsedScopes);
        }
        lists[i] = l;
      }
      return l;
    }

    private ScopeList parsed(List<String> texts) {
      return questions >= ScopeList.INDEXED_AFTER ? c.rules.scopes.parseAll(texts) : ScopeList.ofTexts(texts, c.rules.scopes);
    }

    /**
     * Whether list {@code i} is asked: not when the list below it is marked within it, nor when the
     * deepest list was found within it. Either way every scope that passed the lists before it
     * passes it.
     */
    boolean asked(int i) {
      if (asked[i] == 0) {
        boolean skipped = i > 0 && (markedWithinParent(i - 1) || get(0).isWithin(get(i), c.rules.lattice));
        asked[i] = skipped ? (byte) 2 : (byte) 1;
      }
      return asked[i] == 1;
    }

    /**
     * Whether the agent of list {@code i} holds a mark that its list lies within its parent's, list
     * {@code i + 1} (the grant for an agent under the root), still good for that list and for this
     * policy's coverage.
     */
    private boolean markedWithinParent(int i) {
      int n = c.path.size();
      AgentNode a = c.path.get(n - 1 - i);
      AgentNode parent = c.path.get(n - 2 - i);
      return a.withinParent >= 0
          && a.withinParent == parent.generation
          && a.withinStamp == c.rules.coverageStamp;
    }
  }

  /** Whether each list asked covers {@code r}; a list first asked here expects {@code questions}. */
  private static boolean coveredByAll(StepContext c, PathLists lists, Scope r, int questions) {
    for (int i = 0; i < lists.size(); i++) {
      if (!lists.asked(i)) {
        continue;
      }
      ScopeList l = lists.get(i);
      l.expect(questions, c.rules.lattice);
      if (!l.coversAny(r, c.rules.lattice)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code ancestor} is a strict ancestor of {@code agentId} in the chain. */
  static boolean isAncestor(StepContext c, String ancestor, String agentId) {
    AgentNode n = c.view.agent(agentId);
    int guard = 0;
    while (n != null && n.parent != null) {
      if (n.parent.equals(ancestor)) {
        return true;
      }
      n = c.view.agent(n.parent);
      if (++guard > 1_000_000) {
        throw new IllegalStateException("broken parent chain in session " + c.sessionId);
      }
    }
    return false;
  }

  /**
   * Records this step for the actor's fan-out and fires when its window (t - windowSeconds, t]
   * holds more than fanOut.max steps, this one included.
   *
   * <p>The actor's record keeps its delegation and issuance times in arrival order, whatever their
   * stamps, so the count is exact however late, early or far-future any step is stamped (cutting
   * by the latest stamp let one far-future decoy hide every step after it). It is bounded: beyond
   * {@link CompiledPolicy#fanOutKept} times, first the times no count can need are dropped ({@link
   * #thin}: each window keeps at least min(its steps, fanOut.max) of them, so every decision stays
   * exact); only if that is not enough do the times that arrived first go. To push a step of a
   * burst out that way an actor needs that many other delegations or issuances after it, spread so
   * that none of them is thinned.
   */
  static void fanOut(StepContext c) {
    long t = c.t;
    long windowMillis = c.rules.windowMillis;
    long[] old = c.view.fanOut(c.actor);
    if (old == null) {
      old = new long[0];
    }
    int count = 1;
    for (long x : old) {
      if (t - windowMillis < x && x <= t) {
        count++;
      }
    }
    long[] kept = Arrays.copyOf(old, old.length + 1);
    kept[old.length] = t;
    int n = kept.length;
    int max = c.rules.settings.fanOutMax();
    int bound = c.rules.fanOutKept;
    if (n > bound) {
      n = thin(kept, n, windowMillis, max);
      if (n > bound) {
        System.arraycopy(kept, n - bound, kept, 0, bound);
        n = bound;
      }
    }
    c.view.writeFanOut(c.actor, kept, n);
    if (count > max) {
      c.fire(
          BuiltinRule.FAN_OUT,
          c.actor
              + " made "
              + count
              + " delegations and credential issuances within "
              + c.rules.settings.fanOutWindowSeconds()
              + "s, above fanOut.max "
              + max);
    }
  }

  /**
   * Drops from {@code times[0, n)} (arrival order, kept) every time that no window count capped at
   * {@code max} needs: a time goes when each window (a - windowMillis, a] holding it holds at least
   * {@code max} + 1 times, itself included, so that window still holds {@code max} after. Hence for
   * every window, min(times kept in it, max) is what it was, and a step's {@code fan-out} decision
   * (does its window hold {@code max} others?) is unchanged. Times that arrived first are tried
   * first. Returns the new length.
   */
  static int thin(long[] times, int n, long windowMillis, int max) {
    long[] sorted = Arrays.copyOf(times, n);
    Arrays.sort(sorted);
    int m = n;
    boolean[] dropped = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (redundant(sorted, m, times[i], windowMillis, max)) {
        dropped[i] = true;
        int at = Arrays.binarySearch(sorted, 0, m, times[i]);
        System.arraycopy(sorted, at + 1, sorted, at, m - at - 1);
        m--;
      }
    }
    int out = 0;
    for (int i = 0; i < n; i++) {
      if (!dropped[i]) {
        times[out++] = times[i];
      }
    }
    return out;
  }

  /**
   * Whether every window (a - w, a] with p <= a < p + w (those holding p) holds more than {@code
   * max} of {@code sorted[0, m)}. The count changes only where a time enters (a = x) or leaves (a =
   * x + w), so those points and p are the ones to check.
   */
  private static boolean redundant(long[] sorted, int m, long p, long w, int max) {
    if (countIn(sorted, m, p - w, p) <= max) {
      return false;
    }
    for (int i = 0; i < m; i++) {
      long x = sorted[i];
      if (x > p && x < p + w && countIn(sorted, m, x - w, x) <= max) {
        return false;
      }
      long leaves = x + w;
      if (leaves > p && leaves < p + w && countIn(sorted, m, leaves - w, leaves) <= max) {
        return false;
      }
    }
    return true;
  }

  /** How many of {@code sorted[0, m)} lie in (lo, hi]. */
  private static int countIn(long[] sorted, int m, long lo, long hi) {
    return upper(sorted, m, hi) - upper(sorted, m, lo);
  }

  /** The number of {@code sorted[0, m)} that are at most {@code v}. */
  private static int upper(long[] sorted, int m, long v) {
    int lo = 0;
    int hi = m;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
