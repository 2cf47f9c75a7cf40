package io.agentauditor.engine;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link StateStore} in memory, ordered as unsigned bytes like RocksDB: for replay and tests. Point
 * operations go to a hash map (a step makes a dozen of them, and a tree walk over a million keys
 * costs microseconds); the keys are also kept in a sorted set for ranges, touched only when a key
 * is added or removed. Not thread-safe. Values are stored and returned as given (callers don't
 * mutate them).
 */
public final class InMemoryStateStore implements StateStore {

  private final Map<ByteKey, byte[]> values = new HashMap<>();
  private final NavigableSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);

  @Override
  public byte[] get(byte[] key) {
    return values.get(new ByteKey(key));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    ByteKey k = new ByteKey(key);
    if (values.replace(k, value) == null) {
      byte[] copy = key.clone();
      values.put(new ByteKey(copy), value);
      keys.add(copy);
    }
  }

  @Override
  public void delete(byte[] key) {
    if (values.remove(new ByteKey(key)) != null) {
      keys.remove(key);
    }
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    Iterator<byte[]> it = keys.subSet(from, true, toExclusive, false).iterator();
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
    NavigableMap<byte[], byte[]> copy = new TreeMap<>(Arrays::compareUnsigned);
    for (byte[] k : keys) {
      copy.put(k.clone(), values.get(new ByteKey(k)).clone());
    }
    return copy;
  }
}
