package io.agentauditor.engine;

import com.google.re2j.Pattern;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Which of a few RE2 patterns match somewhere in a text (what {@link com.google.re2j.Matcher#find()}
 * answers, for each of them), all found in one pass of a deterministic automaton built lazily from
 * re2j's own compiled programs.
 *
 * <p>Why it is shaped so: re2j searches with an NFA, one step of every live thread per character,
 * and skips ahead only for a pattern with a literal prefix. The code patterns have none ({@code
 * resource\s+...|"aws_iam_access_key"...}, {@code (?m)\bexpires_at...}), so on a value that holds
 * their keywords each ran over the whole value at 40 to 70 ns a character: 1 MiB of keywords took
 * 280 ms. Here a state is the set of program counters the NFA would hold, and each state's
 * successor on each character is computed once and then looked up, so a character costs one array
 * read once the states a text visits are built, for all the patterns together (contract section 7:
 * a pattern fires where its regex finds a match; this answers exactly that). A pattern with {@code
 * unless} needs the matches themselves, as re2j finds them one after the other: {@link Matches}.
 *
 * <p>The automaton follows re2j's machine: code points as {@link Character#codePointAt} reads them,
 * a fresh thread at every position (an unanchored search), and the empty-width assertions ({@code
 * ^ $ \A \z \b \B}) decided from the code point before and after each position, as re2j decides
 * them; a state therefore keeps the class of the code point before it (text start, newline, word
 * character, other) and is closed over its empty-width instructions only once the next code point
 * is known. States are kept up to {@value #MAX_STATES}; past that they are dropped and built again
 * as the text needs them, so a text that visits ever new states costs an NFA step per character,
 * about what re2j costs, never more memory. Non-ASCII code points take a map lookup instead of an
 * array read.
 *
 * <p>re2j's compiled program is not public API: it is read once by reflection, and {@link #of}
 * returns null when it can't be (another re2j), in which case callers search with re2j. A property
 * test holds the answers equal to re2j's on random patterns and texts.
 *
 * <p>Not thread-safe (states are built as texts need them), like the engine that owns it.
 */
final class RegexDfa {

  /** States kept before they are all dropped and built again. */
  static final int MAX_STATES = 512;

  /**
   * Transitions one search computes before it may give up: past this, a search that computes one
   * more often than every {@value #CHARS_PER_STEP} characters stops, and the caller asks re2j. A
   * text that keeps leading the automaton into new states (random braces between many starts of
   * the azurerm patterns, say) would otherwise pay a closure and a state lookup per character,
   * several times re2j's NFA step: 72 ms for a 1 MiB line of them ({@code ScanBlocks}
   * random-braces) against re2j's 13.5. Giving up costs at most this many closures on top of
   * re2j's time: 17 ms.
   */
  static final int GIVE_UP_AFTER_STEPS = 2 * MAX_STATES;

  /** The characters per computed transition below which a search counts as thrashing. */
  static final int CHARS_PER_STEP = 16;

  /** Transitions on non-ASCII code points kept per state. */
  private static final int MAX_OTHER = 64;

  // Instruction codes and empty-width flags, as re2j's Inst and Utils define them (checked below).
  private static final int ALT = 1;
  private static final int ALT_MATCH = 2;
  private static final int CAPTURE = 3;
  private static final int EMPTY_WIDTH = 4;
  private static final int FAIL = 5;
  private static final int MATCH = 6;
  private static final int NOP = 7;
  private static final int RUNE = 8;
  private static final int RUNE1 = 9;
  private static final int RUNE_ANY = 10;
  private static final int RUNE_ANY_NOT_NL = 11;

  private static final int BEGIN_LINE = 1;
  private static final int END_LINE = 2;
  private static final int BEGIN_TEXT = 4;
  private static final int END_TEXT = 8;
  private static final int WORD_BOUNDARY = 16;
  private static final int NO_WORD_BOUNDARY = 32;

  /** The class of the code point before a position: what its empty-width assertions depend on. */
  private static final int BEFORE_TEXT = 0;

  private static final int NEWLINE = 1;
  private static final int WORD = 2;
  private static final int OTHER = 3;

  /** What {@link #run} returns when it gave up. */
  private static final int GAVE_UP = -2;

  /** The end of the text, where a code point would be. */
  private static final int END = -1;

  // The programs of all the patterns, one after the other.
  private final int[] op;
  private final int[] out;
  private final int[] arg;
  /** Per rune instruction: the ASCII characters it matches, as two 64-bit words. */
  private final long[] asciiLow;

  private final long[] asciiHigh;
  /** Per rune instruction: the code points it matches, sorted inclusive [lo, hi] pairs. */
  private final int[][] ranges;
  /** Per MATCH instruction: the bit of its pattern. */
  private final long[] matchBit;

  private final int[] starts;
  private final long all;

  /** How the automaton searches (see {@link Mode}). */
  private final Mode mode;

  private final Map<Key, State> states = new HashMap<>();

  /** After a run: the last position at which no thread was alive (see {@link #firstEnd}). */
  private int lastEmpty;

  /** Transitions computed so far ({@link #stepTo} calls), for the thrashing bound. */
  private long steps;

  /** Whether the last {@link #find} gave up (see {@link #GIVE_UP_AFTER_STEPS}). */
  private boolean gaveUp;

  // Scratch space of the closure.
  private final int[] stack;
  private final int[] seen;
  private int generation;
  private final int[] runes;

  /** What a search looks for. */
  private enum Mode {
    /** Any match, starting anywhere (a fresh thread at every position): {@code find()}. */
    ANY,
    /**
     * The end of the match re2j reports among those starting where the run starts: its threads
     * in priority order, and those after one that reaches a match dropped, as re2j drops them.
     */
    FIRST
  }

  private RegexDfa(Program p, int patterns, Mode mode) {
    this.mode = mode;
    this.op = p.op;
    this.out = p.out;
    this.arg = p.arg;
    this.asciiLow = p.asciiLow;
    this.asciiHigh = p.asciiHigh;
    this.ranges = p.ranges;
    this.matchBit = p.matchBit;
    this.starts = p.starts;
    this.all = patterns == 64 ? -1L : (1L << patterns) - 1;
    // Each instruction pushes at most two others, once: its first visit.
    this.stack = new int[op.length * 3 + starts.length];
    this.seen = new int[op.length];
    this.runes = new int[op.length];
  }

  /**
   * An automaton for {@code patterns} (at most 64): bit {@code k} of what {@link #find} returns is
   * pattern {@code k}. Null when re2j's programs can't be read.
   */
  static RegexDfa of(List<Pattern> patterns) {
    if (patterns.isEmpty() || patterns.size() > 64 || !Reflection.AVAILABLE) {
      return null;
    }
    return build(patterns, Mode.ANY);
  }

  /**
   * The two automata that find, for one pattern, the matches re2j's {@code find()} returns one
   * after the other ({@link Matches}); null when re2j's programs can't be read.
   */
  static Matches matchesOf(Pattern pattern) {
    RegexDfa any = build(List.of(pattern), Mode.ANY);
    RegexDfa first = build(List.of(pattern), Mode.FIRST);
    return any == null || first == null ? null : new Matches(any, first);
  }

  private static RegexDfa build(List<Pattern> patterns, Mode mode) {
    if (patterns.isEmpty() || patterns.size() > 64 || !Reflection.AVAILABLE) {
      return null;
    }
    try {
      return new RegexDfa(Program.of(patterns), patterns.size(), mode);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The successive matches of one pattern in a text, as re2j's {@code find()} returns them: each
   * the leftmost match at or after where the last one ended, and among those starting there the
   * first by the pattern's priorities. Found with two automata instead of re2j's NFA: the earliest
   * end of any match ({@link Mode#ANY}), which bounds the leftmost start; then, from the first
   * position it allows on, the end re2j chooses for a match starting there ({@link Mode#FIRST}),
   * until one has a match.
   */
  static final class Matches {
    private final RegexDfa any;
    private final RegexDfa first;

    private Matches(RegexDfa any, RegexDfa first) {
      this.any = any;
      this.first = first;
    }

    /**
     * The next match at or after {@code from}, as {@code (start << 32) | end}; -1 when there is
     * none, and -2 when finding its start tried more than {@code tries} positions or an
     * automaton gave up (the caller then asks re2j: a bound on the work, never a different
     * answer).
     */
    long next(String text, int from, int tries) {
      int earliest = any.run(text, from, true);
      if (earliest == GAVE_UP) {
        return -2;
      }
      if (earliest < 0) {
        return -1;
      }
      // No thread was alive at lastEmpty: a match starting before it would have ended by then,
      // before the earliest end. So the leftmost start lies in [lastEmpty, earliest].
      int start = any.lastEmpty;
      int end;
      while ((end = first.run(text, start, false)) < 0) {
        if (end == GAVE_UP || start >= earliest || --tries <= 0) {
          return -2;
        }
        start += Character.charCount(text.codePointAt(start));
      }
      return (long) start << 32 | end;
    }
  }

  /** Whether the last {@link #find} gave up, its answer meaning nothing. */
  boolean gaveUp() {
    return gaveUp;
  }

  /** Whether a search that began when {@link #steps} was {@code before} and read {@code read} characters thrashes. */
  private boolean thrashing(long before, int read) {
    long computed = steps - before;
    return computed > GIVE_UP_AFTER_STEPS && computed * CHARS_PER_STEP > read;
  }

  /** How many states are built now; for tests. */
  int states() {
    return states.size();
  }

  /**
   * The patterns that find a match in {@code text}, one bit each; stops reading once all do. Gives
   * up on a text that keeps the automaton computing new transitions ({@link
   * #GIVE_UP_AFTER_STEPS}): then returns 0 and {@link #gaveUp()} is true, and the caller asks re2j.
   *
   * @param text not null
   */
  long find(String text) {
    gaveUp = false;
    long stepsBefore = steps;
    State s = startAfter(BEFORE_TEXT);
    long found = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char ch = text.charAt(i);
      State next;
      long m;
      if (ch < 0x80) {
        next = s.next[ch];
        if (next == null) {
          next = ascii(s, ch);
          if (thrashing(stepsBefore, i)) {
            gaveUp = true;
            return 0;
          }
        }
        m = s.masks == null ? 0 : s.masks[ch];
        i++;
      } else {
        int cp = text.codePointAt(i);
        i += Character.charCount(cp);
        Transition t = other(s, cp);
        if (thrashing(stepsBefore, i)) {
          gaveUp = true;
          return 0;
        }
        next = t.next;
        m = t.mask;
      }
      if (m != 0) {
        found |= m;
        if (found == all) {
          return found;
        }
      }
      s = next;
    }
    if (s.endMask < 0) {
      s.endMask = close(s, END);
    }
    return found | s.endMask;
  }

  /**
   * One pattern's run from {@code from}, in this automaton's mode: with {@code untilFirst}, the
   * first position at which a match ends; without, the last (for {@link Mode#FIRST}, the end re2j
   * chooses); -1 when none, {@link #GAVE_UP} when it thrashed ({@link #GIVE_UP_AFTER_STEPS}).
   * Sets {@link #lastEmpty}.
   */
  private int run(String text, int from, boolean untilFirst) {
    long stepsBefore = steps;
    State s = startAfter(from == 0 ? BEFORE_TEXT : classOf(Character.codePointBefore(text, from)));
    int n = text.length();
    int last = -1;
    int i = from;
    lastEmpty = from;
    while (true) {
      if (s.pcs.length == 0) {
        if (mode != Mode.ANY) {
          return last; // no thread left, and anchored runs start none
        }
        lastEmpty = i;
      }
      if (i >= n) {
        break;
      }
      char ch = text.charAt(i);
      State next;
      long m;
      int width = 1;
      if (ch < 0x80) {
        next = s.next[ch];
        if (next == null) {
          next = ascii(s, ch);
          if (thrashing(stepsBefore, i - from)) {
            return GAVE_UP;
          }
        }
        m = s.masks == null ? 0 : s.masks[ch];
      } else {
        int cp = text.codePointAt(i);
        width = Character.charCount(cp);
        Transition t = other(s, cp);
        if (thrashing(stepsBefore, i - from)) {
          return GAVE_UP;
        }
        next = t.next;
        m = t.mask;
      }
      if (m != 0) {
        last = i;
        if (untilFirst) {
          return i;
        }
      }
      s = next;
      i += width;
    }
    if (s.endMask < 0) {
      s.endMask = close(s, END);
    }
    return s.endMask != 0 ? n : last;
  }

  /** The state a run starts in, after a code point of class {@code before}. */
  private State startAfter(int before) {
    State s = startStates[before];
    if (s == null) {
      s = startStates[before] = intern(mode == Mode.ANY ? new int[0] : new int[] {starts[0]}, before);
    }
    return s;
  }

  /** Per class of the code point before, the start state once built; dropped with the states. */
  private final State[] startStates = new State[4];

  private State ascii(State s, char ch) {
    long[] mask = new long[1];
    State next = stepTo(s, ch, mask);
    s.next[ch] = next;
    if (mask[0] != 0) {
      if (s.masks == null) {
        s.masks = new long[0x80];
      }
      s.masks[ch] = mask[0];
    }
    return next;
  }

  private Transition other(State s, int cp) {
    Transition t = s.other == null ? null : s.other.get(cp);
    if (t == null) {
      long[] mask = new long[1];
      State next = stepTo(s, cp, mask);
      t = new Transition(next, mask[0]);
      if (s.other == null) {
        s.other = new HashMap<>();
      }
      if (s.other.size() < MAX_OTHER) {
        s.other.put(cp, t);
      }
    }
    return t;
  }

  private State stepTo(State s, int cp, long[] mask) {
    steps++;
    mask[0] = close(s, cp);
    int[] next = new int[runeCount];
    int count = 0;
    for (int r = 0; r < runeCount; r++) {
      int pc = runes[r];
      if (matches(pc, cp)) {
        next[count++] = out[pc];
      }
    }
    next = Arrays.copyOf(next, count);
    int distinct = 0;
    if (mode == Mode.FIRST) {
      // Priority order is what FIRST decides by: keep it, and each instruction's first thread.
      for (int k = 0; k < count; k++) {
        boolean again = false;
        for (int d = 0; d < distinct && !again; d++) {
          again = next[d] == next[k];
        }
        if (!again) {
          next[distinct++] = next[k];
        }
      }
    } else {
      Arrays.sort(next);
      for (int k = 0; k < count; k++) {
        if (k == 0 || next[k] != next[k - 1]) {
          next[distinct++] = next[k];
        }
      }
    }
    return intern(distinct == count ? next : Arrays.copyOf(next, distinct), classOf(cp));
  }

  /** How many rune instructions {@link #close} left in {@link #runes}. */
  private int runeCount;

  /**
   * Closes {@code s} (its threads and a fresh one per pattern) over the empty-width instructions
   * that hold between the code point before it and {@code cp}; leaves the rune instructions reached
   * in {@link #runes} and returns the bits of the patterns whose match was reached.
   */
  private long close(State s, int cp) {
    int flags = context(s.before, cp);
    if (++generation == Integer.MAX_VALUE) {
      Arrays.fill(seen, 0);
      generation = 1;
    }
    int top = 0;
    if (mode == Mode.ANY) {
      // The fresh threads come last: re2j adds them after the live ones (lowest priority).
      for (int k = starts.length - 1; k >= 0; k--) {
        stack[top++] = starts[k];
      }
    }
    for (int k = s.pcs.length - 1; k >= 0; k--) {
      stack[top++] = s.pcs[k];
    }
    long mask = 0;
    int count = 0;
    while (top > 0) {
      int pc = stack[--top];
      if (seen[pc] == generation) {
        continue;
      }
      seen[pc] = generation;
      switch (op[pc]) {
        case ALT, ALT_MATCH -> {
          stack[top++] = arg[pc];
          stack[top++] = out[pc];
        }
        case CAPTURE, NOP -> stack[top++] = out[pc];
        case EMPTY_WIDTH -> {
          if ((arg[pc] & ~flags) == 0) {
            stack[top++] = out[pc];
          }
        }
        case MATCH -> {
          mask |= matchBit[pc];
          if (mode == Mode.FIRST) {
            top = 0; // re2j drops the threads after the first to match
          }
        }
        case FAIL -> {}
        default -> runes[count++] = pc;
      }
    }
    runeCount = count;
    return mask;
  }

  private boolean matches(int pc, int cp) {
    if (cp < 0x80) {
      return cp < 64 ? (asciiLow[pc] & (1L << cp)) != 0 : (asciiHigh[pc] & (1L << cp)) != 0;
    }
    int[] r = ranges[pc];
    int lo = 0;
    int hi = r.length / 2;
    while (lo < hi) {
      int m = (lo + hi) >>> 1;
      if (cp < r[2 * m]) {
        hi = m;
      } else if (cp > r[2 * m + 1]) {
        lo = m + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  private static int classOf(int cp) {
    if (cp == '\n') {
      return NEWLINE;
    }
    return word(cp) ? WORD : OTHER;
  }

  private static boolean word(int cp) {
    return cp >= 'a' && cp <= 'z' || cp >= 'A' && cp <= 'Z' || cp >= '0' && cp <= '9' || cp == '_';
  }

  /** The empty-width flags at a position, as re2j computes them from the code points around it. */
  private static int context(int before, int cp) {
    int flags = 0;
    if (before == BEFORE_TEXT) {
      flags |= BEGIN_TEXT | BEGIN_LINE;
    } else if (before == NEWLINE) {
      flags |= BEGIN_LINE;
    }
    if (cp == END) {
      flags |= END_TEXT | END_LINE;
    } else if (cp == '\n') {
      flags |= END_LINE;
    }
    boolean wordBefore = before == WORD;
    boolean wordAfter = cp != END && word(cp);
    return flags | (wordBefore != wordAfter ? WORD_BOUNDARY : NO_WORD_BOUNDARY);
  }

  private State intern(int[] pcs, int before) {
    Key key = new Key(pcs, before);
    State s = states.get(key);
    if (s == null) {
      if (states.size() >= MAX_STATES) {
        // Drop them all: the state a run holds becomes garbage once passed, and what the text
        // needs next is built again.
        states.clear();
        Arrays.fill(startStates, null);
      }
      s = new State(pcs, before);
      states.put(key, s);
    }
    return s;
  }

  private record Transition(State next, long mask) {}

  private static final class State {
    final int[] pcs;
    final int before;
    final State[] next = new State[0x80];
    /** Per ASCII character: the patterns whose match ends before it; null while none. */
    long[] masks;

    Map<Integer, Transition> other;
    /** The patterns whose match ends at the end of the text; -1 until known. */
    long endMask = -1;

    State(int[] pcs, int before) {
      this.pcs = pcs;
      this.before = before;
    }
  }

  private static final class Key {
    final int[] pcs;
    final int before;
    final int hash;

    Key(int[] pcs, int before) {
      this.pcs = pcs;
      this.before = before;
      this.hash = Arrays.hashCode(pcs) * 4 + before;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.before == before && Arrays.equals(k.pcs, pcs);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** The patterns' programs read from re2j, one after the other. */
  private static final class Program {
    int[] op;
    int[] out;
    int[] arg;
    long[] asciiLow;
    long[] asciiHigh;
    int[][] ranges;
    long[] matchBit;
    int[] starts;

    static Program of(List<Pattern> patterns) throws ReflectiveOperationException {
      int total = 0;
      Object[][] insts = new Object[patterns.size()][];
      int[] startPcs = new int[patterns.size()];
      for (int k = 0; k < patterns.size(); k++) {
        Object prog = Reflection.PROG.get(Reflection.RE2.get(patterns.get(k)));
        Object[] inst = (Object[]) Reflection.INST.get(prog);
        int size = Reflection.INST_SIZE.getInt(prog);
        insts[k] = Arrays.copyOf(inst, size);
        startPcs[k] = Reflection.START.getInt(prog);
        total += size;
      }
      Program p = new Program();
      p.op = new int[total];
      p.out = new int[total];
      p.arg = new int[total];
      p.asciiLow = new long[total];
      p.asciiHigh = new long[total];
      p.ranges = new int[total][];
      p.matchBit = new long[total];
      p.starts = new int[patterns.size()];
      int base = 0;
      for (int k = 0; k < insts.length; k++) {
        p.starts[k] = base + startPcs[k];
        for (int j = 0; j < insts[k].length; j++) {
          Object inst = insts[k][j];
          int pc = base + j;
          int code = Reflection.OP.getInt(inst);
          p.op[pc] = code;
          p.out[pc] = base + Reflection.OUT.getInt(inst);
          int a = Reflection.ARG.getInt(inst);
          p.arg[pc] = code == ALT || code == ALT_MATCH ? base + a : a;
          switch (code) {
            case ALT, ALT_MATCH, CAPTURE, EMPTY_WIDTH, FAIL, NOP -> {}
            case MATCH -> p.matchBit[pc] = 1L << k;
            case RUNE -> p.ranges[pc] = runeRanges((int[]) Reflection.RUNES.get(inst), (a & Reflection.FOLD_CASE) != 0);
            case RUNE1 -> {
              int r = ((int[]) Reflection.RUNES.get(inst))[0];
              p.ranges[pc] = new int[] {r, r};
            }
            case RUNE_ANY -> p.ranges[pc] = new int[] {0, Character.MAX_CODE_POINT};
            case RUNE_ANY_NOT_NL -> p.ranges[pc] = new int[] {0, '\n' - 1, '\n' + 1, Character.MAX_CODE_POINT};
            default -> throw new IllegalStateException("unknown re2j instruction " + code);
          }
          if (p.ranges[pc] != null) {
            for (int c = 0; c < 0x80; c++) {
              if (inRanges(p.ranges[pc], c)) {
                if (c < 64) {
                  p.asciiLow[pc] |= 1L << c;
                } else {
                  p.asciiHigh[pc] |= 1L << c;
                }
              }
            }
          }
        }
        base += insts[k].length;
      }
      return p;
    }

    /**
     * re2j's RUNE instruction: one code point (with its case-folding orbit when the pattern
     * ignores case), or sorted inclusive pairs.
     */
    private static int[] runeRanges(int[] runes, boolean foldCase) throws ReflectiveOperationException {
      if (runes.length != 1) {
        return runes.clone();
      }
      int r0 = runes[0];
      if (!foldCase) {
        return new int[] {r0, r0};
      }
      int[] orbit = {r0};
      for (int r = (int) Reflection.SIMPLE_FOLD.invoke(null, r0);
          r != r0;
          r = (int) Reflection.SIMPLE_FOLD.invoke(null, r)) {
        orbit = Arrays.copyOf(orbit, orbit.length + 1);
        orbit[orbit.length - 1] = r;
      }
      Arrays.sort(orbit);
      int[] pairs = new int[orbit.length * 2];
      for (int i = 0; i < orbit.length; i++) {
        pairs[2 * i] = orbit[i];
        pairs[2 * i + 1] = orbit[i];
      }
      return pairs;
    }

    private static boolean inRanges(int[] r, int c) {
      for (int i = 0; i < r.length; i += 2) {
        if (c >= r[i] && c <= r[i + 1]) {
          return true;
        }
      }
      return false;
    }
  }

  /** re2j's internals this class reads, found once; AVAILABLE false when any is missing. */
  private static final class Reflection {
    static final boolean AVAILABLE;
    static Field RE2;
    static Field PROG;
    static Field INST;
    static Field INST_SIZE;
    static Field START;
    static Field OP;
    static Field OUT;
    static Field ARG;
    static Field RUNES;
    static Method SIMPLE_FOLD;
    static int FOLD_CASE;

    static {
      boolean ok;
      try {
        ClassLoader loader = Pattern.class.getClassLoader();
        Class<?> re2 = Class.forName("com.google.re2j.RE2", false, loader);
        Class<?> prog = Class.forName("com.google.re2j.Prog", false, loader);
        Class<?> inst = Class.forName("com.google.re2j.Inst", false, loader);
        Class<?> utils = Class.forName("com.google.re2j.Utils", false, loader);
        Class<?> unicode = Class.forName("com.google.re2j.Unicode", false, loader);
        RE2 = accessible(Pattern.class.getDeclaredField("re2"));
        PROG = accessible(re2.getDeclaredField("prog"));
        INST = accessible(prog.getDeclaredField("inst"));
        INST_SIZE = accessible(prog.getDeclaredField("instSize"));
        START = accessible(prog.getDeclaredField("start"));
        OP = accessible(inst.getDeclaredField("op"));
        OUT = accessible(inst.getDeclaredField("out"));
        ARG = accessible(inst.getDeclaredField("arg"));
        RUNES = accessible(inst.getDeclaredField("runes"));
        SIMPLE_FOLD = unicode.getDeclaredMethod("simpleFold", int.class);
        SIMPLE_FOLD.setAccessible(true);
        FOLD_CASE = accessible(re2.getDeclaredField("FOLD_CASE")).getInt(null);
        ok =
            constant(inst, "ALT") == ALT
                && constant(inst, "ALT_MATCH") == ALT_MATCH
                && constant(inst, "CAPTURE") == CAPTURE
                && constant(inst, "EMPTY_WIDTH") == EMPTY_WIDTH
                && constant(inst, "FAIL") == FAIL
                && constant(inst, "MATCH") == MATCH
                && constant(inst, "NOP") == NOP
                && constant(inst, "RUNE") == RUNE
                && constant(inst, "RUNE1") == RUNE1
                && constant(inst, "RUNE_ANY") == RUNE_ANY
                && constant(inst, "RUNE_ANY_NOT_NL") == RUNE_ANY_NOT_NL
                && constant(utils, "EMPTY_BEGIN_LINE") == BEGIN_LINE
                && constant(utils, "EMPTY_END_LINE") == END_LINE
                && constant(utils, "EMPTY_BEGIN_TEXT") == BEGIN_TEXT
                && constant(utils, "EMPTY_END_TEXT") == END_TEXT
                && constant(utils, "EMPTY_WORD_BOUNDARY") == WORD_BOUNDARY
                && constant(utils, "EMPTY_NO_WORD_BOUNDARY") == NO_WORD_BOUNDARY;
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        ok = false;
      }
      AVAILABLE = ok;
      if (!ok) {
        // Decisions are the same either way; a line full of keywords costs up to 30 times more.
        LoggerFactory.getLogger(RegexDfa.class)
            .warn(
                "re2j's compiled programs can't be read (another re2j version?): argument values"
                    + " are scanned pattern by pattern with re2j, slower on long values");
      }
    }

    private static Field accessible(Field f) {
      f.setAccessible(true);
      return f;
    }

    private static int constant(Class<?> c, String name) throws ReflectiveOperationException {
      return accessible(c.getDeclaredField(name)).getInt(null);
    }
  }
}
