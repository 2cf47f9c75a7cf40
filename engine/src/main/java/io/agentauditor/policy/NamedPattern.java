package io.agentauditor.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.Objects;

/**
 * A bundle pattern: RE2 syntax, so matching is linear in the input whatever the pattern.
 *
 * <p>A pattern fires on a value when {@code pattern} finds a match in it and, if {@code unless} is
 * set, at least one of those matches does not contain a match of {@code unless}. The pair stands in
 * for the lookahead RE2 lacks: e.g. "a Terraform block that sets no {@code expiry}" is a block
 * pattern with {@code unless: expiry =}.
 *
 * <p>{@code keywords} is a screen, not part of what the pattern means: the bundle promises that
 * every text {@code pattern} matches contains at least one of them (ignoring case when {@link
 * #ignoresCase()}), so the engine runs the regex only on values that contain one. A keyword that
 * breaks this promise silently hides matches; {@link #matches(String)} never looks at keywords,
 * which is what tests compare the screened matcher against.
 *
 * @param description one line, used in finding messages; may be empty, never null
 * @param unless optional exclusion searched within each match of {@code pattern}; null when none
 * @param keywords literal strings, at least one of which occurs in every match of {@code pattern};
 *     empty (or null, read as empty) when the pattern is not screened; no keyword is empty
 * @throws IllegalArgumentException when a keyword is empty
 */
public record NamedPattern(
    String id, String description, Pattern pattern, Pattern unless, List<String> keywords) {

  /** Inline flags of RE2 syntax: {@code (?flags)} or {@code (?flags:re)} with an {@code i} set. */
  private static final java.util.regex.Pattern INLINE_IGNORE_CASE =
      java.util.regex.Pattern.compile("\\(\\?[imsU]*i[imsU]*(?:-[imsU]*)?[:)]");

  public NamedPattern {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(pattern, "pattern");
    keywords = keywords == null ? List.of() : List.copyOf(keywords);
    for (String k : keywords) {
      if (k.isEmpty()) {
        throw new IllegalArgumentException("pattern " + id + " has an empty keyword");
      }
    }
  }

  /** A pattern with {@code unless} and no keywords: its regex runs on every value. */
  public NamedPattern(String id, String description, Pattern pattern, Pattern unless) {
    this(id, description, pattern, unless, List.of());
  }

  /** A pattern without {@code unless} or keywords. */
  public NamedPattern(String id, String description, Pattern pattern) {
    this(id, description, pattern, null, List.of());
  }

  /**
   * Whether {@code pattern} may match case-insensitively: compiled with {@link
   * Pattern#CASE_INSENSITIVE}, or its source sets the {@code i} flag inline anywhere. Errs on the
   * side of true (an escaped {@code \(?i)} counts too), which only costs regex runs.
   */
  public boolean ignoresCase() {
    return (pattern.flags() & Pattern.CASE_INSENSITIVE) != 0
        || INLINE_IGNORE_CASE.matcher(pattern.pattern()).find();
  }

  /**
   * Whether {@code value} passes the keyword screen: true when there are no keywords, else when it
   * contains one (compared after {@link #fold(String)} when {@link #ignoresCase()}). When false,
   * {@link #matches(String)} is false too, provided the keywords keep their promise.
   */
  public boolean screens(String value) {
    if (keywords.isEmpty()) {
      return true;
    }
    boolean fold = ignoresCase();
    String text = fold ? fold(value) : value;
    for (String k : keywords) {
      if (text.contains(fold ? fold(k) : k)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this pattern fires on {@code value}: some match of {@code pattern} in it (a search, not
   * a whole-value match) contains no match of {@code unless}. Keywords play no part here.
   */
  public boolean matches(String value) {
    Matcher m = pattern.matcher(value);
    while (m.find()) {
      if (unless == null || !unless.matcher(value.substring(m.start(), m.end())).find()) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code text} with every code point replaced by the lower case of its upper case: code points
   * that RE2's case folding treats as equal ({@code k}, {@code K} and the Kelvin sign; {@code s},
   * {@code S} and the long s) come out equal, so a keyword found in the folded text is found
   * ignoring case. Returns {@code text} itself when nothing changes.
   */
  public static String fold(String text) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      if (foldCodePoint(cp) != cp) {
        break;
      }
      i += Character.charCount(cp);
    }
    if (i == n) {
      return text;
    }
    StringBuilder sb = new StringBuilder(n).append(text, 0, i);
    while (i < n) {
      int cp = text.codePointAt(i);
      sb.appendCodePoint(foldCodePoint(cp));
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  private static int foldCodePoint(int cp) {
    return Character.toLowerCase(Character.toUpperCase(cp));
  }
}
