package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A list of granted scopes indexed for {@code covers} (contract section 3): given a requested scope
 * r, whether some scope of the list covers it, in time bounded by r's segments and the list's
 * length in 64-bit words, whatever the patterns are.
 *
 * <p>Each granted scope is a bit. A requested scope keeps the bits of the scopes whose action
 * implies its action (the lattice folded in at build: one set per action), whose length admits it,
 * and, at each position of its resource, that hold there {@code *}, the same literal, or nothing
 * (their fixed part is shorter). It is covered when a bit is left. That is {@link
 * Scope#resourceCovers} position by position: a granted literal covers only the same literal, a
 * granted {@code *} any one segment, and a granted trailing {@code **} whatever follows its fixed
 * part. A trie of the patterns would need no more memory but a walk through it may branch at every
 * position ({@code *} and the literal), visiting up to every node; the bit sets cost at most one
 * lookup and a few word operations per position of r.
 *
 * <p>Immutable once built, so it can be read from any thread; built for one lattice ({@link
 * #lattice}).
 */
final class ScopeIndex {

  private static final long[] NONE = new long[0];

  final ActionLattice lattice;
  private final int words;
  /** Scopes whose action is {@code *}: they cover any action. */
  private final long[] anyAction;
  /** Per requested action: the scopes whose action equals or implies it (not {@code *} ones). */
  private final Map<String, long[]> byAction;
  /** Per fixed length q: the scopes without a trailing {@code **} and of q segments. */
  private final long[][] fixedOfLength;
  /** Per k: the scopes with a trailing {@code **} and a fixed part of at most k segments. */
  private final long[][] openUpTo;
  /** Positions past this one constrain no scope (every fixed part is shorter). */
  private final int positions;
  /** Per position i: the scopes with {@code *} there or a fixed part of at most i segments. */
  private final long[][] free;
  /** Per position: its literal when all scopes constrained there hold the same one, else null. */
  private final String[] onlyLiteral;
  private final long[][] onlyLiteralBits;
  /** Per position with several literals: each literal to the scopes holding it there. */
  private final Map<String, long[]>[] literals;

  @SuppressWarnings("unchecked")
  ScopeIndex(List<Scope> granted, ActionLattice lattice) {
    this.lattice = lattice;
    int n = granted.size();
    this.words = (n + 63) >>> 6;
    this.anyAction = new long[words];
    int maxFixed = 0;
    Set<String> actions = new HashSet<>();
    for (Scope g : granted) {
      maxFixed = Math.max(maxFixed, fixedPart(g.segments()));
      actions.add(g.action());
    }
    this.positions = maxFixed;
    this.fixedOfLength = new long[maxFixed + 1][words];
    this.openUpTo = new long[maxFixed + 1][words];
    this.free = new long[maxFixed][words];
    this.onlyLiteral = new String[maxFixed];
    this.onlyLiteralBits = new long[maxFixed][];
    this.literals = new Map[maxFixed];
    // The actions a requested action may be that some granted action implies: the list's own and
    // those the lattice reaches from them (any other is implied only by *).
    Set<String> targets = new HashSet<>(actions);
    for (Map.Entry<String, Set<String>> e : lattice.implications().entrySet()) {
      targets.add(e.getKey());
      targets.addAll(e.getValue());
    }
    targets.remove(Scope.ANY);
    this.byAction = new HashMap<>();
    for (int b = 0; b < n; b++) {
      Scope g = granted.get(b);
      if (g.action().equals(Scope.ANY)) {
        set(anyAction, b);
      } else {
        for (String t : targets) {
          if (lattice.implies(g.action(), t)) {
            set(byAction.computeIfAbsent(t, k -> new long[words]), b);
          }
        }
      }
      List<String> segs = g.segments();
      int q = fixedPart(segs);
      if (q == segs.size()) {
        set(fixedOfLength[q], b);
      } else {
        for (int k = q; k <= maxFixed; k++) {
          set(openUpTo[k], b);
        }
      }
      for (int i = 0; i < maxFixed; i++) {
        String s = i < q ? segs.get(i) : Scope.ANY;
        if (s.equals(Scope.ANY)) {
          set(free[i], b);
        } else {
          addLiteral(i, s, b);
        }
      }
    }
  }

  private void addLiteral(int i, String s, int b) {
    if (literals[i] != null) {
      set(literals[i].computeIfAbsent(s, k -> new long[words]), b);
    } else if (onlyLiteral[i] == null) {
      onlyLiteral[i] = s;
      onlyLiteralBits[i] = new long[words];
      set(onlyLiteralBits[i], b);
    } else if (onlyLiteral[i].equals(s)) {
      set(onlyLiteralBits[i], b);
    } else {
      literals[i] = new HashMap<>();
      literals[i].put(onlyLiteral[i], onlyLiteralBits[i]);
      onlyLiteral[i] = null;
      onlyLiteralBits[i] = null;
      set(literals[i].computeIfAbsent(s, k -> new long[words]), b);
    }
  }

  private static void set(long[] bits, int b) {
    bits[b >>> 6] |= 1L << b;
  }

  /** Segments before a trailing {@code **}, or all of them. */
  private static int fixedPart(List<String> segs) {
    return segs.get(segs.size() - 1).equals(Scope.ANY_DEPTH) ? segs.size() - 1 : segs.size();
  }

  /** Whether some scope of the list covers {@code r}: {@link ActionLattice#coversAny}, faster. */
  boolean coversAny(Scope r) {
    if (words == 0) {
      return false;
    }
    long[] action = byAction.getOrDefault(r.action(), NONE);
    List<String> segs = r.segments();
    int p = fixedPart(segs);
    boolean open = p < segs.size();
    // Where r has a trailing ** and no fixed part, its shortest resource is one segment of anything.
    int checked = Math.min(open ? Math.max(p, 1) : p, positions);
    long[] length = openUpTo[checked];
    long[] fixed = !open && p <= positions ? fixedOfLength[p] : NONE;
    if (words <= 2) {
      // Up to 128 scopes, the limit of a list (contract section 2): two words, no array.
      long m0 = (anyAction[0] | word(action, 0)) & (length[0] | word(fixed, 0));
      long m1 = (word(anyAction, 1) | word(action, 1)) & (word(length, 1) | word(fixed, 1));
      for (int i = 0; i < checked && (m0 | m1) != 0; i++) {
        long[] lit = literal(i, i < p ? segs.get(i) : Scope.ANY);
        long[] f = free[i];
        m0 &= f[0] | word(lit, 0);
        m1 &= word(f, 1) | word(lit, 1);
      }
      return (m0 | m1) != 0;
    }
    long[] mask = new long[words];
    boolean any = false;
    for (int w = 0; w < words; w++) {
      mask[w] = (anyAction[w] | word(action, w)) & (length[w] | word(fixed, w));
      any |= mask[w] != 0;
    }
    for (int i = 0; i < checked && any; i++) {
      long[] lit = literal(i, i < p ? segs.get(i) : Scope.ANY);
      long[] f = free[i];
      any = false;
      for (int w = 0; w < words; w++) {
        mask[w] &= f[w] | word(lit, w);
        any |= mask[w] != 0;
      }
    }
    return any;
  }

  /** The scopes holding literal {@code s} at position {@code i}; none for {@code *}. */
  private long[] literal(int i, String s) {
    if (onlyLiteral[i] != null) {
      return onlyLiteral[i].equals(s) ? onlyLiteralBits[i] : NONE;
    }
    return literals[i] == null ? NONE : literals[i].getOrDefault(s, NONE);
  }

  private static long word(long[] bits, int w) {
    return w < bits.length ? bits[w] : 0;
  }
}
