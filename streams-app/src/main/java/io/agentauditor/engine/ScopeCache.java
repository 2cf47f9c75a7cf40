package io.agentauditor.engine;

import io.agentauditor.policy.Scope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;

/**
 * A bounded LRU cache of parsed scopes: the same few scope strings come back on every step of a
 * session, and parsing them each time would dominate a step. Single-threaded, like the engine.
 */
final class ScopeCache {

  private final Map<String, Scope> cache;

  ScopeCache(int capacity) {
    this.cache =
        new LinkedHashMap<>(capacity * 2, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Scope> eldest) {
            return size() > capacity;
          }
        };
  }

  /**
   * @throws io.agentauditor.policy.ScopeSyntaxException when {@code text} is not a scope
   */
  Scope parse(String text) {
    Scope s = cache.get(text);
    if (s == null) {
      s = Scope.parse(text);
      cache.put(text, s);
    }
    return s;
  }

  List<Scope> parseAll(List<String> texts) {
    List<Scope> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(parse(t));
    }
    return out;
  }
}
