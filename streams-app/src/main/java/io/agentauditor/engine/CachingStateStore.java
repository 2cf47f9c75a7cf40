package io.agentauditor.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link StateStore} that keeps the decoded form of recently used records next to the store it
 * writes through to. The engine reads a record it finds here without a store lookup or a decode,
 * and on every write still encodes the record and puts the bytes into the inner store in the same
 * step: the inner store always holds the whole state, so a crash, a restore or a replay loses
 * nothing the cache held. What the cache saves is the read side: a session's meta, its agents'
 * path and its live credentials are read by nearly every step and change on few.
 *
 * <p>Coherence rests on two rules. All writes go through this object (the inner store has no
 * other writer while it is wrapped), and {@link #put}, {@link #delete} of raw bytes drop the cached
 * object, so only writes that pass the decoded object along keep it. The engine mutates cached
 * objects only in a step's effect, which it writes back in the same step; a step that fails midway
 * calls {@link #clear()} so no half-applied object outlives it.
 *
 * <p>Bounded by entry count, least recently used out first. Not thread-safe: one per stream task,
 * like the store it wraps. Keys are not copied: callers don't mutate a key after passing it.
 */
public final class CachingStateStore implements StateStore {

  /** Entries kept by {@link #CachingStateStore(StateStore)}: a few hundred live sessions' records. */
  public static final int DEFAULT_MAX_ENTRIES = 65_536;

  private final StateStore inner;
  private final LinkedHashMap<ByteKey, Object> decoded;
  private long hits;
  private long misses;

  /** Wraps {@code inner} with room for {@value #DEFAULT_MAX_ENTRIES} decoded records. */
  public CachingStateStore(StateStore inner) {
    this(inner, DEFAULT_MAX_ENTRIES);
  }

  /**
   * @param inner the store written through to; not null
   * @param maxEntries decoded records kept, at least 1
   */
  public CachingStateStore(StateStore inner, int maxEntries) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
    }
    this.decoded =
        new LinkedHashMap<>(Math.min(maxEntries, 1 << 16) * 2, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<ByteKey, Object> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** The store this one writes through to. */
  public StateStore inner() {
    return inner;
  }

  @Override
  public byte[] get(byte[] key) {
    return inner.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    decoded.remove(new ByteKey(key));
    inner.put(key, value);
  }

  @Override
  public void delete(byte[] key) {
    decoded.remove(new ByteKey(key));
    inner.delete(key);
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    return inner.range(from, toExclusive);
  }

  /** Drops every decoded record (the inner store is untouched). */
  public void clear() {
    decoded.clear();
  }

  /** Reads answered from the cache so far. */
  public long hits() {
    return hits;
  }

  /** Reads that went to the inner store so far. */
  public long misses() {
    return misses;
  }

  /** Decoded records held. */
  public int size() {
    return decoded.size();
  }

  /**
   * The decoded record under {@code key}: the cached one, else the inner store's bytes decoded and
   * remembered. An absent record is not remembered (it is null, and most absent keys are read once).
   */
  <T> T read(byte[] key, Function<byte[], T> decode) {
    ByteKey k = new ByteKey(key);
    Object cached = decoded.get(k);
    if (cached != null) {
      hits++;
      @SuppressWarnings("unchecked")
      T t = (T) cached;
      return t;
    }
    misses++;
    byte[] b = inner.get(key);
    if (b == null) {
      return null;
    }
    T value = decode.apply(b);
    decoded.put(k, value);
    return value;
  }

  /** Writes {@code bytes}, the encoding of {@code value}, through, and keeps {@code value}. */
  void write(byte[] key, byte[] bytes, Object value) {
    inner.put(key, bytes);
    decoded.put(new ByteKey(key), value);
  }

  /**
   * Reads through the cache when {@code store} is a caching store, else decodes the store's bytes.
   */
  static <T> T read(StateStore store, byte[] key, Function<byte[], T> decode) {
    if (store instanceof CachingStateStore c) {
      return c.read(key, decode);
    }
    byte[] b = store.get(key);
    return b == null ? null : decode.apply(b);
  }

  /** Writes {@code value} encoded as {@code bytes}, keeping it decoded when {@code store} caches. */
  static void write(StateStore store, byte[] key, byte[] bytes, Object value) {
    if (store instanceof CachingStateStore c) {
      c.write(key, bytes, value);
    } else {
      store.put(key, bytes);
    }
  }
}
