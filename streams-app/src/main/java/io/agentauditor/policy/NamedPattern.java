package io.agentauditor.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.Objects;

/**
 * A bundle pattern: RE2 syntax, so matching is linear in the input whatever the pattern.
 *
 * <p>A pattern fires on a value when {@code pattern} finds a match in it and, if {@code unless} is
 * set, at least one of those matches does not contain a match of {@code unless}. The pair stands in
 * for the lookahead RE2 lacks: e.g. "a Terraform block that sets no {@code expiry}" is a block
 * pattern with {@code unless: expiry =}.
 *
 * @param description one line, used in finding messages; may be empty, never null
 * @param unless optional exclusion searched within each match of {@code pattern}; null when none
 */
public record NamedPattern(String id, String description, Pattern pattern, Pattern unless) {
  public NamedPattern {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(pattern, "pattern");
  }

  /** A pattern without {@code unless}. */
  public NamedPattern(String id, String description, Pattern pattern) {
    this(id, description, pattern, null);
  }

  /**
   * Whether this pattern fires on {@code value}: some match of {@code pattern} in it (a search, not
   * a whole-value match) contains no match of {@code unless}.
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
}
