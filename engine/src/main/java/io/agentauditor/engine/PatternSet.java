package io.agentauditor.engine;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.agentauditor.policy.NamedPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A list of bundle patterns matched against tool arguments. Most arguments match none, so the
 * regexes run only where a match is possible: a pattern with keywords runs on a value only when the
 * value contains one of them; patterns without keywords are screened together by one RE2
 * alternation of them. The result equals running {@link NamedPattern#matches} of every pattern on
 * every value, as long as the bundle's keywords keep their promise (every match contains one).
 *
 * <p>Why it is shaped so: the engine runs two sets (secret patterns, then code patterns for
 * repository and config-file sinks) over the same argument values, and reading a long value is
 * what costs. Sets made together by {@link #sharingOneScreen} find the keywords of all their
 * patterns in one {@link KeywordScreen} pass per value and remember, by identity, the result for
 * the last few values scanned: a value is immutable, so when the second set meets the very string
 * the first one scanned it reuses the result instead of reading the value again. Values shorter than
 * the shortest keyword are never read at all.
 *
 * <p>The patterns a value's keywords leave to run (its candidates) run together, in one pass of a
 * {@link RegexDfa} built for that set of candidates, not one re2j search each: on a value full of
 * keywords every pattern is a candidate, and re2j's NFA costs 40 to 70 ns a character for a pattern
 * without a literal prefix (the code patterns), the automaton a few. A pattern with {@code unless}
 * that the automaton finds is then searched by re2j, whose successive matches decide it.
 *
 * <p>Not thread-safe (the screen reuses buffers), like the engine that owns it; sets sharing a
 * screen belong to one thread.
 */
final class PatternSet {

  private final NamedPattern[] patterns;
  /** Per pattern: ids of its keywords in the shared screen's bit set; null when unscreened. */
  private final int[][] keywordIds;
  /** Every keyword of this set's patterns, as bits by id in the shared screen's bit set. */
  private final long[] anyKeyword;

  private final Screen screen;
  private final boolean anyUnscreened;
  /**
   * One alternation of the unscreened patterns, null when fewer than two or when they can't be
   * combined (compile flags differ, or the union doesn't compile).
   */
  private final Pattern unscreenedUnion;

  /** Automata kept, per set of candidate patterns: the sets that texts actually call for are few. */
  private static final int MAX_AUTOMATA = 8;

  /** Per set of candidate patterns (a bit per pattern), its automaton; null when none can be built. */
  private final Map<Long, RegexDfa> automata =
      new LinkedHashMap<>(MAX_AUTOMATA * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, RegexDfa> eldest) {
          return size() > MAX_AUTOMATA;
        }
      };

  /** Whether {@link #mark} runs its candidates through an automaton, not re2j one by one. */
  private final boolean useAutomata;

  /** A set with a screen of its own. */
  PatternSet(List<NamedPattern> patterns) {
    this(patterns, new Screen(List.of(patterns)), true);
  }

  private PatternSet(List<NamedPattern> patterns, Screen screen, boolean useAutomata) {
    this.patterns = patterns.toArray(new NamedPattern[0]);
    this.useAutomata = useAutomata && this.patterns.length <= 64;
    this.unless = new Unless[this.patterns.length];
    this.screen = screen;
    this.keywordIds = new int[this.patterns.length][];
    this.anyKeyword = new long[screen.words];
    List<NamedPattern> unscreened = new ArrayList<>();
    for (int i = 0; i < this.patterns.length; i++) {
      NamedPattern p = this.patterns[i];
      if (p.keywords().isEmpty()) {
        unscreened.add(p);
      } else {
        keywordIds[i] = screen.ids(p);
        for (int id : keywordIds[i]) {
          anyKeyword[id >>> 6] |= 1L << id;
        }
      }
    }
    this.anyUnscreened = !unscreened.isEmpty();
    this.unscreenedUnion = union(unscreened);
  }

  /**
   * One set per list, in order, all served by one keyword screen: a value that several of them scan
   * in turn is read once (see the class comment).
   */
  @SafeVarargs
  static List<PatternSet> sharingOneScreen(List<NamedPattern>... lists) {
    return sharingOneScreen(true, lists);
  }

  /**
   * {@link #sharingOneScreen(List[])}; without {@code automata}, {@link #mark} runs re2j pattern by
   * pattern, as it did before the automata (the reference their tests compare against).
   */
  @SafeVarargs
  static List<PatternSet> sharingOneScreen(boolean automata, List<NamedPattern>... lists) {
    Screen shared = new Screen(List.of(lists));
    List<PatternSet> sets = new ArrayList<>(lists.length);
    for (List<NamedPattern> l : lists) {
      sets.add(new PatternSet(l, shared, automata));
    }
    return List.copyOf(sets);
  }

  private static Pattern union(List<NamedPattern> patterns) {
    if (patterns.size() < 2) {
      return null;
    }
    int flags = patterns.get(0).pattern().flags();
    StringBuilder sb = new StringBuilder();
    for (NamedPattern p : patterns) {
      if (p.pattern().flags() != flags) {
        return null;
      }
      sb.append(sb.length() == 0 ? "" : "|").append("(?:").append(p.pattern().pattern()).append(')');
    }
    try {
      return Pattern.compile(sb.toString(), flags);
    } catch (PatternSyntaxException e) {
      return null;
    }
  }

  /**
   * "argument 'a' matches p1, p2; argument 'b' matches p3", arguments in name order, patterns in
   * bundle order; null when no argument matches. Values are never quoted: they may be secrets.
   * Values as given only: the derived forms and argument names of section 7 are {@link
   * ArgumentScanner}'s.
   */
  String hits(Map<String, String> args) {
    if (patterns.length == 0 || args.isEmpty()) {
      return null;
    }
    // Hits are rare: find them in map order, and sort argument names only when there are some.
    List<String[]> hits = null;
    for (Map.Entry<String, String> arg : args.entrySet()) {
      String ids = hitIds(arg.getValue());
      if (ids != null) {
        if (hits == null) {
          hits = new ArrayList<>(2);
        }
        hits.add(new String[] {arg.getKey(), ids});
      }
    }
    if (hits == null) {
      return null;
    }
    hits.sort((a, b) -> a[0].compareTo(b[0]));
    StringBuilder sb = new StringBuilder();
    for (String[] h : hits) {
      sb.append(sb.length() == 0 ? "" : "; ").append("argument '").append(h[0]).append("' matches ").append(h[1]);
    }
    return sb.toString();
  }

  /** "p1, p2": the ids of the patterns that fire on {@code value}, in bundle order; null when none. */
  private String hitIds(String value) {
    byte[] forms = new byte[patterns.length];
    if (mark(value, forms, (byte) 1) == 0) {
      return null;
    }
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < patterns.length; i++) {
      if (forms[i] != 0) {
        ids.append(ids.length() == 0 ? "" : ", ").append(patterns[i].id());
      }
    }
    return ids.toString();
  }

  /** How many patterns the set holds; {@link #mark} indexes them in bundle order. */
  int size() {
    return patterns.length;
  }

  /** The id of pattern {@code index}, in bundle order. */
  String id(int index) {
    return patterns[index].id();
  }

  /**
   * Whether every keyword of the screen is ASCII and compared exactly (no pattern ignores case),
   * so a text's keywords are found alike in its ASCII characters alone (see {@link
   * TextForms#joinedDecoded(String, boolean)}).
   */
  boolean keywordsAsciiExact() {
    return screen.asciiExact;
  }

  /**
   * Whether some pattern whose {@code forms[i]} is still 0 may fire on {@code text}: it has no
   * keywords, or {@code text} holds one of them. False means no such pattern fires on {@code text}
   * nor on any part of it.
   */
  boolean anyCandidate(String text, byte[] forms) {
    return nextCandidate(text, forms, 0) >= 0;
  }

  /**
   * The first pattern {@code i >= from} whose {@code forms[i]} is still 0 that may fire on {@code
   * text} (see {@link #anyCandidate}); -1 when there is none.
   */
  private int nextCandidate(String text, byte[] forms, int from) {
    long[] found = null;
    for (int i = from; i < patterns.length; i++) {
      if (forms[i] != 0) {
        continue;
      }
      if (keywordIds[i] == null) {
        return i;
      }
      if (found == null) {
        if (text.length() < screen.minLength) {
          continue;
        }
        // Remembered by the screen: asking again for the next candidate reads nothing.
        found = screen.find(text);
        // Most values hold no keyword: then only an unscreened pattern can be a candidate.
        if (!anyUnscreened && !holdsAny(found)) {
          return -1;
        }
      }
      if (holdsKeyword(i, found)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code found} (a screen's answer) holds a keyword of some pattern of this set. */
  private boolean holdsAny(long[] found) {
    for (int w = 0; w < anyKeyword.length; w++) {
      if ((found[w] & anyKeyword[w]) != 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code found} (a screen's answer) holds a keyword of pattern {@code i}. */
  private boolean holdsKeyword(int i, long[] found) {
    for (int id : keywordIds[i]) {
      if (KeywordScreen.has(found, id)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sets {@code forms[i] = form} for every pattern {@code i} that fires on {@code text} and whose
   * {@code forms[i]} is still 0; patterns already marked are not run again. Returns how many it
   * marked.
   *
   * @param forms one entry per pattern, in bundle order; 0 for "not found yet"
   * @param form not 0
   */
  int mark(String text, byte[] forms, byte form) {
    if (!useAutomata) {
      return markOneByOne(text, forms, form);
    }
    long candidates = 0;
    for (int i = nextCandidate(text, forms, 0); i >= 0; i = nextCandidate(text, forms, i + 1)) {
      candidates |= 1L << i;
    }
    if (candidates == 0) {
      return 0;
    }
    RegexDfa dfa = automaton(candidates);
    if (dfa == null) {
      return markOneByOne(text, forms, form);
    }
    // Bit k of the automaton's answer is the k-th candidate.
    long regexFinds = dfa.find(text);
    if (dfa.gaveUp()) {
      return markOneByOne(text, forms, form);
    }
    int marked = 0;
    long left = candidates;
    for (int k = 0; left != 0; k++, left &= left - 1) {
      int i = Long.numberOfTrailingZeros(left);
      // A pattern with unless fires only if one of re2j's successive matches holds no unless match.
      if ((regexFinds & (1L << k)) != 0 && (patterns[i].unless() == null || firesDespiteUnless(i, text))) {
        forms[i] = form;
        marked++;
      }
    }
    return marked;
  }

  /** Positions tried for the start of one match before re2j is asked instead. */
  private static final int MAX_START_TRIES = 64;

  /**
   * {@link NamedPattern#matches} of pattern {@code i}, which has {@code unless}: whether one of its
   * regex's successive matches in {@code text} holds no match of {@code unless}. The matches are
   * found by automata ({@link RegexDfa.Matches}): a text made of blocks that each set what {@code
   * unless} looks for is read by re2j's NFA at about a hundred times the cost.
   */
  private boolean firesDespiteUnless(int i, String text) {
    NamedPattern p = patterns[i];
    Unless u = unless[i];
    if (u == null) {
      RegexDfa.Matches matches = RegexDfa.matchesOf(p.pattern());
      RegexDfa exclusion = RegexDfa.of(List.of(p.unless()));
      u = unless[i] = matches == null || exclusion == null ? Unless.NONE : new Unless(matches, exclusion);
    }
    if (u == Unless.NONE) {
      return p.matches(text);
    }
    int from = 0;
    while (from <= text.length()) {
      long next = u.matches.next(text, from, MAX_START_TRIES);
      if (next == -1) {
        return false;
      }
      if (next == -2) {
        return p.matches(text);
      }
      int start = (int) (next >>> 32);
      int end = (int) next;
      long excluded = u.exclusion.find(text.substring(start, end));
      if (u.exclusion.gaveUp()) {
        return p.matches(text);
      }
      if (excluded == 0) {
        return true;
      }
      // As re2j's find() goes on: from the end of the match, one further after an empty one.
      from = end == start ? end + 1 : end;
    }
    return false;
  }

  /** The automata of one pattern with {@code unless}; NONE when they can't be built. */
  private record Unless(RegexDfa.Matches matches, RegexDfa exclusion) {
    static final Unless NONE = new Unless(null, null);
  }

  /** Per pattern with {@code unless}, its automata, built on first use. */
  private final Unless[] unless;

  /** The automaton of the patterns in {@code candidates}, built on first use; null if none can be. */
  private RegexDfa automaton(long candidates) {
    RegexDfa dfa = automata.get(candidates);
    if (dfa == null && !automata.containsKey(candidates)) {
      List<com.google.re2j.Pattern> regexes = new ArrayList<>();
      for (long left = candidates; left != 0; left &= left - 1) {
        regexes.add(patterns[Long.numberOfTrailingZeros(left)].pattern());
      }
      dfa = RegexDfa.of(regexes);
      automata.put(candidates, dfa);
    }
    return dfa;
  }

  /** {@link #mark} with re2j, one pattern after the other. */
  private int markOneByOne(String text, byte[] forms, byte form) {
    boolean unscreenedMayMatch =
        anyUnscreened && (unscreenedUnion == null || unscreenedUnion.matcher(text).find());
    if (!unscreenedMayMatch && text.length() < screen.minLength) {
      return 0;
    }
    long[] found = screen.find(text);
    int marked = 0;
    for (int i = 0; i < patterns.length; i++) {
      if (forms[i] != 0) {
        continue;
      }
      boolean candidate = keywordIds[i] == null ? unscreenedMayMatch : holdsKeyword(i, found);
      if (candidate && patterns[i].matches(text)) {
        forms[i] = form;
        marked++;
      }
    }
    return marked;
  }

  /** Receives one match: its offsets in the text searched. */
  @FunctionalInterface
  interface MatchSink {
    void accept(int start, int end);
  }

  /**
   * Hands every match of pattern {@code index} in {@code text} that counts as firing ({@link
   * NamedPattern#matches}: a match of its regex holding no match of its {@code unless}), in text
   * order, to {@code sink}. For callers that need where, after {@link #mark} said whether.
   */
  void forEachMatch(int index, String text, MatchSink sink) {
    NamedPattern p = patterns[index];
    com.google.re2j.Matcher m = p.pattern().matcher(text);
    while (m.find()) {
      if (p.unless() == null || !p.unless().matcher(text.substring(m.start(), m.end())).find()) {
        sink.accept(m.start(), m.end());
      }
    }
  }

  /**
   * The keywords of one or more sets: exact keywords in one {@link KeywordScreen}, those of
   * case-insensitive patterns folded ({@link NamedPattern#fold}) in another, searched in the folded
   * value. Bit ids: the exact keywords' ids, then the folded keywords' ids after the exact words.
   */
  private static final class Screen {

    /** Values remembered: more than the arguments of a usual tool call. */
    private static final int MEMO = 8;

    private final Map<String, Integer> exactIds = new LinkedHashMap<>();
    private final Map<String, Integer> foldedIds = new LinkedHashMap<>();
    private final KeywordScreen exact;
    private final KeywordScreen folded;
    private final int foldedAt;
    /** Words of the bit set {@link #find} answers. */
    final int words;
    final int minLength;
    /** No folded keywords, and every exact one ASCII. */
    final boolean asciiExact;

    private final String[] memoValue = new String[MEMO];
    private final long[][] memoFound;
    private int memoNext;

    Screen(List<List<NamedPattern>> lists) {
      for (List<NamedPattern> l : lists) {
        for (NamedPattern p : l) {
          boolean fold = p.ignoresCase();
          for (String k : p.keywords()) {
            Map<String, Integer> m = fold ? foldedIds : exactIds;
            m.putIfAbsent(fold ? NamedPattern.fold(k) : k, m.size());
          }
        }
      }
      this.exact = new KeywordScreen(List.copyOf(exactIds.keySet()));
      this.folded = new KeywordScreen(List.copyOf(foldedIds.keySet()));
      this.foldedAt = exact.words();
      // Folding may change a value's length, so folded keywords screen no lengths out.
      this.minLength = foldedIds.isEmpty() ? exact.minLength() : 0;
      this.words = foldedAt + folded.words();
      this.memoFound = new long[MEMO][words];
      this.asciiExact =
          foldedIds.isEmpty() && exactIds.keySet().stream().allMatch(k -> k.chars().allMatch(c -> c < 0x80));
    }

    /** The bit ids of {@code p}'s keywords. */
    int[] ids(NamedPattern p) {
      boolean fold = p.ignoresCase();
      int[] ids = new int[p.keywords().size()];
      for (int k = 0; k < ids.length; k++) {
        String keyword = p.keywords().get(k);
        ids[k] = fold ? foldedAt * 64 + foldedIds.get(NamedPattern.fold(keyword)) : exactIds.get(keyword);
      }
      return ids;
    }

    /** The keywords in {@code value}, as bits by id; valid until the next call. */
    long[] find(String value) {
      for (int m = 0; m < MEMO; m++) {
        if (memoValue[m] == value) {
          return memoFound[m];
        }
      }
      int slot = memoNext;
      memoNext = (slot + 1) & (MEMO - 1);
      long[] found = memoFound[slot];
      memoValue[slot] = null;
      Arrays.fill(found, 0L);
      exact.find(value, found, 0);
      // A short ASCII value is folded character by character as it is screened, not copied.
      if (!foldedIds.isEmpty() && !folded.findFoldedAscii(value, found, foldedAt)) {
        folded.find(NamedPattern.fold(value), found, foldedAt);
      }
      memoValue[slot] = value;
      return found;
    }
  }
}
