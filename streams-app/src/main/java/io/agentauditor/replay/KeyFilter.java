package io.agentauditor.replay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys written to a {@link RocksDbStateStore}'s database, as a Bloom filter on the heap: {@link
 * #mightContain} is never false for a key that was {@link #add added}, and false for nearly every
 * other one. Most of the engine's reads are of keys that were never written (the stored decision of
 * a new event, a session's first agent or credential); the filter answers them without a call into
 * RocksDB, which costs microseconds each (JNI, the memtables, the filter of every level).
 *
 * <p>Each key sets 4 bits of one 64-bit word, about {@value #BITS_PER_KEY} bits a key, so a probe
 * touches one cache line. The filter grows by adding filters of twice the keys of the last, and
 * stops growing at {@code maxBytes}: from then on every key might be contained and every read goes
 * to RocksDB, as without a filter, so memory stays bounded however many keys a replay writes. Not
 * thread-safe.
 */
final class KeyFilter {

  /** Bits of filter per key it is sized for: a few probes in a hundred answer "maybe" wrongly. */
  static final int BITS_PER_KEY = 16;

  private static final int FIRST_WORDS = 1 << 12;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long GOLDEN = 0x9e3779b97f4a7c15L;
  private static final long MIX = 0xc2b2ae3d27d4eb4fL;

  private final long maxBytes;
  private final List<long[]> filters = new ArrayList<>();
  private long[] current;
  private long room;
  private long bytes;
  private boolean saturated;

  /** A filter of at most {@code maxBytes} bytes of words, at least {@code 8 * 4096}. */
  KeyFilter(long maxBytes) {
    this.maxBytes = maxBytes;
    addFilter(FIRST_WORDS);
  }

  /** Records {@code key} as written. */
  void add(byte[] key) {
    if (saturated) {
      return;
    }
    if (room == 0 && !addFilter(current.length * 2)) {
      return;
    }
    long h = hash(key);
    current[index(h, current)] |= mask(h);
    room--;
  }

  /** False only if {@code key} was never {@link #add added}. */
  boolean mightContain(byte[] key) {
    if (saturated) {
      return true;
    }
    long h = hash(key);
    long m = mask(h);
    for (int i = filters.size() - 1; i >= 0; i--) {
      long[] f = filters.get(i);
      if ((f[index(h, f)] & m) == m) {
        return true;
      }
    }
    return false;
  }

  /** Whether the filter stopped growing and answers "maybe" for every key. */
  boolean saturated() {
    return saturated;
  }

  private boolean addFilter(int words) {
    long size = 8L * words;
    if (bytes + size > maxBytes) {
      saturated = true;
      filters.clear();
      current = null;
      return false;
    }
    current = new long[words];
    filters.add(current);
    bytes += size;
    room = 64L * words / BITS_PER_KEY;
    return true;
  }

  private static int index(long h, long[] filter) {
    return (int) (h >>> 32) & (filter.length - 1);
  }

  private static long mask(long h) {
    return 1L << h | 1L << (h >>> 6) | 1L << (h >>> 12) | 1L << (h >>> 18);
  }

  /**
   * A 64-bit hash of {@code key}, eight bytes at a time (a key is some 30 to 80 bytes), every bit of
   * the input reaching every bit of the result through SplitMix64's finalizer.
   */
  static long hash(byte[] key) {
    long h = key.length * GOLDEN;
    int i = 0;
    for (; i + Long.BYTES <= key.length; i += Long.BYTES) {
      h = Long.rotateLeft(h ^ (long) LONGS.get(key, i) * MIX, 31) * GOLDEN;
    }
    long tail = 0;
    for (int shift = 0; i < key.length; i++, shift += Byte.SIZE) {
      tail |= (key[i] & 0xffL) << shift;
    }
    h = Long.rotateLeft(h ^ tail * MIX, 31) * GOLDEN;
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
