package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import io.agentauditor.policy.ActionLattice;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An immutable list of parsed scopes that answers {@code coversAny} through a {@link ScopeIndex}
 * once the list is long enough and has been asked often enough to be worth one. What {@link ScopeCache#parseAll}
 * returns: the engine keeps these with the records whose scopes they are, so a list is indexed once
 * for all the steps that read it.
 */
final class ScopeList extends AbstractList<Scope> implements RandomAccess {

  /** Lists this short are compared scope by scope: an index would cost more than it saves. */
  static final int INDEXED_FROM = 8;

  /**
   * Scopes a list answers one by one before it is indexed: building an index costs about what 16
   * to 32 such answers cost, so a list asked once or twice (a deep path read by one call after a
   * restart) never pays for one. Each list adds its serial modulo 16, so lists asked in step (the
   * approvals of a session, one question each per call) are indexed over many calls, not all in
   * one.
   */
  static final int INDEXED_AFTER = 16;

  /** Lists of another one's {@link #within} this list remembers at most. */
  static final int WITHIN_KEPT = 32;

  private static final AtomicLong SERIALS = new AtomicLong();

  /** The parsed scopes; null until needed when the list was made of texts ({@link #ofTexts}). */
  private Scope[] scopes;
  /** The texts of a list made of them, answered in place until parsed; else null. */
  private final List<String> texts;
  private final ScopeCache cache;
  /** Names this list in another one's {@link #within}, without keeping it alive. */
  private final long serial = SERIALS.incrementAndGet();
  /** Built on the first {@link #coversAny} of a long list; rebuilt if asked with another lattice. */
  private ScopeIndex index;
  /** Scopes answered one by one so far, up to when the index is built. */
  private int answered;
  /** Serials of lists known to cover every scope of this one, and the lattice that holds for. */
  private long[] within = new long[0];
  private ActionLattice withinLattice;

  ScopeList(Scope[] scopes) {
    this.scopes = scopes;
    this.texts = null;
    this.cache = null;
  }

  private ScopeList(List<String> texts, ScopeCache cache) {
    this.texts = texts;
    this.cache = cache;
  }

  /**
   * The scopes of {@code texts} (valid scopes, as the codecs let in), parsed through {@code cache}
   * only when first read or indexed: until then each question compares the texts in place ({@link
   * ScopeText}), so a list a step asks one scope costs no parse. For lists read from the store
   * after a restart, where most are asked once or twice.
   */
  static ScopeList ofTexts(List<String> texts, ScopeCache cache) {
    return new ScopeList(texts, cache);
  }

  private Scope[] parsed() {
    Scope[] p = scopes;
    if (p == null) {
      p = new Scope[texts.size()];
      for (int i = 0; i < p.length; i++) {
        p[i] = cache.parse(texts.get(i));
      }
      scopes = p;
    }
    return p;
  }

  /** The scopes of {@code list}, as one of these (the same list when it is one). */
  static ScopeList of(List<Scope> list) {
    return list instanceof ScopeList s ? s : new ScopeList(list.toArray(new Scope[0]));
  }

  @Override
  public Scope get(int i) {
    return parsed()[i];
  }

  @Override
  public int size() {
    return scopes != null ? scopes.length : texts.size();
  }

  /** Whether some scope of this list covers {@code r} through {@code lattice} (contract section 3). */
  boolean coversAny(Scope r, ActionLattice lattice) {
    ScopeIndex ix = index;
    if (ix != null && ix.lattice == lattice) {
      return ix.coversAny(r);
    }
    if (size() < INDEXED_FROM || answered < INDEXED_AFTER + (int) (serial & 15)) {
      answered++;
      Scope[] p = scopes;
      if (p == null && texts instanceof EncodedStrings encoded) {
        // As the record holds them: compared as bytes, never made into strings.
        ScopeText.Requested q = cache.requested(r);
        byte[] b = encoded.bytes();
        for (int i = 0; i < encoded.size(); i++) {
          if (ScopeText.covers(lattice, b, encoded.offset(i), encoded.length(i), q)) {
            return true;
          }
        }
        return false;
      }
      if (p == null) {
        for (int i = 0; i < texts.size(); i++) {
          if (ScopeText.covers(lattice, texts.get(i), r)) {
            return true;
          }
        }
        return false;
      }
      for (Scope g : p) {
        if (lattice.covers(g, r)) {
          return true;
        }
      }
      return false;
    }
    ix = new ScopeIndex(this, lattice);
    index = ix;
    return ix.coversAny(r);
  }

  /**
   * Tells the list it is about to be asked {@code questions} scopes through {@code lattice}: when
   * they are as many as it would answer one by one before being indexed, it is indexed now, so a
   * step checking a list of 128 requested scopes (a delegation at the limits, after a restart)
   * doesn't first compare the first 16 to 31 of them with every scope of the list.
   */
  void expect(int questions, ActionLattice lattice) {
    ScopeIndex ix = index;
    if ((ix == null || ix.lattice != lattice) && size() >= INDEXED_FROM && questions >= INDEXED_AFTER) {
      index = new ScopeIndex(this, lattice);
    }
  }

  /**
   * Remembers that {@code list} covers every scope of this one through {@code lattice} (a set
   * covers a set, contract section 3), as a check of each scope has just shown. Coverage is
   * transitive, so then whatever this list covers {@code list} covers too: see {@link #isWithin}.
   * Keeps the latest {@value #WITHIN_KEPT}.
   */
  void recordWithin(ScopeList list, ActionLattice lattice) {
    if (withinLattice != lattice) {
      within = new long[0];
      withinLattice = lattice;
    }
    if (isWithin(list, lattice)) {
      return;
    }
    long[] w = within;
    int keep = Math.min(w.length, WITHIN_KEPT - 1);
    long[] next = new long[keep + 1];
    System.arraycopy(w, w.length - keep, next, 0, keep);
    next[keep] = list.serial;
    within = next;
  }

  /** Whether {@code list} was recorded to cover every scope of this one through {@code lattice}. */
  boolean isWithin(ScopeList list, ActionLattice lattice) {
    if (list == this) {
      return true;
    }
    if (withinLattice != lattice) {
      return false;
    }
    for (long s : within) {
      if (s == list.serial) {
        return true;
      }
    }
    return false;
  }
}
