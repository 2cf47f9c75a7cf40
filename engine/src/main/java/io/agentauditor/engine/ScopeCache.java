package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded cache of parsed scopes: the same few scope strings come back on every step of a
 * session, and parsing them each time would dominate a step. Bounded by entries and by
 * characters of text, and long scopes are never kept. When full it starts over empty,
 * which keeps a hit a plain hash lookup (an LRU reorders on every hit). Single-threaded, like the
 * engine. Lists of scopes are kept too ({@link #parseAll}), each with its coverage index.
 */
final class ScopeCache {

  /** Scope text longer than this is parsed on every use, never kept. */
  static final int MAX_KEPT_LENGTH = 1_024;

  /** Characters of scope text kept in all; past it the cache starts over. */
  static final long MAX_KEPT_CHARS = 1L << 22;

  /**
   * Characters of scope text kept in lists ({@link #parseAll}); past it the lists start over. A
   * list of 128 scopes at the limits is 64 Ki characters, so this keeps 16 of them, with their
   * indexes.
   */
  static final long MAX_KEPT_LIST_CHARS = 1L << 20;

  private final int capacity;
  private final Map<String, Scope> cache;
  private long chars;
  private final Map<List<String>, ScopeList> lists;
  private long listChars;

  ScopeCache(int capacity) {
    this.capacity = capacity;
    this.cache = new HashMap<>(capacity * 2);
    this.lists = new HashMap<>();
  }

  /** The last scope {@link #requested} was made for, and what it made. */
  private Scope requestedScope;
  private ScopeText.Requested requested;

  /**
   * {@code r}'s text as bytes, to compare with lists read from the store in place; made once for
   * the lists of a path a check asks the same scope.
   */
  ScopeText.Requested requested(Scope r) {
    if (r != requestedScope) {
      requested = new ScopeText.Requested(r);
      requestedScope = r;
    }
    return requested;
  }

  /**
   * @throws io.agentauditor.model.ScopeSyntaxException when {@code text} is not a scope
   */
  Scope parse(String text) {
    Scope s = cache.get(text);
    if (s == null) {
      s = Scope.parse(text);
      // Scopes are built from tool arguments (values up to 256 KiB, section 2): bounded by entries alone,
      // the cache could keep gigabytes. Long ones are rare and not worth keeping.
      if (text.length() <= MAX_KEPT_LENGTH) {
        if (cache.size() >= capacity || chars + text.length() > MAX_KEPT_CHARS) {
          cache.clear();
          chars = 0;
        }
        cache.put(text, s);
        chars += text.length();
      }
    }
    return s;
  }

  /**
   * The scopes of {@code texts}, parsed, as a list that indexes itself for coverage; the same list
   * for the same texts while it is kept, so its index is built once. Kept like a scope: not when
   * one of its scopes is too long to keep, and within {@link #MAX_KEPT_LIST_CHARS} in all.
   *
   * @throws io.agentauditor.model.ScopeSyntaxException when one of {@code texts} is not a scope
   */
  ScopeList parseAll(List<String> texts) {
    ScopeList kept = lists.get(texts);
    if (kept != null) {
      return kept;
    }
    int n = texts.size();
    Scope[] out = new Scope[n];
    long listChars = 0;
    boolean keep = true;
    // Indexed: the lists are random-access (decoded records, Avro arrays), and no iterator is made.
    for (int i = 0; i < n; i++) {
      String text = texts.get(i);
      out[i] = parse(text);
      listChars += text.length();
      keep &= text.length() <= MAX_KEPT_LENGTH;
    }
    keep &= listChars <= MAX_KEPT_LIST_CHARS / 4;
    ScopeList parsed = new ScopeList(out);
    if (keep) {
      if (lists.size() >= capacity || listChars + this.listChars > MAX_KEPT_LIST_CHARS) {
        lists.clear();
        this.listChars = 0;
      }
      // A copy as the key: the caller's list may be one it goes on changing.
      lists.put(List.copyOf(texts), parsed);
      this.listChars += listChars;
    }
    return parsed;
  }
}
