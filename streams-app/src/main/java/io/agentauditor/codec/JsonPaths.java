package io.agentauditor.codec;

import com.fasterxml.jackson.core.JsonStreamContext;
import io.agentauditor.text.Echo;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Field paths of error messages: {@code $} is the whole record, {@code toolCall.arguments.repo} a
 * nested key, {@code session.grantedScopes[2]} an array element, and {@code
 * toolCall.arguments["a b"]} a key that is not a plain name (JSON-quoted, cut to {@value
 * #MAX_ECHO} characters).
 */
final class JsonPaths {

  static final String ROOT = "$";

  /** Longest piece of input text echoed in a path or reason, so dead-letter reasons stay short. */
  static final int MAX_ECHO = Echo.MAX_CHARS;

  private JsonPaths() {}

  /** The path of key {@code name} inside the object at {@code parent}. */
  static String child(String parent, String name) {
    String segment = isPlainName(name) ? name : "[" + quote(name) + "]";
    if (ROOT.equals(parent)) {
      return segment.charAt(0) == '[' ? ROOT + segment : segment;
    }
    return segment.charAt(0) == '[' ? parent + segment : parent + "." + segment;
  }

  /** The path of element {@code index} of the array at {@code parent}. */
  static String index(String parent, int index) {
    return parent + "[" + index + "]";
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

  private static boolean isPlainName(String name) {
    if (name.isEmpty() || name.length() > MAX_ECHO) {
      return false;
    }
    char first = name.charAt(0);
    if (!(Character.isLetter(first) && first < 0x80) && first != '_') {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
