package io.agentauditor.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads what {@link ByteWriter} wrote; a truncated or corrupt record throws {@link IllegalStateException}. */
final class ByteReader {

  private final byte[] buf;
  private int pos;

  ByteReader(byte[] buf, int pos) {
    this.buf = buf;
    this.pos = pos;
  }

  /** Bytes left to read. */
  int remaining() {
    return buf.length - pos;
  }

  /** Whether bytes are left to read (a field appended by a later release). */
  boolean hasMore() {
    return pos < buf.length;
  }

  /** Skips {@code n} bytes, which readCount has bounded by what is left. */
  void skip(int n) {
    pos += n;
  }

  int readByte() {
    if (pos >= buf.length) {
      throw new IllegalStateException("state record truncated");
    }
    return buf[pos++] & 0xFF;
  }

  long readVarLong() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalStateException("state record has a malformed varint");
  }

  int readCount() {
    long n = readVarLong();
    if (n < 0 || n > buf.length - pos) {
      throw new IllegalStateException("state record has an impossible length " + n);
    }
    return (int) n;
  }

  long readZigZag() {
    long u = readVarLong();
    return (u >>> 1) ^ -(u & 1);
  }

  long readOrderedLong() {
    long u = 0;
    for (int i = 0; i < 8; i++) {
      u = (u << 8) | readByte();
    }
    return u ^ Long.MIN_VALUE;
  }

  /** Eight bytes, big-endian, as written by {@link ByteWriter#writeFixedLong}. */
  long readFixedLong() {
    return readOrderedLong() ^ Long.MIN_VALUE;
  }

  String readString() {
    int n = readCount();
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  /** The UTF-8 rest of the buffer: the last component of a key. */
  String readRawString() {
    String s = new String(buf, pos, buf.length - pos, StandardCharsets.UTF_8);
    pos = buf.length;
    return s;
  }

  /** What {@link #readStrings} reads, decoded only when first read ({@link EncodedStrings}). */
  EncodedStrings readStringsLazily() {
    int n = readCount();
    int[] offsets = new int[n];
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      int length = readCount();
      offsets[i] = pos;
      lengths[i] = length;
      pos += length;
    }
    return new EncodedStrings(buf, offsets, lengths);
  }

  /**
   * What {@link #readStrings} reads when it is the last field of the record: where each string
   * starts is read only when the list is first read, and a record cut short throws then.
   */
  EncodedStrings readLastStrings() {
    int n = readCount();
    EncodedStrings out = new EncodedStrings(buf, pos, n);
    pos = buf.length;
    return out;
  }

  List<String> readStrings() {
    int n = readCount();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readString());
    }
    return out;
  }
}
