package io.agentauditor.engine;

import java.util.Arrays;
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
 * like the store it wraps.
 */
public final class CachingStateStore implements StateStore {

  /**
   * Entries kept by {@link #CachingStateStore(StateStore)}: the records of about a hundred large
   * live sessions (50 agents, 200 credentials each), some 16 MB of heap at roughly 0.5 KB a record.
   */
  public static final int DEFAULT_MAX_ENTRIES = 32_768;

  private final StateStore inner;
  private final LinkedHashMap<RecordKey, Object> decoded;
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
          protected boolean removeEldestEntry(Map.Entry<RecordKey, Object> eldest) {
            return size() > maxEntries;
          }
        };
  }

  @Override
  public byte[] get(byte[] key) {
    return inner.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    forget(key);
    inner.put(key, value);
  }

  @Override
  public void delete(byte[] key) {
    forget(key);
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

  /** Drops the decoded record that bytes written directly under {@code key} would make stale. */
  private void forget(byte[] key) {
    if (key.length == 0 || decoded.isEmpty()) {
      return;
    }
    byte kind = key[0];
    if (kind == StateKeys.ENGINE_META) {
      if (Arrays.equals(key, StateKeys.STREAM_TIME)) {
        decoded.remove(new RecordKey(kind, null, null));
      }
    } else if (kind == StateKeys.TIMER) {
      // The timer lives in the cached session meta.
      decoded.remove(new RecordKey(StateKeys.SESSION, StateKeys.sessionOf(key), null));
    } else if (kind == StateKeys.SESSION || kind == StateKeys.APPROVALS) {
      decoded.remove(new RecordKey(kind, StateKeys.sessionOf(key), null));
    } else if (kind == StateKeys.AGENT || kind == StateKeys.CREDENTIAL || kind == StateKeys.FAN_OUT) {
      String sessionId = StateKeys.sessionOf(key);
      decoded.remove(new RecordKey(kind, sessionId, StateKeys.idOf(key)));
    }
    // Dedupe records and index entries are never kept decoded.
  }

  /**
   * The decoded record of {@code kind} for {@code sessionId} (and {@code id}, for the kinds that
   * have one; null otherwise): the cached one, else the inner store's bytes decoded and remembered.
   * An absent record is not remembered (most absent keys are read once).
   */
  <T> T read(byte kind, String sessionId, String id, Function<byte[], T> decode) {
    RecordKey k = new RecordKey(kind, sessionId, id);
    Object cached = decoded.get(k);
    if (cached != null) {
      hits++;
      @SuppressWarnings("unchecked")
      T t = (T) cached;
      return t;
    }
    misses++;
    byte[] b = inner.get(k.bytes());
    if (b == null) {
      return null;
    }
    T value = decode.apply(b);
    decoded.put(k, value);
    return value;
  }

  /**
   * Writes {@code bytes}, the encoding of {@code value}, through under the key of {@code kind},
   * {@code sessionId}, {@code id}, and keeps {@code value} (unless null: bytes whose decoded form
   * lives in another record, like the timer in the session meta, drop nothing).
   */
  void write(byte kind, String sessionId, String id, byte[] bytes, Object value) {
    RecordKey k = new RecordKey(kind, sessionId, id);
    inner.put(k.bytes(), bytes);
    if (value != null) {
      decoded.put(k, value);
    }
  }

  /** As {@link #read(byte, String, String, Function)}, decoding the bytes when {@code store} doesn't cache. */
  static <T> T read(StateStore store, byte kind, String sessionId, String id, Function<byte[], T> decode) {
    if (store instanceof CachingStateStore c) {
      return c.read(kind, sessionId, id, decode);
    }
    byte[] b = store.get(RecordKey.bytes(kind, sessionId, id));
    return b == null ? null : decode.apply(b);
  }

  /** Writes {@code value} encoded as {@code bytes}, keeping it decoded when {@code store} caches. */
  static void write(StateStore store, byte kind, String sessionId, String id, byte[] bytes, Object value) {
    if (store instanceof CachingStateStore c) {
      c.write(kind, sessionId, id, bytes, value);
    } else {
      store.put(RecordKey.bytes(kind, sessionId, id), bytes);
    }
  }

  /**
   * A record by its parts, hashed from the strings (whose hashes Java caches), so a cache hit
   * builds no byte key. {@code sessionId} is null only for the engine meta; {@code id} is null for
   * the one-per-session kinds.
   */
  private static final class RecordKey {
    final byte kind;
    final String sessionId;
    final String id;
    final int hash;

    RecordKey(byte kind, String sessionId, String id) {
      this.kind = kind;
      this.sessionId = sessionId;
      this.id = id;
      this.hash = (31 * kind + Objects.hashCode(sessionId)) * 31 + Objects.hashCode(id);
    }

    byte[] bytes() {
      return bytes(kind, sessionId, id);
    }

    static byte[] bytes(byte kind, String sessionId, String id) {
      if (sessionId == null) {
        return StateKeys.STREAM_TIME;
      }
      return id == null ? StateKeys.sessionPrefix(kind, sessionId) : StateKeys.child(kind, sessionId, id);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RecordKey k
          && hash == k.hash
          && kind == k.kind
          && Objects.equals(sessionId, k.sessionId)
          && Objects.equals(id, k.id);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
