package io.agentauditor.engine;

import java.util.Arrays;

/** A byte-array key compared by content, for hash maps; the array is not copied. */
public final class ByteKey {

  final byte[] bytes;
  private final int hash;

  /** Wraps {@code bytes}, which the caller no longer changes. */
  public ByteKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** The wrapped array, not a copy. */
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
