package io.agentauditor.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/** A growable byte buffer with the primitives of the state format (see {@code package-info}). */
final class ByteWriter {

  private byte[] buf;
  private int len;

  private static final int SCRATCH_CAPACITY = 512;
  private static final int SCRATCH_KEEP = 1 << 16;
  private static final ThreadLocal<ByteWriter> SCRATCH =
      ThreadLocal.withInitial(() -> new ByteWriter(SCRATCH_CAPACITY));

  ByteWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  /**
   * This thread's reusable writer, emptied: for building one record or key up to its {@link
   * #toByteArray()} (which copies), so a step allocates only the result. Not for nested use: a
   * second call empties the writer the first caller is still filling.
   */
  static ByteWriter scratch() {
    ByteWriter w = SCRATCH.get();
    if (w.buf.length > SCRATCH_KEEP) {
      w.buf = new byte[SCRATCH_CAPACITY]; // don't keep one huge record's buffer for good
    }
    w.len = 0;
    return w;
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  ByteWriter writeByte(int b) {
    ensure(1);
    buf[len++] = (byte) b;
    return this;
  }

  ByteWriter writeBytes(byte[] b, int from, int length) {
    ensure(length);
    System.arraycopy(b, from, buf, len, length);
    len += length;
    return this;
  }

  ByteWriter writeBytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  /** Unsigned LEB128 varint; {@code v} is treated as unsigned. */
  ByteWriter writeVarLong(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
    return this;
  }

  /** Zig-zag signed varint: small magnitudes, positive or negative, stay short. */
  ByteWriter writeZigZag(long v) {
    return writeVarLong((v << 1) ^ (v >> 63));
  }

  /** Eight bytes, big-endian, as is. */
  ByteWriter writeFixedLong(long v) {
    ensure(8);
    for (int i = 7; i >= 0; i--) {
      buf[len++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  /** Eight bytes, big-endian, sign bit flipped: unsigned byte order equals signed numeric order. */
  ByteWriter writeOrderedLong(long v) {
    ensure(8);
    long u = v ^ Long.MIN_VALUE;
    for (int i = 7; i >= 0; i--) {
      buf[len++] = (byte) (u >>> (8 * i));
    }
    return this;
  }

  /** Varint byte length, then the UTF-8 bytes. */
  ByteWriter writeString(String s) {
    int n = s.length();
    // Ids and scopes are short ASCII: written in place, with no intermediate array.
    if (n < 0x80) {
      ensure(n + 1);
      if (writeAscii(s, len + 1)) {
        buf[len] = (byte) n;
        len += n + 1;
        return this;
      }
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeVarLong(b.length);
    return writeBytes(b);
  }

  /** UTF-8 bytes with no length: only for the last component of a key. */
  ByteWriter writeRawString(String s) {
    ensure(s.length());
    if (writeAscii(s, len)) {
      len += s.length();
      return this;
    }
    return writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Copies {@code s} to {@code buf[at..]} when it is all ASCII (room ensured); false otherwise. */
  private boolean writeAscii(String s, int at) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return false;
      }
      buf[at + i] = (byte) c;
    }
    return true;
  }

  ByteWriter writeStrings(List<String> list) {
    int n = list.size();
    writeVarLong(n);
    if (list instanceof RandomAccess) {
      for (int i = 0; i < n; i++) {
        writeString(list.get(i));
      }
    } else {
      for (String s : list) {
        writeString(s);
      }
    }
    return this;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }
}
