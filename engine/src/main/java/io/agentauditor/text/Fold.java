package io.agentauditor.text;

/**
 * The comparisons contract section 5 makes "after trimming white space and folding ASCII case":
 * an approver against the agents of a chain, a required scope against the sensitive patterns.
 */
public final class Fold {

  private Fold() {}

  /** {@code s} with {@code A}-{@code Z} mapped to {@code a}-{@code z}; every other char kept. */
  public static String ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] out = s.toCharArray();
        for (int j = i; j < out.length; j++) {
          char d = out[j];
          if (d >= 'A' && d <= 'Z') {
            out[j] = (char) (d + ('a' - 'A'));
          }
        }
        return new String(out);
      }
    }
    return s; // the usual case: nothing to fold, nothing allocated
  }

  /**
   * {@code s} without the Unicode White_Space characters at both ends (PropList.txt: U+0009..U+000D,
   * U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
   * Unlike {@link String#strip()}, it removes the no-break spaces and keeps U+001C..U+001F.
   */
  public static String trimWhiteSpace(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && isWhiteSpace(s.charAt(from))) {
      from++;
    }
    while (to > from && isWhiteSpace(s.charAt(to - 1))) {
      to--;
    }
    return from == 0 && to == s.length() ? s : s.substring(from, to);
  }

  /** Trimmed, then ASCII-folded: the form in which two agent ids or approvers compare. */
  public static String identity(String s) {
    return ascii(trimWhiteSpace(s));
  }

  /** Whether {@code c} has the Unicode White_Space property (all such characters are in the BMP). */
  public static boolean isWhiteSpace(char c) {
    return (c >= '\t' && c <= '\r')
        || c == ' '
        || c == '\u0085'
        || c == '\u00A0'
        || c == '\u1680'
        || (c >= '\u2000' && c <= '\u200A')
        || c == '\u2028'
        || c == '\u2029'
        || c == '\u202F'
        || c == '\u205F'
        || c == '\u3000';
  }
}
