package io.agentauditor.engine;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * The derived forms of an argument's text that the patterns also scan (contract section 7, v2):
 *
 * <ol>
 *   <li><b>normalised</b>: Unicode NFKC, then every character of general category Cf (zero-width
 *       and other format characters) removed;
 *   <li><b>decoded</b>: in the normalised text, every maximal run of at least {@value #MIN_RUN}
 *       characters of {@code [A-Za-z0-9+/_-]}, base64-decoded once from each of its first four
 *       characters ({@code -} and {@code _} read as {@code +} and {@code /}; groups of four
 *       characters give three bytes, a final group of two or three characters one or two bytes, a
 *       final single character is dropped), the bytes read as UTF-8 with U+FFFD for what is not.
 *       Padding {@code =} is not part of a run, so it is dropped by construction.
 * </ol>
 *
 * <p>Why it is shaped so: almost every value is benign ASCII text, and reading a long value is
 * what costs (see {@link KeywordScreen}). An ASCII value is its own normalised form, found by one
 * early-exit loop without touching {@link Normalizer}. Runs are found by looking at one character
 * in {@value #MIN_RUN} only (every run long enough contains one of them), and a sampled character
 * of the alphabet is grown into its whole run only once that run is known to be long enough (see
 * {@link #nextRun}), so a value of words is read at about one character in ten for runs, and only
 * the runs that qualify are decoded. Everything is linear in the
 * text: a run is decoded four times, giving at most three times its length in decoded text.
 *
 * <p>Not thread-safe (a reused decoding buffer), like the engine that owns it.
 */
final class TextForms {

  /** The shortest run of base64 characters that is decoded. */
  static final int MIN_RUN = 24;

  /** Offsets of a run a decoding starts from: its first four characters. */
  static final int OFFSETS = 4;

  /** Receives the decoded texts of a value; returns true to stop early. */
  @FunctionalInterface
  interface DecodedSink {
    boolean accept(String decoded);
  }

  /** Base64 digit of each ASCII character, -1 for the others ({@code -} and {@code _} included). */
  private static final byte[] DIGIT = new byte[128];

  static {
    Arrays.fill(DIGIT, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      DIGIT[alphabet.charAt(i)] = (byte) i;
    }
    DIGIT['-'] = 62;
    DIGIT['_'] = 63;
  }

  private byte[] buffer = new byte[256];

  /**
   * The normalised form of {@code text}: {@code text} itself (the same instance) when
   * normalisation changes nothing, which callers use to skip scanning it twice.
   *
   * <p>Only the runs of characters whose normal form depends on the {@link Normalizer} are handed
   * to it (runs fewer than {@value #GAP} simple characters apart as one), each with the character
   * before it (the last starter before the run, which a combining mark at its start may compose
   * with). The others are {@link #simple}: ASCII, its own normal
   * form, and the fullwidth forms of ASCII (U+FF01 to U+FF5E, the usual disguise of a secret),
   * whose normal form is the one ASCII character they stand for. Normalisation never reaches
   * across a simple character: it is a starter that composes with nothing before it, and NFKC maps
   * it to a starter that composes with nothing before it (a property test holds this against the
   * {@link Normalizer} over the whole text). So a value of ASCII and fullwidth letters costs a
   * copy, not a normalisation (about a hundred times less for 1 MiB of fullwidth text).
   */
  static String normalised(String text) {
    int n = text.length();
    int i = 0;
    while (i < n && text.charAt(i) < 0x80) {
      i++;
    }
    if (i == n) {
      return text; // ASCII is NFKC and holds no Cf character
    }
    StringBuilder out = new StringBuilder(n);
    int done = 0; // text[0, done) is in out
    int k = i;
    while (k < n) {
      if (simple(text.charAt(k))) {
        k++;
        continue;
      }
      // The run, and the runs after it that a gap of fewer than GAP simple characters separates
      // from it: one call per stretch, not per character (a zero-width character after every
      // letter made a call of two characters each).
      int end = k + 1;
      while (end < n) {
        if (!simple(text.charAt(end))) {
          end++;
          continue;
        }
        int gap = end;
        while (gap < n && gap - end < GAP && simple(text.charAt(gap))) {
          gap++;
        }
        if (gap == n || gap - end >= GAP) {
          break;
        }
        end = gap;
      }
      int from = k > done ? k - 1 : k;
      appendSimple(out, text, done, from);
      String run = text.substring(from, end);
      out.append(withoutFormatCharacters(Normalizer.normalize(run, Normalizer.Form.NFKC)));
      done = end;
      k = end;
    }
    appendSimple(out, text, done, n);
    return out.length() == n && text.contentEquals(out) ? text : out.toString();
  }

  /**
   * Whether {@code c} normalises (NFKC) to one ASCII character whatever surrounds it, and nothing
   * before it changes because of it: ASCII and the fullwidth forms of ASCII.
   */
  /** Simple characters between two runs below which both go to the {@link Normalizer} as one. */
  static final int GAP = 64;

  static boolean simple(char c) {
    return c < 0x80 || c >= 0xFF01 && c <= 0xFF5E;
  }

  /** Appends the normal form of {@code text[from, to)}, all {@link #simple} characters. */
  private static void appendSimple(StringBuilder out, String text, int from, int to) {
    int i = from;
    while (i < to) {
      int ascii = i;
      while (ascii < to && text.charAt(ascii) < 0x80) {
        ascii++;
      }
      out.append(text, i, ascii);
      for (i = ascii; i < to && text.charAt(i) >= 0x80; i++) {
        out.append((char) (text.charAt(i) - 0xFEE0));
      }
    }
  }

  /**
   * The BMP characters of general category Cf, one bit each (8 KiB): a lookup instead of {@link
   * Character#getType} per character, which cost more than the normalisation itself on text that
   * NFKC expands (U+FDFA gives 18 characters).
   */
  private static final long[] FORMAT_BMP = new long[1 << 10];

  static {
    for (int c = 0; c < 0x10000; c++) {
      if (Character.getType(c) == Character.FORMAT) {
        FORMAT_BMP[c >>> 6] |= 1L << c;
      }
    }
  }

  private static boolean format(int cp) {
    return cp < 0x10000 ? (FORMAT_BMP[cp >>> 6] & (1L << cp)) != 0 : Character.getType(cp) == Character.FORMAT;
  }

  private static String withoutFormatCharacters(String text) {
    int n = text.length();
    int i = 0;
    while (i < n && !format(text.charAt(i)) && !Character.isSurrogate(text.charAt(i))) {
      i++;
    }
    if (i == n) {
      return text;
    }
    StringBuilder sb = new StringBuilder(n).append(text, 0, i);
    while (i < n) {
      int cp = text.codePointAt(i);
      if (!format(cp)) {
        sb.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  private static boolean inRun(char c) {
    return c < 128 && DIGIT[c] >= 0;
  }

  /**
   * Hands every decoded text of {@code normalised} (already in normalised form) to {@code sink},
   * runs in text order, each run's four decodings in offset order, until the sink asks to stop.
   *
   * @return true when the sink stopped early
   */
  boolean forEachDecoded(String normalised, DecodedSink sink) {
    return forEachDecodedRun(normalised, (decoded, runStart, runEnd) -> sink.accept(decoded));
  }

  /** Receives the decoded texts of a value with the run each came from; returns true to stop. */
  @FunctionalInterface
  interface RunSink {
    boolean accept(String decoded, int runStart, int runEnd);
  }

  /**
   * {@link #forEachDecoded}, handing each decoded text with the bounds of its run in {@code
   * normalised} ({@code [runStart, runEnd)}, the whole run whatever the offset decoded from).
   */
  boolean forEachDecodedRun(String normalised, RunSink sink) {
    for (long run = nextRun(normalised, MIN_RUN - 1); run >= 0; run = nextRun(normalised, (int) run + MIN_RUN)) {
      int start = (int) (run >>> 32);
      int end = (int) run;
      for (int offset = 0; offset < OFFSETS; offset++) {
        if (sink.accept(decode(normalised, start + offset, end), start, end)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The first maximal run of at least {@value #MIN_RUN} base64 characters in {@code s} that holds
   * a position {@code p} or later sampled every {@value #MIN_RUN} characters (every run long
   * enough holds one), as {@code (start << 32) | end}; -1 when there is none. The next run is
   * found from {@code end + MIN_RUN}: the character at {@code end} is in no run.
   *
   * <p>A sampled character in a run is not grown into its whole run: the run through it starts at
   * some {@code start} found backwards, and is long enough only if every character up to {@code
   * start + MIN_RUN - 1} is in it. Those are checked from the far end down, so in text of short
   * words the first one checked is usually a space, and sampling goes on from there: a value is read
   * at about one character in ten instead of whole words around each sample.
   */
  private static long nextRun(String s, int p) {
    int n = s.length();
    while (p < n) {
      if (!inRun(s.charAt(p))) {
        p += MIN_RUN;
        continue;
      }
      int start = p;
      while (start > 0 && inRun(s.charAt(start - 1))) {
        start--;
      }
      int last = start + MIN_RUN - 1;
      if (last >= n) {
        return -1; // too near the end for any run through p, or after it, to be long enough
      }
      int q = last;
      while (q > p && inRun(s.charAt(q))) {
        q--;
      }
      if (q > p) {
        // s[q] ends the run through p too soon; a long enough run after q holds q + MIN_RUN.
        p = q + MIN_RUN;
        continue;
      }
      int end = last + 1;
      while (end < n && inRun(s.charAt(end))) {
        end++;
      }
      return (long) start << 32 | end;
    }
    return -1;
  }

  /**
   * Every decoded text of {@code normalised}, in {@link #forEachDecoded}'s order, joined by {@code
   * \n} into one string; null when no run qualifies. For a screen only: a keyword found in no
   * decoded text can't be found here except across a joint, which only costs a closer look, and
   * screening one string is much cheaper than screening a dozen short ones.
   */
  String joinedDecoded(String normalised) {
    return joinedDecoded(normalised, false);
  }

  /**
   * {@link #joinedDecoded(String)}; with {@code bytesAsLatin1}, each decoded byte is one character
   * (ISO 8859-1) instead of the bytes being read as UTF-8, a copy instead of a decoding. For a
   * screen of ASCII keywords compared exactly, that finds the same keywords: the UTF-8 reading
   * turns each ASCII byte into that character and every other byte into characters above ASCII
   * (a malformed sequence never takes an ASCII byte with it), so the runs of ASCII are the same.
   */
  String joinedDecoded(String normalised, boolean bytesAsLatin1) {
    int o = 0;
    for (long run = nextRun(normalised, MIN_RUN - 1); run >= 0; run = nextRun(normalised, (int) run + MIN_RUN)) {
      int start = (int) (run >>> 32);
      int end = (int) run;
      for (int offset = 0; offset < OFFSETS; offset++) {
        int chars = end - start - offset;
        ensure(o + chars / 4 * 3 + 3);
        o = decodeInto(normalised, start + offset, end, o);
        buffer[o++] = '\n';
      }
    }
    if (o == 0) {
      return null;
    }
    return new String(buffer, 0, o - 1, bytesAsLatin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
  }

  private void ensure(int bytes) {
    if (buffer.length < bytes) {
      buffer = Arrays.copyOf(buffer, Math.max(bytes, buffer.length * 2));
    }
  }

  /** The text of {@code s[from, to)}, all base64 characters, decoded as section 7 says. */
  String decode(String s, int from, int to) {
    int chars = to - from;
    ensure(chars / 4 * 3 + Math.max(0, chars % 4 - 1));
    int o = decodeInto(s, from, to, 0);
    // The String constructor replaces every malformed UTF-8 sequence with U+FFFD.
    return new String(buffer, 0, o, StandardCharsets.UTF_8);
  }

  /** Decodes {@code s[from, to)} into the buffer at {@code o}, which has room; returns the end. */
  private int decodeInto(String s, int from, int to, int o) {
    byte[] out = buffer;
    int i = from;
    for (int end = from + (to - from) / 4 * 4; i < end; i += 4) {
      int bits =
          DIGIT[s.charAt(i)] << 18
              | DIGIT[s.charAt(i + 1)] << 12
              | DIGIT[s.charAt(i + 2)] << 6
              | DIGIT[s.charAt(i + 3)];
      out[o++] = (byte) (bits >> 16);
      out[o++] = (byte) (bits >> 8);
      out[o++] = (byte) bits;
    }
    int rest = to - i;
    if (rest >= 2) {
      int bits = DIGIT[s.charAt(i)] << 18 | DIGIT[s.charAt(i + 1)] << 12;
      if (rest == 3) {
        bits |= DIGIT[s.charAt(i + 2)] << 6;
      }
      out[o++] = (byte) (bits >> 16);
      if (rest == 3) {
        out[o++] = (byte) (bits >> 8);
      }
    }
    return o;
  }
}
