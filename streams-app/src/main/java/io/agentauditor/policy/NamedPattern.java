package io.agentauditor.policy;

import com.google.re2j.Pattern;
import java.util.Objects;

/** A bundle pattern: RE2 syntax, so matching is linear in the input whatever the pattern. */
public record NamedPattern(String id, String description, Pattern pattern) {
  public NamedPattern {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(pattern, "pattern");
  }
}
