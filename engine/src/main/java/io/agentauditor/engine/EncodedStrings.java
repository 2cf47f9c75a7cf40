package io.agentauditor.engine;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A list of strings as a record holds them (UTF-8, each after its length), decoded on first read:
 * a session's 256 approvals of 128 scopes of 512 bytes are 16 MiB of text, and a call needing an
 * approval reads only the first segments of most of them ({@link FirstSegments#of(EncodedStrings)}).
 * Immutable; keeps the record's bytes, which no one changes.
 */
final class EncodedStrings extends AbstractList<String> implements RandomAccess {

  private final byte[] buf;
  /** Where the first string's length is, when the offsets are still to be read; else -1. */
  private int start;
  private final int count;
  /** Where each string's bytes start, and how many. */
  private int[] offsets;
  private int[] lengths;
  private String[] decoded;

  EncodedStrings(byte[] buf, int[] offsets, int[] lengths) {
    this.buf = buf;
    this.start = -1;
    this.count = offsets.length;
    this.offsets = offsets;
    this.lengths = lengths;
  }

  /** {@code count} strings from {@code start} (each after its length), to be found when first read. */
  EncodedStrings(byte[] buf, int start, int count) {
    this.buf = buf;
    this.start = start;
    this.count = count;
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public String get(int i) {
    String[] d = decoded;
    if (d == null) {
      located();
      d = new String[count];
      for (int k = 0; k < d.length; k++) {
        d[k] = new String(buf, offsets[k], lengths[k], StandardCharsets.UTF_8);
      }
      decoded = d;
    }
    return d[i];
  }

  private void located() {
    if (start >= 0) {
      int[] o = new int[count];
      int[] l = new int[count];
      int at = start;
      for (int k = 0; k < count; k++) {
        int from = at;
        int n = -1;
        // A length of one or two bytes (a scope has at most 512), read in place; else, or past the
        // end, as ByteReader reads it, which throws for a record cut short.
        if (at + 1 < buf.length) {
          int b0 = buf[at];
          int b1 = buf[at + 1];
          if (b0 >= 0) {
            n = b0;
            at++;
          } else if (b1 >= 0) {
            n = (b0 & 0x7F) | b1 << 7;
            at += 2;
          }
        }
        if (n < 0 || n > buf.length - at) {
          ByteReader r = new ByteReader(buf, from);
          n = r.readCount();
          at = buf.length - r.remaining();
        }
        o[k] = at;
        l[k] = n;
        at += n;
      }
      offsets = o;
      lengths = l;
      start = -1;
    }
  }

  /** The bytes of string {@code i}: {@link #bytes()} from {@link #offset} for {@link #length}. */
  int offset(int i) {
    located();
    return offsets[i];
  }

  int length(int i) {
    located();
    return lengths[i];
  }

  byte[] bytes() {
    return buf;
  }
}
