package io.agentauditor.engine;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A {@link StateStore} in a {@link TreeMap} ordered as unsigned bytes, like RocksDB: for replay and
 * tests. Not thread-safe. Values are stored and returned as given (callers don't mutate them).
 */
public final class InMemoryStateStore implements StateStore {

  private final NavigableMap<byte[], byte[]> map = new TreeMap<>(Arrays::compareUnsigned);

  @Override
  public byte[] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    map.put(key.clone(), value);
  }

  @Override
  public void delete(byte[] key) {
    map.remove(key);
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    Iterator<Map.Entry<byte[], byte[]>> it = map.subMap(from, true, toExclusive, false).entrySet().iterator();
    return new RangeIterator() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        Map.Entry<byte[], byte[]> e = it.next();
        return Map.entry(e.getKey().clone(), e.getValue());
      }

      @Override
      public void close() {}
    };
  }

  /** Number of keys held. */
  public int size() {
    return map.size();
  }

  /** A copy of every entry, in key order (tests compare snapshots). */
  public NavigableMap<byte[], byte[]> snapshot() {
    NavigableMap<byte[], byte[]> copy = new TreeMap<>(Arrays::compareUnsigned);
    map.forEach((k, v) -> copy.put(k.clone(), v.clone()));
    return copy;
  }
}
