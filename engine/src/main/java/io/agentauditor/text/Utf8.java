package io.agentauditor.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 well-formedness: no overlong forms, no encoded surrogates, nothing above U+10FFFF,
 * no truncated sequence. Java's decoders replace such bytes with U+FFFD, so two distinct byte
 * strings can decode to one id; input the auditor keys state on is checked with this first.
 */
public final class Utf8 {

  /** Eight bytes of an array read as one long, to pass over ASCII a word at a time. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x0101010101010101L;

  private Utf8() {}

  /**
   * The offset (from {@code off}) of the first byte of {@code buf[off, off+len)} that is not
   * well-formed UTF-8, or of the first NUL byte when {@code nulInvalid}; -1 when there is none.
   */
  public static int firstInvalid(byte[] buf, int off, int len, boolean nulInvalid) {
    int end = off + len;
    int i = off;
    while (i < end) {
      // Most input is ASCII: eight bytes without a high bit (and, when NUL is refused, without a
      // zero byte: the classic has-zero-byte test, never false when a word has none) are valid.
      while (end - i >= Long.BYTES) {
        long word = (long) LONGS.get(buf, i);
        if ((word & HIGH_BITS) != 0 || nulInvalid && ((word - LOW_BITS) & ~word & HIGH_BITS) != 0) {
          break;
        }
        i += Long.BYTES;
      }
      if (i == end) {
        break;
      }
      int b = buf[i];
      if (b > 0) {
        i++;
        continue;
      }
      if (b == 0) {
        if (nulInvalid) {
          return i - off;
        }
        i++;
        continue;
      }
      int c = b & 0xFF;
      int need;
      int lo = 0x80;
      int hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) {
          lo = 0xA0;
        } else if (c == 0xED) {
          hi = 0x9F;
        }
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) {
          lo = 0x90;
        } else if (c == 0xF4) {
          hi = 0x8F;
        }
      } else {
        return i - off;
      }
      if (end - i - 1 < need) {
        return i - off;
      }
      int second = buf[i + 1] & 0xFF;
      if (second < lo || second > hi) {
        return i - off;
      }
      for (int k = 2; k <= need; k++) {
        if ((buf[i + k] & 0xC0) != 0x80) {
          return i - off;
        }
      }
      i += need + 1;
    }
    return -1;
  }

  /** Whether {@code buf[off, off+len)} is ASCII: no byte with its high bit set. */
  public static boolean isAscii(byte[] buf, int off, int len) {
    long high = 0;
    int i = off;
    int end = off + len;
    for (; end - i >= Long.BYTES; i += Long.BYTES) {
      high |= (long) LONGS.get(buf, i);
    }
    for (; i < end; i++) {
      high |= buf[i];
    }
    return (high & HIGH_BITS) == 0;
  }

  /**
   * Compares two strings as their UTF-8 encodings compare as unsigned bytes, which is code point
   * order ({@link String#compareTo} compares UTF-16 units, which puts U+10000 and above before
   * U+E000..U+FFFF). An unpaired surrogate counts as its own code point.
   */
  public static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int k = 0; k < n; k++) {
      char x = a.charAt(k);
      char y = b.charAt(k);
      if (x != y) {
        // Below the surrogates, and above them, UTF-16 order is code point order.
        return Character.isSurrogate(x) || Character.isSurrogate(y)
            ? compareCodePoints(a, b)
            : Integer.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
