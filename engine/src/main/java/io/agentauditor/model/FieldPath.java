package io.agentauditor.model;

import io.agentauditor.text.Echo;

/**
 * Field paths of error messages, in the terms of the JSON form whatever the input's form: {@code
 * $} is the whole record, {@code toolCall.arguments.repo} a nested key, {@code
 * session.grantedScopes[2]} an array element, and {@code toolCall.arguments["a b"]} a key that is
 * not a plain name (JSON-quoted, cut to {@link Echo#MAX_CHARS} characters).
 */
public final class FieldPath {

  /** The record as a whole. */
  public static final String ROOT = "$";

  private FieldPath() {}

  /** The path of key {@code name} inside the object at {@code parent}. */
  public static String child(String parent, String name) {
    String segment = isPlainName(name) ? name : "[" + Echo.quote(name) + "]";
    if (ROOT.equals(parent)) {
      return segment.charAt(0) == '[' ? ROOT + segment : segment;
    }
    return segment.charAt(0) == '[' ? parent + segment : parent + "." + segment;
  }

  /** The path of element {@code index} of the array at {@code parent}. */
  public static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }

  private static boolean isPlainName(String name) {
    if (name.isEmpty() || name.length() > Echo.MAX_CHARS) {
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
