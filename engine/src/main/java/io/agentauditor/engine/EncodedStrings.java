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
  /** Where each string's bytes start, and how many. */
  private final int[] offsets;
  private final int[] lengths;
  private String[] decoded;

  EncodedStrings(byte[] buf, int[] offsets, int[] lengths) {
    this.buf = buf;
    this.offsets = offsets;
    this.lengths = lengths;
  }

  @Override
  public int size() {
    return offsets.length;
  }

  @Override
  public String get(int i) {
    String[] d = decoded;
    if (d == null) {
      d = new String[offsets.length];
      for (int k = 0; k < d.length; k++) {
        d[k] = new String(buf, offsets[k], lengths[k], StandardCharsets.UTF_8);
      }
      decoded = d;
    }
    return d[i];
  }

  /** The bytes of string {@code i}: {@link #bytes()} from {@link #offset} for {@link #length}. */
  int offset(int i) {
    return offsets[i];
  }

  int length(int i) {
    return lengths[i];
  }

  byte[] bytes() {
    return buf;
  }
}
