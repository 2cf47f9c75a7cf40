package io.agentauditor.engine;

import java.util.Iterator;
import java.util.Map;

/**
 * The byte-level key-value store the engine keeps chain state in: a {@code TreeMap} in tests and
 * replay, a persistent changelogged RocksDB store in the topology. Keys order as unsigned bytes,
 * lexicographically (RocksDB's default order). Single-threaded: one store per stream task.
 */
public interface StateStore {

  /** The value under {@code key}, or null. */
  byte[] get(byte[] key);

  /**
   * Stores {@code value} under {@code key}; neither is null, and the caller doesn't change either
   * array afterwards (a store may keep them).
   */
  void put(byte[] key, byte[] value);

  /** Removes {@code key} if present. */
  void delete(byte[] key);

  /**
   * Entries with {@code from <= key < toExclusive}, in key order. The caller closes the iterator
   * and does not write to the store while it is open.
   */
  RangeIterator range(byte[] from, byte[] toExclusive);

  /**
   * Drops whatever the store keeps decoded beside its bytes (the engine calls it after a step that
   * failed midway, whose changes to decoded records were never written); the bytes are untouched.
   * Nothing to drop by default.
   */
  default void discardCached() {
    DecodedRecords d = decoded();
    if (d != null) {
      d.clear();
    }
  }

  /**
   * The decoded records the store keeps beside its bytes, or null when it keeps none (the
   * default); only the engine's {@link CachingStateStore} keeps them.
   */
  default DecodedRecords decoded() {
    return null;
  }

  /** An iterator over a key range that holds store resources until closed. */
  interface RangeIterator extends Iterator<Map.Entry<byte[], byte[]>>, AutoCloseable {
    @Override
    void close();
  }
}
