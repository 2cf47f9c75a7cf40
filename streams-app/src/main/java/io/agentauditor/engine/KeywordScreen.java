package io.agentauditor.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds which of a fixed list of literal keywords occur in a text. Each keyword is anchored on its
 * rarest character (by a fixed estimate of character frequency in code and prose); the text is
 * searched once per distinct anchor with {@link String#indexOf(int, int)}, which the JVM vectorises,
 * and each anchor hit is verified in place. On the values tool calls carry this is several times
 * faster than one {@link String#indexOf(String)} per keyword, and far faster than a regex.
 *
 * <p>Case-sensitive. Not thread-safe: {@link #find} reuses one result buffer.
 */
final class KeywordScreen {

  /** Keywords sharing one anchor character, with the anchor's offset in each. */
  private record Group(
      char anchor, String[] keywords, int[] offsets, int[] ids, int[] checkAt, char[] checkChar) {}

  private final Group[] groups;
  private final int minLength;
  private final long[] found;

  /**
   * @param keywords distinct, non-empty; a keyword's id is its index in this list
   */
  KeywordScreen(List<String> keywords) {
    Map<Character, List<Integer>> byAnchor = new LinkedHashMap<>();
    int min = Integer.MAX_VALUE;
    for (int id = 0; id < keywords.size(); id++) {
      String k = keywords.get(id);
      byAnchor.computeIfAbsent(k.charAt(anchorOffset(k)), c -> new ArrayList<>()).add(id);
      min = Math.min(min, k.length());
    }
    List<Group> gs = new ArrayList<>();
    byAnchor.forEach(
        (anchor, ids) -> {
          String[] ks = new String[ids.size()];
          int[] offsets = new int[ids.size()];
          int[] idArray = new int[ids.size()];
          int[] checkAt = new int[ids.size()];
          char[] checkChar = new char[ids.size()];
          for (int i = 0; i < ids.size(); i++) {
            ks[i] = keywords.get(ids.get(i));
            offsets[i] = anchorOffset(ks[i]);
            idArray[i] = ids.get(i);
            // A neighbour of the anchor, compared before the whole keyword.
            checkAt[i] = offsets[i] + 1 < ks[i].length() ? offsets[i] + 1 : Math.max(0, offsets[i] - 1);
            checkChar[i] = ks[i].charAt(checkAt[i]);
          }
          gs.add(new Group(anchor, ks, offsets, idArray, checkAt, checkChar));
        });
    this.groups = gs.toArray(new Group[0]);
    this.minLength = keywords.isEmpty() ? Integer.MAX_VALUE : min;
    this.found = new long[(keywords.size() + 63) >>> 6];
  }

  /**
   * The keywords that occur in {@code text}: bit {@code id & 63} of word {@code id >>> 6}. The array
   * is this screen's buffer, valid until the next call.
   */
  long[] find(String text) {
    java.util.Arrays.fill(found, 0L);
    if (text.length() < minLength) {
      return found;
    }
    for (Group g : groups) {
      int left = g.keywords.length;
      int from = 0;
      int p;
      while (left > 0 && (p = text.indexOf(g.anchor, from)) >= 0) {
        for (int i = 0; i < g.keywords.length; i++) {
          int id = g.ids[i];
          long bit = 1L << id;
          int start = p - g.offsets[i];
          int check = start + g.checkAt[i];
          if ((found[id >>> 6] & bit) == 0
              && start >= 0
              && check < text.length()
              && text.charAt(check) == g.checkChar[i]
              && text.startsWith(g.keywords[i], start)) {
            found[id >>> 6] |= bit;
            left--;
          }
        }
        from = p + 1;
      }
    }
    return found;
  }

  static boolean has(long[] found, int id) {
    return (found[id >>> 6] & (1L << id)) != 0;
  }

  /** The offset of the keyword's rarest character (the first of equals). */
  static int anchorOffset(String keyword) {
    int best = 0;
    for (int i = 1; i < keyword.length(); i++) {
      if (frequency(keyword.charAt(i)) < frequency(keyword.charAt(best))) {
        best = i;
      }
    }
    return best;
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
