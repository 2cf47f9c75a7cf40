package io.agentauditor.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link StateStore} in memory, ordered as unsigned bytes like RocksDB: for replay and tests. Point
 * operations go to a hash table (a step makes a dozen of them, and a tree walk over a million keys
 * costs microseconds): open addressing over flat arrays, so a lookup in a table of millions touches
 * the slot, the key's bytes and no per-entry objects, and a new key allocates none. For ranges, keys are also kept by group: one session's records of one kind
 * (the engine's key layout, {@code package-info}) in a list sorted only when a range reads it, and
 * every other kind in a sorted set. A step adds a dedupe key to its session's list without a tree
 * walk; the engine's ranges (a session's records of a kind, an index from its start) each read one
 * group. Any other range is answered too, by sorting what it spans. Not thread-safe. Keys and values are
 * stored and returned as given (callers don't mutate them).
 */
public final class InMemoryStateStore implements StateStore {

  private static final Comparator UNSIGNED = new Comparator();

  private final Table values = new Table(1 << 10);
  /** The groups by prefix (see {@link #groupOf}). */
  private final Table groups = new Table(1 << 6);

  @Override
  public byte[] get(byte[] key) {
    return (byte[]) values.get(key, key.length, Table.hash(key, key.length));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    // Kept, not copied: the caller doesn't change the key afterwards (the interface's contract).
    if (values.put(key, Table.hash(key, key.length), value) == null) {
      int n = groupLength(key);
      int h = Table.hash(key, n);
      Group g = (Group) groups.get(key, n, h);
      if (g == null) {
        g = n > 1 ? new SessionGroup() : new SortedGroup();
        groups.put(Arrays.copyOf(key, n), h, g);
      }
      g.add(key);
    }
  }

  @Override
  public void delete(byte[] key) {
    if (values.remove(key, Table.hash(key, key.length)) != null) {
      int n = groupLength(key);
      int h = Table.hash(key, n);
      Group g = (Group) groups.get(key, n, h);
      g.remove(key);
      if (g.isEmpty()) {
        groups.remove(Arrays.copyOf(key, n), h);
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
      Group g = (Group) groups.get(prefix, prefix.length, Table.hash(prefix, prefix.length));
      keys = g == null ? List.of() : g.range(from, toExclusive);
    } else {
      TreeSet<byte[]> spanned = new TreeSet<>(UNSIGNED);
      values.forEach(
          (b, v) -> {
            if (UNSIGNED.compare(b, from) >= 0 && UNSIGNED.compare(b, toExclusive) < 0) {
              spanned.add(b);
            }
          });
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
        return Map.entry(k.clone(), get(k));
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
    values.forEach((k, v) -> copy.put(k.clone(), ((byte[]) v).clone()));
    return copy;
  }

  /**
   * The group {@code key} belongs to: for the per-session kinds, the key up to the end of its
   * sessionId when it holds a whole one; otherwise its first byte (none for the empty key). A key
   * that starts with a group's prefix belongs to that group.
   */
  static byte[] groupOf(byte[] key) {
    return Arrays.copyOf(key, groupLength(key));
  }

  /** The length of the prefix of {@code key} that is its group's ({@link #groupOf}). */
  private static int groupLength(byte[] key) {
    if (key.length == 0) {
      return 0;
    }
    if (key[0] == StateKeys.DECISION) {
      // kind, varint session handle
      for (int i = 1; i < key.length && i < 11; i++) {
        if (key[i] >= 0) {
          return i + 1;
        }
      }
      return 1;
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
          return end <= key.length ? (int) end : 1;
        }
      }
    }
    return 1;
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

    abstract void add(byte[] key);

    abstract void remove(byte[] key);

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
    private final ArrayList<byte[]> keys = new ArrayList<>(4);
    private int live;

    @Override
    void add(byte[] key) {
      keys.add(key);
      live++;
    }

    @Override
    void remove(byte[] key) {
      live--;
      if (live > 0 && keys.size() > 2 * live + 8) {
        compact();
      }
    }

    private void compact() {
      HashSet<ByteKey> seen = new HashSet<>();
      keys.removeIf(k -> get(k) == null || !seen.add(new ByteKey(k)));
    }

    @Override
    boolean isEmpty() {
      return live == 0;
    }

    @Override
    Iterable<byte[]> range(byte[] from, byte[] toExclusive) {
      byte[][] in = new byte[keys.size()][];
      int n = 0;
      for (byte[] k : keys) {
        if (UNSIGNED.compare(k, from) >= 0 && UNSIGNED.compare(k, toExclusive) < 0 && get(k) != null) {
          in[n++] = k;
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
    void add(byte[] key) {
      keys.add(key);
    }

    @Override
    void remove(byte[] key) {
      keys.remove(key);
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

  /**
   * A hash table of byte-array keys (compared by content, looked up by a prefix of a longer array
   * too) to objects: open addressing with linear probing, at most half full, a key and its value
   * side by side in one array and the keys' hashes in another, so a miss reads one slot and a hit
   * the slot and the key's bytes. A removed entry leaves a marker until the table is rebuilt.
   */
  private static final class Table {
    private static final Object REMOVED = new Object();

    private int[] hashes;
    /** Key at {@code 2i}, value at {@code 2i + 1}; a null key marks a free slot. */
    private Object[] slots;
    private int size;
    /** Slots holding an entry or a removal marker. */
    private int used;

    Table(int capacity) {
      hashes = new int[capacity];
      slots = new Object[2 * capacity];
    }

    /** The hash of {@code key[0, length)}, spread over the bits a table index uses. */
    static int hash(byte[] key, int length) {
      int h = 1;
      for (int i = 0; i < length; i++) {
        h = 31 * h + key[i];
      }
      return h * 0x9E3779B9;
    }

    private int index(int hash) {
      return (hash ^ (hash >>> 16)) & (hashes.length - 1);
    }

    private static boolean same(Object k, byte[] key, int length) {
      // A key written again is often the very array first put (the engine keeps some keys).
      return k == key && length == key.length
          || k instanceof byte[] b && Arrays.equals(b, 0, b.length, key, 0, length);
    }

    /** The value under {@code key[0, length)}, whose {@link #hash} is {@code hash}; null if none. */
    Object get(byte[] key, int length, int hash) {
      int mask = hashes.length - 1;
      for (int i = index(hash); ; i = (i + 1) & mask) {
        Object k = slots[2 * i];
        if (k == null) {
          return null;
        }
        if (hashes[i] == hash && same(k, key, length)) {
          return slots[2 * i + 1];
        }
      }
    }

    /** Puts {@code value} under {@code key} (kept, not copied); the value it replaced, or null. */
    Object put(byte[] key, int hash, Object value) {
      int mask = hashes.length - 1;
      int free = -1;
      for (int i = index(hash); ; i = (i + 1) & mask) {
        Object k = slots[2 * i];
        if (k == null) {
          break;
        }
        if (k == REMOVED) {
          if (free < 0) {
            free = i;
          }
        } else if (hashes[i] == hash && same(k, key, key.length)) {
          Object old = slots[2 * i + 1];
          slots[2 * i + 1] = value;
          return old;
        }
      }
      if (free < 0) {
        if (2 * (used + 1) > hashes.length) {
          rebuild();
          return put(key, hash, value);
        }
        free = freeSlot(hash);
        used++;
      }
      hashes[free] = hash;
      slots[2 * free] = key;
      slots[2 * free + 1] = value;
      size++;
      return null;
    }

    private int freeSlot(int hash) {
      int mask = hashes.length - 1;
      int i = index(hash);
      while (slots[2 * i] != null) {
        i = (i + 1) & mask;
      }
      return i;
    }

    /** Removes {@code key}; the value it held, or null. */
    Object remove(byte[] key, int hash) {
      int mask = hashes.length - 1;
      for (int i = index(hash); ; i = (i + 1) & mask) {
        Object k = slots[2 * i];
        if (k == null) {
          return null;
        }
        if (hashes[i] == hash && same(k, key, key.length)) {
          Object old = slots[2 * i + 1];
          slots[2 * i] = REMOVED;
          slots[2 * i + 1] = null;
          size--;
          return old;
        }
      }
    }

    /** Rehashes the entries into a table twice as large as they need, dropping removal markers. */
    private void rebuild() {
      int[] oldHashes = hashes;
      Object[] oldSlots = slots;
      int capacity = Integer.highestOneBit(Math.max(16, 4 * (size + 1) - 1));
      hashes = new int[capacity];
      slots = new Object[2 * capacity];
      used = size;
      for (int i = 0; i < oldHashes.length; i++) {
        Object k = oldSlots[2 * i];
        if (k != null && k != REMOVED) {
          int at = freeSlot(oldHashes[i]);
          hashes[at] = oldHashes[i];
          slots[2 * at] = k;
          slots[2 * at + 1] = oldSlots[2 * i + 1];
        }
      }
    }

    int size() {
      return size;
    }

    void forEach(java.util.function.BiConsumer<byte[], Object> action) {
      for (int i = 0; i < hashes.length; i++) {
        Object k = slots[2 * i];
        if (k != null && k != REMOVED) {
          action.accept((byte[]) k, slots[2 * i + 1]);
        }
      }
    }
  }

  private static final class Comparator implements java.util.Comparator<byte[]> {
    @Override
    public int compare(byte[] a, byte[] b) {
      return Arrays.compareUnsigned(a, b);
    }
  }
}
