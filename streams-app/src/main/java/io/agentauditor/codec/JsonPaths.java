package io.agentauditor.codec;

import com.fasterxml.jackson.core.JsonStreamContext;
import io.agentauditor.model.FieldPath;
import io.agentauditor.text.Echo;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Field paths of error messages, as {@link FieldPath} writes them, and the path of a parser's
 * position.
 */
final class JsonPaths {

  static final String ROOT = FieldPath.ROOT;

  /** Longest piece of input text echoed in a path or reason, so dead-letter reasons stay short. */
  static final int MAX_ECHO = Echo.MAX_CHARS;

  private JsonPaths() {}

  /** The path of key {@code name} inside the object at {@code parent} ({@link FieldPath#child}). */
  static String child(String parent, String name) {
    return FieldPath.child(parent, name);
  }

  /** The path of element {@code index} of the array at {@code parent}. */
  static String index(String parent, int index) {
    return FieldPath.index(parent, index);
  }

  /** The path of the parser's current position, from Jackson's parsing context. */
  static String of(JsonStreamContext context) {
    Deque<JsonStreamContext> chain = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      chain.push(c);
    }
    String path = ROOT;
    for (JsonStreamContext c : chain) {
      if (c.inObject() && c.getCurrentName() != null) {
        path = child(path, c.getCurrentName());
      } else if (c.inArray() && c.getCurrentIndex() >= 0) {
        path = index(path, c.getCurrentIndex());
      }
    }
    return path;
  }

  /** {@code text} as a JSON string literal, escaped and cut short ({@link Echo#quote}). */
  static String quote(String text) {
    return Echo.quote(text);
  }

}
