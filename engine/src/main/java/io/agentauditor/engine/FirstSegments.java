package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a list of scope texts can cover, told by the first segment of each resource, without parsing
 * them: a scope whose resource starts with a literal covers only requested scopes starting with
 * that same literal (contract section 3: a literal covers only the same literal, never a wildcard
 * nor a position a {@code **} expands into). A session's 256 approvals of 128 scopes of 512 bytes
 * are 16 MiB of text: a call needing an approval asks this of each approval first, and parses (and
 * indexes) only those that can cover what it needs.
 */
final class FirstSegments {

  /** The literal first segments of the list's resources. */
  private final Set<String> literals;
  /** Whether a resource of the list starts with {@code *} or is {@code **}: it may cover anything. */
  private final boolean wildcard;

  /**
   * Characters of literals kept at most. Past it the list is taken as one that may cover anything:
   * still sound, and an approval's record, which holds them ahead of its scopes, grows by at most
   * this (128 scopes of 512 bytes could start with 128 different literals of 500 bytes).
   */
  static final int MAX_CHARS = 1_024;

  private FirstSegments(Set<String> literals, boolean wildcard) {
    int chars = 0;
    for (String l : literals) {
      chars += l.length();
    }
    boolean tooMany = chars > MAX_CHARS;
    this.literals = wildcard || tooMany ? Set.of() : literals;
    this.wildcard = wildcard || tooMany;
  }

  /** What a record holds: the literal first segments, and whether a resource starts with a wildcard. */
  static FirstSegments of(Collection<String> literals, boolean wildcard) {
    return new FirstSegments(new HashSet<>(literals), wildcard);
  }

  /** The literal first segments, sorted (a record's bytes don't depend on a set's order). */
  List<String> literals() {
    return literals.stream().sorted().toList();
  }

  boolean wildcard() {
    return wildcard;
  }

  /** The first segments of {@code texts}, valid scopes (as the codecs let in). */
  static FirstSegments of(List<String> texts) {
    if (texts instanceof EncodedStrings encoded) {
      return of(encoded);
    }
    Set<String> literals = new HashSet<>();
    boolean wildcard = false;
    String last = null; // the previous text's literal: lists mostly repeat one
    for (int i = 0; i < texts.size(); i++) {
      String t = texts.get(i);
      int from = t.indexOf(':') + 1;
      int slash = t.indexOf('/', from);
      int to = slash < 0 ? t.length() : slash;
      if (last != null && to - from == last.length() && t.startsWith(last, from)) {
        continue;
      }
      String first = t.substring(from, to);
      if (first.equals(Scope.ANY) || first.equals(Scope.ANY_DEPTH)) {
        wildcard = true;
      } else {
        literals.add(first);
        last = first;
      }
    }
    return new FirstSegments(literals, wildcard);
  }

  /**
   * The first segments of scope texts still encoded, read from their bytes without decoding them.
   * Scopes are ASCII; a byte that is not (a record the codecs would not have let in) makes the
   * list one that may cover anything.
   */
  static FirstSegments of(EncodedStrings texts) {
    Set<String> literals = new HashSet<>();
    boolean wildcard = false;
    byte[] b = texts.bytes();
    byte[] last = null; // the previous text's literal, as bytes: lists mostly repeat one
    for (int i = 0; i < texts.size(); i++) {
      int end = texts.offset(i) + texts.length(i);
      int from = texts.offset(i);
      while (from < end && b[from] != ':') {
        from++;
      }
      from++;
      int to = from;
      boolean ascii = true;
      while (to < end && b[to] != '/') {
        ascii &= b[to] >= 0;
        to++;
      }
      if (!ascii) {
        wildcard = true;
      } else if (last != null && Arrays.equals(b, from, to, last, 0, last.length)) {
        continue;
      } else if (to - from == 1 && b[from] == '*' || to - from == 2 && b[from] == '*' && b[from + 1] == '*') {
        wildcard = true;
      } else {
        last = Arrays.copyOfRange(b, from, to);
        literals.add(new String(last, StandardCharsets.US_ASCII));
      }
    }
    return new FirstSegments(literals, wildcard);
  }

  /**
   * False only when no scope of the list can cover {@code r}, whatever the actions: then each
   * starts with a literal other than {@code r}'s first segment.
   */
  boolean mayCover(Scope r) {
    return wildcard || literals.contains(r.segments().get(0));
  }
}
