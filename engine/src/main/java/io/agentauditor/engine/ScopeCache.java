package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import java.util.HashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;

/**
 * A bounded cache of parsed scopes: the same few scope strings come back on every step of a
 * session, and parsing them each time would dominate a step. Bounded by entries and by
 * characters of text, and long scopes are never kept. When full it starts over empty,
 * which keeps a hit a plain hash lookup (an LRU reorders on every hit). Single-threaded, like the
 * engine.
 */
final class ScopeCache {

  /** Scope text longer than this is parsed on every use, never kept. */
  static final int MAX_KEPT_LENGTH = 1_024;

  /** Characters of scope text kept in all; past it the cache starts over. */
  static final long MAX_KEPT_CHARS = 1L << 22;

  private final int capacity;
  private final Map<String, Scope> cache;
  private long chars;

  ScopeCache(int capacity) {
    this.capacity = capacity;
    this.cache = new HashMap<>(capacity * 2);
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

  List<Scope> parseAll(List<String> texts) {
    if (texts.size() == 1) {
      return List.of(parse(texts.get(0)));
    }
    int n = texts.size();
    List<Scope> out = new ArrayList<>(n);
    // Indexed: the lists are random-access (decoded records, Avro arrays), and no iterator is made.
    for (int i = 0; i < n; i++) {
      out.add(parse(texts.get(i)));
    }
    return out;
  }
}
