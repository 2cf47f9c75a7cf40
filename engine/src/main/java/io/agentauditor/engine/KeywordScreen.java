package io.agentauditor.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds which of a fixed list of literal keywords occur in a text: the text is searched once per
 * anchor character with {@link String#indexOf(int, int)}, and each occurrence of an anchor is
 * verified in place against the keywords anchored on it.
 *
 * <p>Why it is shaped so (measured on file contents of the realistic load mix, JDK 17, x86): the
 * JVM vectorises {@code indexOf(char)}, so a pass over a text for a character it doesn't contain
 * costs about 0.03 ns per character, while any scalar loop that looks at each character (a lookup
 * table, say) costs 1 to 2 ns per character: one pass per anchor beats one pass for all of them.
 * What a pass costs beyond that is its stops: every occurrence of the anchor restarts the intrinsic
 * and runs a verification, so a common anchor ({@code p}, {@code b}) costs five times a rare one.
 * The anchors are therefore chosen for the whole keyword list, not keyword by keyword: a greedy
 * weighted set cover over the keywords' characters, where a character costs one pass (as much as
 * {@value #PASS_COST} per mille of stops) plus its estimated frequency, and covers every keyword
 * containing it. Rare characters shared by several keywords win ({@code I} anchors {@code AKIA},
 * {@code ASIA} and {@code -----BEGIN}; {@code x} anchors {@code xox}, {@code expires_at} and {@code
 * expiration}), which for the default bundle's secret and code keywords together takes 6 passes
 * instead of 9, and none on {@code b}.
 *
 * <p>A short text is the exception: what a pass costs there is the setup of the intrinsic, not
 * the characters, so a text of at most {@value #SHORT_TEXT} characters (a repository name, a path,
 * a ref: most arguments) is read once, character by character, each anchor found through a table
 * and verified in place as above: 2 to 4 times cheaper at 8 to 12 characters, about even at 32,
 * a loss from about 64. It finds the same keywords by construction (the same anchors and verification, at
 * the same places), and a property test compares both ways around the threshold.
 *
 * <p>Case-sensitive. Not thread-safe, like the engine that owns it.
 */
final class KeywordScreen {

  /** What one pass over a text costs, in per mille of the text's characters stopped at. */
  static final double PASS_COST = 4;

  /** Keywords sharing one anchor character, with the anchor's offset in each. */
  private record Group(
      char anchor, String[] keywords, int[] offsets, int[] ids, int[] checkAt, char[] checkChar) {}

  /**
   * The longest text screened in one scalar pass rather than one {@code indexOf} pass per anchor
   * (measured on the arguments of the realistic mix, see load-tests/README.md).
   */
  static final int SHORT_TEXT = 32;

  private final Group[] groups;
  private final int count;
  private final int minLength;
  private final int shortText;
  /** Per ASCII character, 1 + the index of the group it anchors; 0 when it anchors none. */
  private final byte[] asciiGroup = new byte[0x80];
  /** Whether some anchor is not ASCII. */
  private final boolean nonAsciiAnchors;

  /**
   * @param keywords distinct, non-empty; a keyword's id is its index in this list
   */
  KeywordScreen(List<String> keywords) {
    this(keywords, SHORT_TEXT);
  }

  /**
   * @param shortText the longest text screened in one scalar pass (tests compare the two ways)
   */
  KeywordScreen(List<String> keywords, int shortText) {
    this.count = keywords.size();
    char[] anchors = anchors(keywords);
    Map<Character, List<Integer>> byAnchor = new LinkedHashMap<>();
    int min = Integer.MAX_VALUE;
    for (int id = 0; id < keywords.size(); id++) {
      byAnchor.computeIfAbsent(anchors[id], c -> new ArrayList<>()).add(id);
      min = Math.min(min, keywords.get(id).length());
    }
    List<Group> gs = new ArrayList<>();
    byAnchor.forEach(
        (anchor, ids) -> {
          int n = ids.size();
          String[] ks = new String[n];
          int[] offsets = new int[n];
          int[] idArray = new int[n];
          int[] checkAt = new int[n];
          char[] checkChar = new char[n];
          for (int i = 0; i < n; i++) {
            ks[i] = keywords.get(ids.get(i));
            offsets[i] = ks[i].indexOf(anchor);
            idArray[i] = ids.get(i);
            // A neighbour of the anchor, compared before the whole keyword.
            checkAt[i] = offsets[i] + 1 < ks[i].length() ? offsets[i] + 1 : Math.max(0, offsets[i] - 1);
            checkChar[i] = ks[i].charAt(checkAt[i]);
          }
          gs.add(new Group(anchor, ks, offsets, idArray, checkAt, checkChar));
        });
    this.groups = gs.toArray(new Group[0]);
    boolean wide = false;
    for (int g = 0; g < groups.length && g < Byte.MAX_VALUE; g++) {
      char a = groups[g].anchor;
      if (a < 0x80) {
        asciiGroup[a] = (byte) (g + 1);
      } else {
        wide = true;
      }
    }
    this.nonAsciiAnchors = wide;
    // More groups than the table holds: every text takes the passes.
    this.shortText = groups.length < Byte.MAX_VALUE ? shortText : -1;
    this.minLength = keywords.isEmpty() ? Integer.MAX_VALUE : min;
  }

  /**
   * Per keyword, the character it is anchored on: a greedy weighted set cover (see the class
   * comment). Each round takes the character with the least cost per keyword it would newly cover,
   * the rarer on a tie, then the smaller; every keyword gets the first chosen character it contains.
   */
  static char[] anchors(List<String> keywords) {
    int n = keywords.size();
    char[] anchor = new char[n];
    boolean[] covered = new boolean[n];
    int left = n;
    while (left > 0) {
      Map<Character, Integer> gain = new LinkedHashMap<>();
      for (int id = 0; id < n; id++) {
        if (!covered[id]) {
          keywords.get(id).chars().distinct().forEach(c -> gain.merge((char) c, 1, Integer::sum));
        }
      }
      char best = 0;
      double bestRatio = Double.MAX_VALUE;
      for (Map.Entry<Character, Integer> e : gain.entrySet()) {
        char c = e.getKey();
        double ratio = (PASS_COST + frequency(c)) / e.getValue();
        if (ratio < bestRatio
            || ratio == bestRatio
                && (frequency(c) < frequency(best) || frequency(c) == frequency(best) && c < best)) {
          best = c;
          bestRatio = ratio;
        }
      }
      for (int id = 0; id < n; id++) {
        if (!covered[id] && keywords.get(id).indexOf(best) >= 0) {
          anchor[id] = best;
          covered[id] = true;
          left--;
        }
      }
    }
    return anchor;
  }

  /** The length of the shortest keyword; {@link Integer#MAX_VALUE} when there are none. */
  int minLength() {
    return minLength;
  }

  /** Words of a bit set holding one bit per keyword. */
  int words() {
    return (count + 63) >>> 6;
  }

  /**
   * Sets, in {@code found}, bit {@code id & 63} of word {@code at + (id >>> 6)} for every keyword
   * that occurs in {@code text}; clears nothing.
   */
  void find(String text, long[] found, int at) {
    int length = text.length();
    if (length < minLength) {
      return;
    }
    if (length <= shortText) {
      findShort(text, found, at, false);
      return;
    }
    for (Group g : groups) {
      int left = g.keywords.length;
      int from = 0;
      int p;
      while (left > 0 && (p = text.indexOf(g.anchor, from)) >= 0) {
        left -= verify(g, text, p, false, found, at);
        from = p + 1;
      }
    }
  }

  /**
   * {@link #find} on the {@link io.agentauditor.policy.NamedPattern#fold folded} form of {@code
   * text} without making it: true when {@code text} is short and ASCII, where folding is the ASCII
   * lower case of each character, in place; false, having set nothing, when the caller must fold
   * {@code text} and call {@link #find}.
   */
  boolean findFoldedAscii(String text, long[] found, int at) {
    int length = text.length();
    if (length > shortText) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (text.charAt(i) >= 0x80) {
        return false;
      }
    }
    if (length >= minLength) {
      findShort(text, found, at, true);
    }
    return true;
  }

  /**
   * One scalar pass over a short text: every character that anchors a group is verified there. On
   * a text of a few dozen characters, the setup of one {@code indexOf} per anchor costs more than
   * looking at each character once (see {@link #SHORT_TEXT}).
   */
  private void findShort(String text, long[] found, int at, boolean lowerAscii) {
    int length = text.length();
    for (int p = 0; p < length; p++) {
      char c = text.charAt(p);
      int g;
      if (c < 0x80) {
        g = asciiGroup[lowerAscii ? lower(c) : c] - 1;
      } else {
        g = nonAsciiAnchors ? nonAsciiGroup(c) : -1;
      }
      if (g >= 0) {
        verify(groups[g], text, p, lowerAscii, found, at);
      }
    }
  }

  /** The group anchored on {@code c}, which is not ASCII; -1 when none. */
  private int nonAsciiGroup(char c) {
    for (int g = 0; g < groups.length; g++) {
      if (groups[g].anchor == c) {
        return g;
      }
    }
    return -1;
  }

  /**
   * Marks the keywords of {@code g} that occur in {@code text} with their anchor at {@code p};
   * with {@code lowerAscii}, in the ASCII lower case of {@code text}. Returns how many it newly
   * marked.
   */
  private static int verify(Group g, String text, int p, boolean lowerAscii, long[] found, int at) {
    String[] keywords = g.keywords;
    int length = text.length();
    int marked = 0;
    for (int i = 0; i < keywords.length; i++) {
      int start = p - g.offsets[i];
      int check = start + g.checkAt[i];
      if (start < 0
          || check >= length
          || (lowerAscii ? lower(text.charAt(check)) : text.charAt(check)) != g.checkChar[i]
          || !(lowerAscii
              ? startsWithLowered(text, keywords[i], start)
              : text.startsWith(keywords[i], start))) {
        continue;
      }
      int id = g.ids[i];
      int word = at + (id >>> 6);
      long bit = 1L << id;
      if ((found[word] & bit) == 0) {
        found[word] |= bit;
        marked++;
      }
    }
    return marked;
  }

  /** The ASCII lower case of {@code c}; any other character as it is. */
  static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  /** Whether the ASCII lower case of {@code text} holds {@code keyword} at {@code start}. */
  private static boolean startsWithLowered(String text, String keyword, int start) {
    int n = keyword.length();
    if (start + n > text.length()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (lower(text.charAt(start + i)) != keyword.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static boolean has(long[] found, int id) {
    return (found[id >>> 6] & (1L << id)) != 0;
  }

  /**
   * A rough frequency of {@code c} in source code and prose, per mille: English letter frequencies
   * for lower case, a tenth of that for upper case, and guesses for digits and punctuation. Only the
   * order matters; a poor guess costs speed, never a match.
   */
  static double frequency(char c) {
    if (c >= 'a' && c <= 'z') {
      return LOWER[c - 'a'];
    }
    if (c >= 'A' && c <= 'Z') {
      return LOWER[c - 'A'] / 10;
    }
    if (c >= '0' && c <= '9') {
      return 8;
    }
    return switch (c) {
      case ' ' -> 150;
      case '\n', '_', '.', '(', ')', '\'', '"', ',', '=', ':', '/', '-' -> 20;
      case '{', '}', '[', ']', ';', '<', '>', '*', '+', '#' -> 6;
      default -> c < 128 ? 3 : 1;
    };
  }

  private static final double[] LOWER = {
    82, 15, 28, 43, 127, 22, 20, 61, 70, 1.5, 7.7, 40, 24, 67, 75, 19, 1, 60, 63, 91, 28, 9.8, 24,
    1.5, 20, 0.7
  };
}
