package io.agentauditor.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link StateStore} in memory, ordered as unsigned bytes like RocksDB: for replay and tests. Point
 * operations go to a hash map (a step makes a dozen of them, and a tree walk over a million keys
 * costs microseconds). For ranges, keys are also kept by group: one session's records of one kind
 * (the engine's key layout, {@code package-info}) in a list sorted only when a range reads it, and
 * every other kind in a sorted set. A step adds a dedupe key to its session's list without a tree
 * walk; the engine's ranges (a session's records of a kind, an index from its start) each read one
 * group. Any other range is answered too, by sorting what it spans. Not thread-safe. Keys and values are
 * stored and returned as given (callers don't mutate them).
 */
public final class InMemoryStateStore implements StateStore {

  private static final Comparator UNSIGNED = new Comparator();

  private final Map<ByteKey, byte[]> values = new HashMap<>();
  private final Map<ByteKey, Group> groups = new HashMap<>();

  @Override
  public byte[] get(byte[] key) {
    return values.get(new ByteKey(key));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    // Kept, not copied: the caller doesn't change the key afterwards (the interface's contract).
    ByteKey k = new ByteKey(key);
    if (values.put(k, value) == null) {
      byte[] prefix = groupOf(k.bytes);
      Group g = groups.get(new ByteKey(prefix));
      if (g == null) {
        g = prefix.length > 1 ? new SessionGroup() : new SortedGroup();
        groups.put(new ByteKey(prefix), g);
      }
      g.add(k);
    }
  }

  @Override
  public void delete(byte[] key) {
    ByteKey k = new ByteKey(key);
    if (values.remove(k) != null) {
      ByteKey prefix = new ByteKey(groupOf(key));
      Group g = groups.get(prefix);
      g.remove(k);
      if (g.isEmpty()) {
        groups.remove(prefix);
      }
    }
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    byte[] prefix = groupOf(from);
    Iterable<byte[]> keys;
    if (holdsEveryKeyStartingWith(prefix)
        && startsWith(from, prefix)
        && UNSIGNED.compare(toExclusive, StateKeys.prefixEnd(prefix)) <= 0) {
      // Every key in [from, to) starts with the group's prefix, so it is in that group.
      Group g = groups.get(new ByteKey(prefix));
      keys = g == null ? List.of() : g.range(from, toExclusive);
    } else {
      TreeSet<byte[]> spanned = new TreeSet<>(UNSIGNED);
      for (ByteKey k : values.keySet()) {
        byte[] b = k.bytes;
        if (UNSIGNED.compare(b, from) >= 0 && UNSIGNED.compare(b, toExclusive) < 0) {
          spanned.add(b);
        }
      }
      keys = spanned;
    }
    Iterator<byte[]> it = keys.iterator();
    return new RangeIterator() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        byte[] k = it.next();
        return Map.entry(k.clone(), values.get(new ByteKey(k)));
      }

      @Override
      public void close() {}
    };
  }

  /** Number of keys held. */
  public int size() {
    return values.size();
  }

  /** A copy of every entry, in key order (tests compare snapshots). */
  public NavigableMap<byte[], byte[]> snapshot() {
    NavigableMap<byte[], byte[]> copy = new TreeMap<>(UNSIGNED);
    values.forEach((k, v) -> copy.put(k.bytes.clone(), v.clone()));
    return copy;
  }

  /**
   * The group {@code key} belongs to: for the per-session kinds, the key up to the end of its
   * sessionId when it holds a whole one; otherwise its first byte (none for the empty key). A key
   * that starts with a group's prefix belongs to that group.
   */
  static byte[] groupOf(byte[] key) {
    if (key.length == 0) {
      return key;
    }
    if (key[0] == StateKeys.DECISION) {
      // kind, varint session handle
      for (int i = 1; i < key.length && i < 11; i++) {
        if (key[i] >= 0) {
          return Arrays.copyOf(key, i + 1);
        }
      }
      return new byte[] {key[0]};
    }
    if (isSessionKind(key[0])) {
      // kind, varint byte length, sessionId bytes
      long length = 0;
      int shift = 0;
      for (int i = 1; i < key.length && shift < 35; i++, shift += 7) {
        int b = key[i];
        length |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          long end = i + 1 + length;
          return end <= key.length ? Arrays.copyOf(key, (int) end) : new byte[] {key[0]};
        }
      }
    }
    return new byte[] {key[0]};
  }

  /**
   * Whether the group of {@code prefix} holds every key that starts with it: not so for the empty
   * prefix, nor for the first byte of a per-session kind (that group holds only keys too short to
   * name a session; the others are in their sessions' groups).
   */
  private static boolean holdsEveryKeyStartingWith(byte[] prefix) {
    return prefix.length > 1
        || prefix.length == 1
            && !isSessionKind(prefix[0])
            && prefix[0] != StateKeys.DECISION
            && prefix[0] != (byte) 0xFF;
  }

  private static boolean isSessionKind(byte kind) {
    for (byte k : StateKeys.SESSION_KINDS) {
      if (k == kind) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** The keys of one group. */
  private abstract static class Group {

    abstract void add(ByteKey key);

    abstract void remove(ByteKey key);

    abstract boolean isEmpty();

    /** The keys in {@code [from, to)}, in order. */
    abstract Iterable<byte[]> range(byte[] from, byte[] toExclusive);
  }

  /**
   * One session's records of one kind, unordered: sorted when a range reads them (at session end
   * and retention), so adding a key walks no tree and grows no hash table (whose rehash of a
   * long session's dedupe keys would stall one step). A deleted key stays listed until more than
   * half the list is stale, and ranges skip it: a key counts only while the store holds it.
   */
  private final class SessionGroup extends Group {
    private final ArrayList<ByteKey> keys = new ArrayList<>(4);
    private int live;

    @Override
    void add(ByteKey key) {
      keys.add(key);
      live++;
    }

    @Override
    void remove(ByteKey key) {
      live--;
      if (live > 0 && keys.size() > 2 * live + 8) {
        compact();
      }
    }

    private void compact() {
      HashSet<ByteKey> seen = new HashSet<>();
      keys.removeIf(k -> !values.containsKey(k) || !seen.add(k));
    }

    @Override
    boolean isEmpty() {
      return live == 0;
    }

    @Override
    Iterable<byte[]> range(byte[] from, byte[] toExclusive) {
      byte[][] in = new byte[keys.size()][];
      int n = 0;
      for (ByteKey k : keys) {
        if (UNSIGNED.compare(k.bytes, from) >= 0
            && UNSIGNED.compare(k.bytes, toExclusive) < 0
            && values.containsKey(k)) {
          in[n++] = k.bytes;
        }
      }
      Arrays.sort(in, 0, n, UNSIGNED);
      int distinct = 0; // a key deleted and added again is listed twice
      for (int i = 0; i < n; i++) {
        if (distinct == 0 || !Arrays.equals(in[distinct - 1], in[i])) {
          in[distinct++] = in[i];
        }
      }
      return Arrays.asList(in).subList(0, distinct);
    }
  }

  /** Keys of a kind that isn't per session (the indexes, the engine's records), kept sorted. */
  private static final class SortedGroup extends Group {
    private final TreeSet<byte[]> keys = new TreeSet<>(UNSIGNED);

    @Override
    void add(ByteKey key) {
      keys.add(key.bytes);
    }

    @Override
    void remove(ByteKey key) {
      keys.remove(key.bytes);
    }

    @Override
    boolean isEmpty() {
      return keys.isEmpty();
    }

    @Override
    Iterable<byte[]> range(byte[] from, byte[] toExclusive) {
      return keys.subSet(from, true, toExclusive, false);
    }
  }

  private static final class Comparator implements java.util.Comparator<byte[]> {
    @Override
    public int compare(byte[] a, byte[] b) {
      return Arrays.compareUnsigned(a, b);
    }
  }
}
