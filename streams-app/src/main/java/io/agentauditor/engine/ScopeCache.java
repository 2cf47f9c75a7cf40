package io.agentauditor.engine;

import io.agentauditor.policy.Scope;
import java.util.HashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;

/**
 * A bounded cache of parsed scopes: the same few scope strings come back on every step of a
 * session, and parsing them each time would dominate a step. When full it starts over empty,
 * which keeps a hit a plain hash lookup (an LRU reorders on every hit). Single-threaded, like the
 * engine.
 */
final class ScopeCache {

  private final int capacity;
  private final Map<String, Scope> cache;

  ScopeCache(int capacity) {
    this.capacity = capacity;
    this.cache = new HashMap<>(capacity * 2);
  }

  /**
   * @throws io.agentauditor.policy.ScopeSyntaxException when {@code text} is not a scope
   */
  Scope parse(String text) {
    Scope s = cache.get(text);
    if (s == null) {
      s = Scope.parse(text);
      if (cache.size() >= capacity) {
        cache.clear();
      }
      cache.put(text, s);
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
