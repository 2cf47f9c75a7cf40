package io.agentauditor.text;

/**
 * Input text echoed in an error message: quoted, escaped and cut short, so a message stays on one
 * line whatever the input holds. Dead letters ({@code line N: reason}) and bundle errors ({@code
 * file:line: message}) are read a line at a time; an input that carried a raw line break into its
 * own reason would forge a report line.
 */
public final class Echo {

  /** Longest piece of input text echoed, so messages stay short. */
  public static final int MAX_CHARS = 64;

  private Echo() {}

  /**
   * {@code text} as a JSON string literal: control characters, lone surrogates and the Unicode line
   * and paragraph separators escaped, cut to {@value #MAX_CHARS} characters with an ellipsis.
   *
   * @param text not null
   */
  public static String quote(String text) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 8).append('"');
    int limit = Math.min(text.length(), MAX_CHARS);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    if (text.length() > MAX_CHARS) {
      sb.append('\u2026');
    }
    return sb.append('"').toString();
  }
}
