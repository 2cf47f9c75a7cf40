package io.agentauditor.engine;

import io.agentauditor.model.CredentialStorage;
import io.agentauditor.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The bundle's argument patterns (contract section 7) as the engine applies them: the secret
 * patterns and the long-lived-credential-in-code patterns, sharing one keyword screen, and the
 * catalog's sink of each tool. The engine's tool-call rules scan through it, and so may anything
 * else that must find exactly what the engine finds (benchmarks, a pre-merge scan).
 *
 * <p><b>What is scanned</b> (section 7, v2). Secret patterns: every argument value and every
 * argument name, each as given, in normalised form and in its decoded forms ({@link TextForms}).
 * Code patterns: values only, as given and normalised. A pattern fires when it matches any form.
 *
 * <p><b>Messages.</b> {@code argument 'content' matches aws-access-key-id (base64), slack-token}:
 * arguments in name order, patterns in bundle order, each pattern with the first form it matched
 * in (as given: no label; {@code (normalised)}; {@code (base64)}). Values are never quoted. A name
 * that matches a secret pattern is never quoted either, in any message: its argument is written
 * {@code argument #N} (N its 1-based position in name order), and the name's own hit {@code name of
 * argument #N matches ...}. The same arguments always give the same message.
 *
 * <p>Not thread-safe (the keyword screen and the decoding reuse buffers), like the engine that owns
 * it: one per thread.
 */
public final class ArgumentScanner {

  /** What the two pattern sets found in one tool call's arguments; each null when nothing. */
  public record Hits(String secrets, String code) {}

  private static final Hits NONE = new Hits(null, null);

  /** The form a pattern first matched in, as marked by {@link PatternSet#mark}. */
  private static final byte GIVEN = 1;

  private static final byte NORMALISED = 2;
  private static final byte DECODED = 3;
  private static final String[] LABEL = {"", "", " (normalised)", " (base64)"};

  private final ToolCatalog catalog;
  private final PatternSet secretPatterns;
  private final PatternSet codePatterns;
  private final TextForms forms = new TextForms();
  private final byte[] valueMarks;
  private final byte[] nameMarks;
  private final byte[] codeMarks;
  /**
   * Whether {@link #valueMarks} / {@link #codeMarks} may hold a mark: most arguments mark nothing,
   * and the next one need not clear what nothing set.
   */
  private boolean valueMarksSet = true;

  private boolean codeMarksSet = true;

  /** Names whose marks are kept: at most this long, and this many (then it starts over). */
  private static final int MAX_KEPT_NAME = 64;

  private static final int MAX_KEPT_NAMES = 1024;

  /** Per name, its {@link #nameMarks}. */
  private final Map<String, byte[]> knownNames = new java.util.HashMap<>();

  /** @param policy the loaded bundle; not null */
  public ArgumentScanner(Policy policy) {
    this(policy, true);
  }

  /**
   * @param automata false to run re2j pattern by pattern ({@link PatternSet#sharingOneScreen(boolean,
   *     List[])}): the reference for tests
   */
  ArgumentScanner(Policy policy, boolean automata) {
    this.catalog = new ToolCatalog(policy.tools());
    // One screen for both sets: a value scanned for secrets is not read again for code patterns.
    List<PatternSet> sets =
        PatternSet.sharingOneScreen(automata, policy.secretPatterns(), policy.codePatterns());
    this.secretPatterns = sets.get(0);
    this.codePatterns = sets.get(1);
    this.valueMarks = new byte[secretPatterns.size()];
    this.nameMarks = new byte[secretPatterns.size()];
    this.codeMarks = new byte[codePatterns.size()];
  }

  /** The tool's sink in the bundle's catalog; null when it has none or is not in the catalog. */
  public CredentialStorage sink(String tool) {
    ToolCatalog.Tool t = catalog.tool(tool);
    return t == null ? null : t.sink();
  }

  /**
   * What the secret patterns find in {@code arguments} (names and values, every form), as {@code
   * secret-in-arguments} words it, or null when nothing matches.
   */
  public String secretHits(Map<String, String> arguments) {
    return scan(arguments, true, false).secrets();
  }

  /** What the long-lived-credential-in-code patterns find in the values, or null. */
  public String codeHits(Map<String, String> arguments) {
    return scan(arguments, false, true).code();
  }

  /**
   * Scans {@code arguments} once for the sets asked for: each value is read for both sets before
   * the next, so the shared screen reads it once.
   *
   * @param secrets whether to run the secret patterns (names and values, every form)
   * @param code whether to run the code patterns (values as given and normalised)
   */
  public Hits scan(Map<String, String> arguments, boolean secrets, boolean code) {
    secrets &= secretPatterns.size() > 0;
    code &= codePatterns.size() > 0;
    if (arguments.isEmpty() || !secrets && !code) {
      return NONE;
    }
    List<Argument> hits = null; // hits are rare: made for the first one
    for (Map.Entry<String, String> arg : arguments.entrySet()) {
      Argument a = scanArgument(arg.getKey(), arg.getValue(), secrets, code);
      if (a != null) {
        if (hits == null) {
          hits = new ArrayList<>(2);
        }
        hits.add(a);
      }
    }
    if (hits == null) {
      return NONE;
    }
    hits.sort((a, b) -> a.name.compareTo(b.name));
    String[] sortedNames = null;
    for (Argument a : hits) {
      if (a.nameIsSecret == null) {
        a.nameIsSecret = markName(a.name) > 0;
      }
      if (a.nameIsSecret && sortedNames == null) {
        sortedNames = arguments.keySet().toArray(new String[0]);
        Arrays.sort(sortedNames);
      }
    }
    StringBuilder secretText = new StringBuilder();
    StringBuilder codeText = new StringBuilder();
    for (Argument a : hits) {
      String label =
          a.nameIsSecret
              ? "argument #" + (Arrays.binarySearch(sortedNames, a.name) + 1)
              : "argument '" + a.name + "'";
      if (a.nameIds != null) {
        append(secretText, "name of " + label, a.nameIds);
      }
      if (a.valueIds != null) {
        append(secretText, label, a.valueIds);
      }
      if (a.codeIds != null) {
        append(codeText, label, a.codeIds);
      }
    }
    return new Hits(
        secretText.length() == 0 ? null : secretText.toString(),
        codeText.length() == 0 ? null : codeText.toString());
  }

  private static void append(StringBuilder sb, String what, String ids) {
    sb.append(sb.length() == 0 ? "" : "; ").append(what).append(" matches ").append(ids);
  }

  /** One argument's hits, as pattern lists ready for a message; null fields for none. */
  private static final class Argument {
    final String name;
    final String valueIds;
    final String nameIds;
    final String codeIds;
    /** Whether the name matches a secret pattern; null when the names were not scanned. */
    Boolean nameIsSecret;

    Argument(String name, String valueIds, String nameIds, String codeIds, Boolean nameIsSecret) {
      this.name = name;
      this.valueIds = valueIds;
      this.nameIds = nameIds;
      this.codeIds = codeIds;
      this.nameIsSecret = nameIsSecret;
    }
  }

  /** The hits of one argument, or null when it has none. */
  private Argument scanArgument(String name, String value, boolean secrets, boolean code) {
    int valueHits = 0;
    int codeHits = 0;
    // Each form goes to both sets before the next form: the shared screen remembers the text.
    if (secrets) {
      if (valueMarksSet) {
        Arrays.fill(valueMarks, (byte) 0);
      }
      valueMarksSet = true; // until this argument's scan ends having marked nothing
      valueHits = secretPatterns.mark(value, valueMarks, GIVEN);
    }
    if (code) {
      if (codeMarksSet) {
        Arrays.fill(codeMarks, (byte) 0);
      }
      codeMarksSet = true;
      codeHits = codePatterns.mark(value, codeMarks, GIVEN);
    }
    String normalised = TextForms.normalised(value);
    if (normalised != value) {
      if (secrets && valueHits < valueMarks.length) {
        valueHits += secretPatterns.mark(normalised, valueMarks, NORMALISED);
      }
      if (code && codeHits < codeMarks.length) {
        codeHits += codePatterns.mark(normalised, codeMarks, NORMALISED);
      }
    }
    if (secrets && valueHits < valueMarks.length) {
      valueHits += markDecoded(normalised, valueMarks, valueHits);
    }
    // Each hit is one mark set. A scan that throws leaves its flag set, so whatever it marked
    // before it threw is cleared before the next argument is scanned.
    if (secrets) {
      valueMarksSet = valueHits > 0;
    }
    if (code) {
      codeMarksSet = codeHits > 0;
    }
    int nameHits = secrets ? markName(name) : 0;
    if (valueHits == 0 && nameHits == 0 && codeHits == 0) {
      return null;
    }
    return new Argument(
        name,
        valueHits == 0 ? null : ids(secretPatterns, valueMarks),
        nameHits == 0 ? null : ids(secretPatterns, nameMarks),
        codeHits == 0 ? null : ids(codePatterns, codeMarks),
        secrets ? nameHits > 0 : null);
  }

  /** Marks in {@link #nameMarks} the secret patterns {@code name} matches in any form. */
  private int markName(String name) {
    // The same few names come with every call of a tool: their marks are kept, by content.
    byte[] known = name.length() <= MAX_KEPT_NAME ? knownNames.get(name) : null;
    if (known != null) {
      System.arraycopy(known, 0, nameMarks, 0, nameMarks.length);
      int hits = 0;
      for (byte m : known) {
        hits += m == 0 ? 0 : 1;
      }
      return hits;
    }
    int hits = scanName(name);
    if (name.length() <= MAX_KEPT_NAME) {
      if (knownNames.size() >= MAX_KEPT_NAMES) {
        knownNames.clear();
      }
      knownNames.put(name, nameMarks.clone());
    }
    return hits;
  }

  private int scanName(String name) {
    Arrays.fill(nameMarks, (byte) 0);
    int hits = secretPatterns.mark(name, nameMarks, GIVEN);
    String normalised = TextForms.normalised(name);
    if (normalised != name && hits < nameMarks.length) {
      hits += secretPatterns.mark(normalised, nameMarks, NORMALISED);
    }
    if (hits < nameMarks.length) {
      hits += markDecoded(normalised, nameMarks, hits);
    }
    return hits;
  }

  /** Marks what the decoded forms of {@code normalised} match; returns how many it marked. */
  private int markDecoded(String normalised, byte[] marks, int already) {
    // Most decoded text is noise (paths, identifiers, blobs): screen it all at once, and look at
    // each decoded text only when a keyword turned up somewhere.
    String joined = forms.joinedDecoded(normalised, secretPatterns.keywordsAsciiExact());
    if (joined == null || !secretPatterns.anyCandidate(joined, marks)) {
      return 0;
    }
    int[] marked = {0};
    forms.forEachDecoded(
        normalised,
        decoded -> {
          marked[0] += secretPatterns.mark(decoded, marks, DECODED);
          return already + marked[0] == marks.length;
        });
    return marked[0];
  }

  /** "p1, p2 (normalised)": the marked patterns in bundle order, each with its form. */
  private static String ids(PatternSet set, byte[] marks) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < marks.length; i++) {
      if (marks[i] != 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(set.id(i)).append(LABEL[marks[i]]);
      }
    }
    return sb.toString();
  }

  /** The form of a value a {@link Match} was found in (contract section 7). */
  public enum Form {
    /** The value as given. */
    GIVEN,
    /** Its normalised form (NFKC, format characters removed). */
    NORMALISED,
    /** A base64-decoded run of its normalised form. */
    DECODED
  }

  /**
   * Where one pattern fires in one value.
   *
   * @param patternId the bundle pattern's id
   * @param code true for a long-lived-credential-in-code pattern, false for a secret pattern
   * @param form the form it was found in
   * @param start for {@link Form#GIVEN}, the match's offset in the value; for {@link
   *     Form#NORMALISED}, in the normalised text; for {@link Form#DECODED}, the offset of the run it
   *     was decoded from, in the normalised text
   * @param end the end (exclusive) of that span
   * @param matched the matched text, in its own form (decoded for {@link Form#DECODED}); a secret,
   *     for the caller to mask, never to print
   */
  public record Match(
      String patternId, boolean code, Form form, int start, int end, String matched) {}

  /**
   * Every place the patterns fire in one value, with the normalised text that the offsets of
   * derived-form matches refer to ({@code value} itself when normalising changes nothing).
   */
  public record Located(String normalised, List<Match> matches) {
    public Located {
      matches = List.copyOf(matches);
    }
  }

  /**
   * Where the secret patterns and the long-lived-credential-in-code patterns fire in {@code value}
   * (a value only: no name), with the forms and the decision {@link #scan} applies, but every
   * occurrence rather than the first: the matches as given in text order; then, per pattern, the
   * matches in the normalised form whose text was not matched as given; then, secret patterns
   * only, the matches in decoded runs whose text was matched in no earlier form, one per pattern
   * and run. For a caller that must say where (a pre-merge scan of a file's content); the engine's
   * rules use {@link #scan}, and a pattern fires here exactly when it fires there.
   *
   * @param value not null
   */
  public Located locate(String value) {
    List<Match> found = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    locateIn(secretPatterns, false, value, Form.GIVEN, found, seen);
    locateIn(codePatterns, true, value, Form.GIVEN, found, seen);
    String normalised = TextForms.normalised(value);
    if (normalised != value) {
      locateIn(secretPatterns, false, normalised, Form.NORMALISED, found, seen);
      locateIn(codePatterns, true, normalised, Form.NORMALISED, found, seen);
    }
    if (secretPatterns.size() > 0) {
      byte[] none = new byte[secretPatterns.size()];
      String joined = forms.joinedDecoded(normalised);
      if (joined != null && secretPatterns.anyCandidate(joined, none)) {
        forms.forEachDecodedRun(
            normalised,
            (decoded, runStart, runEnd) -> {
              byte[] marks = new byte[secretPatterns.size()];
              if (secretPatterns.mark(decoded, marks, DECODED) > 0) {
                for (int i = 0; i < marks.length; i++) {
                  if (marks[i] == 0) {
                    continue;
                  }
                  int index = i;
                  String id = secretPatterns.id(i);
                  secretPatterns.forEachMatch(
                      i,
                      decoded,
                      (s, e) -> {
                        String text = decoded.substring(s, e);
                        if (seen.add("s\0" + id + "\0" + text)
                            && seen.add("r\0" + index + "\0" + runStart)) {
                          found.add(new Match(id, false, Form.DECODED, runStart, runEnd, text));
                        }
                      });
                }
              }
              return false;
            });
      }
    }
    return new Located(normalised, found);
  }

  private static void locateIn(
      PatternSet set,
      boolean code,
      String text,
      Form form,
      List<Match> found,
      java.util.Set<String> seen) {
    if (set.size() == 0) {
      return;
    }
    byte[] marks = new byte[set.size()];
    if (set.mark(text, marks, GIVEN) == 0) {
      return;
    }
    String kind = code ? "c" : "s";
    List<Match> here = new ArrayList<>();
    for (int i = 0; i < marks.length; i++) {
      if (marks[i] == 0) {
        continue;
      }
      String id = set.id(i);
      set.forEachMatch(
          i,
          text,
          (s, e) -> {
            String matched = text.substring(s, e);
            // A match seen in an earlier form is the same secret: report it where it was first seen.
            if (form == Form.GIVEN || !seen.contains(kind + "\0" + id + "\0" + matched)) {
              here.add(new Match(id, code, form, s, e, matched));
            }
          });
    }
    here.sort(java.util.Comparator.comparingInt(Match::start));
    for (Match m : here) {
      seen.add(kind + "\0" + m.patternId() + "\0" + m.matched());
    }
    found.addAll(here);
  }

  ToolCatalog catalog() {
    return catalog;
  }
}
