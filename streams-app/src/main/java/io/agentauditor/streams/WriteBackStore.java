package io.agentauditor.streams;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The chain-state store's write-back layer, in place of Kafka Streams' record cache: the latest
 * put or delete of each key is held in a hash map and goes down to the changelogged RocksDB store
 * as one {@code putAll} when the task commits and whenever more than {@code maxHeld} keys or {@link
 * #MAX_HELD_BYTES} bytes of keys and values are held. A range read merges the held keys (also kept
 * by their first byte, sorted when a range reaches them) with RocksDB's iterator: a held value wins, a held deletion hides the key below;
 * only {@code prefixScan}, which nothing of ours calls, writes down first.
 *
 * <p><b>Why.</b> The engine rewrites the stream time, a session's idle timer and the credential in
 * use on nearly every step. Through Streams' layers each of those puts costs a metered call, a
 * {@code TreeMap} walk in the record cache with a copy of the record's context, and an LRU update
 * (load-tests/README.md, "Where the time goes"); here it is one {@code HashMap.put} (and a {@code
 * TreeSet} insert on a key's first put), and the changelog and RocksDB see each key once per
 * commit, as they did behind the record cache. The engine ranges over a session's approvals and
 * credentials on most steps; writing down before each of those cost about 7% of the stream thread
 * and several changelog records per event.
 *
 * <p><b>Why it is safe.</b> Held writes are written down in {@link #flushCache()}, which Kafka
 * Streams calls on the store it registered (this one: it is the root the inner stores register)
 * when a task prepares a commit, before the record collector is flushed and the offsets are
 * committed, under exactly-once in the same transaction as the outputs of the records that made
 * them. A write that was never written down belongs to records whose offsets were not committed
 * either: after a crash they are processed again. {@link #commit} writes down too, for the
 * other paths that commit a store. {@link #clearCache()} and {@link #close()} drop what is held:
 * Streams calls them when a task's state is discarded (a dirty close or a recycle), after a clean
 * commit in every other case.
 *
 * <p>It relies on {@link WrappedStateStore}, an internal class of Kafka Streams whose {@code
 * flushCache} contract the version in use (4.3) honours as described; {@code
 * WriteBackStoreTest} and the topology and restart tests cover it.
 */
final class WriteBackStore extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]>
    implements KeyValueStore<Bytes, byte[]> {

  /** Keys held per task at most before they are written down. */
  static final int DEFAULT_MAX_HELD = 16_384;

  /**
   * Bytes of held keys and values per task at most before they are written down: a few large
   * records (a session's meta can reach tens of KB) must not hold the heap the key count allows.
   */
  static final long MAX_HELD_BYTES = 8L * 1024 * 1024;

  /** The held value of a deleted key (compared by identity: an empty value is a value). */
  private static final byte[] DELETED = new byte[0];

  private final int maxHeld;
  private final HashMap<Bytes, byte[]> held = new HashMap<>();
  /**
   * The store's order of keys, unsigned lexicographic, as {@link Bytes#compareTo}; compared with
   * the JDK's vectorised mismatch instead of its byte-at-a-time loop, since the engine's keys share
   * long prefixes (a kind and a session id).
   */
  private static final Comparator<Bytes> ORDER = (a, b) -> Arrays.compareUnsigned(a.get(), b.get());

  /**
   * The held keys in the store's order, deleted ones included, for ranges: one sorted set per
   * first byte, each filled only when a range reaches its first byte. Most keys a step writes
   * first (its stored decision) are of a kind that no range reads until they are written down, so
   * they never pay for a tree insert.
   */
  private final HeldKeys heldKeys = new HeldKeys();
  private long heldBytes;
  private long writtenDown;

  WriteBackStore(KeyValueStore<Bytes, byte[]> inner, int maxHeld) {
    super(inner);
    if (maxHeld < 1) {
      throw new IllegalArgumentException("maxHeld must be at least 1: " + maxHeld);
    }
    this.maxHeld = maxHeld;
  }

  /**
   * A builder of the persistent, changelogged {@code name} store behind this layer (Streams' own
   * record cache off: this layer replaces it).
   */
  static StoreBuilder<KeyValueStore<Bytes, byte[]>> builder(String name, int maxHeld) {
    return new Builder(Stores.persistentKeyValueStore(name), maxHeld);
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    drop();
    super.init(context, root);
  }

  @Override
  public byte[] get(Bytes key) {
    byte[] value = held.get(key);
    if (value != null) {
      return value == DELETED ? null : value;
    }
    return wrapped().get(key);
  }

  @Override
  public void put(Bytes key, byte[] value) {
    Objects.requireNonNull(key, "key");
    byte[] stored = value == null ? DELETED : value;
    byte[] replaced = held.put(key, stored);
    if (replaced == null) {
      heldKeys.add(key);
      heldBytes += key.get().length + stored.length;
    } else {
      heldBytes += stored.length - replaced.length;
    }
    if (held.size() > maxHeld || heldBytes > MAX_HELD_BYTES) {
      writeDown();
    }
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    byte[] current = get(key);
    if (current == null) {
      put(key, value);
    }
    return current;
  }

  @Override
  public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    for (KeyValue<Bytes, byte[]> entry : entries) {
      put(entry.key, entry.value);
    }
  }

  @Override
  public byte[] delete(Bytes key) {
    byte[] current = get(key);
    put(key, null);
    return current;
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    if (from != null && to != null && ORDER.compare(from, to) > 0) {
      return wrapped().range(from, to); // empty (Streams logs the inverted range)
    }
    return merged(heldKeys.between(from, to, false), wrapped().range(from, to), false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    if (from != null && to != null && ORDER.compare(from, to) > 0) {
      return wrapped().reverseRange(from, to);
    }
    return merged(heldKeys.between(from, to, true), wrapped().reverseRange(from, to), true);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return merged(heldKeys.between(null, null, false), wrapped().all(), false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return merged(heldKeys.between(null, null, true), wrapped().reverseAll(), true);
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(
      P prefix, PS prefixKeySerializer) {
    writeDown();
    return wrapped().prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    return wrapped().approximateNumEntries();
  }

  @Override
  public void flushCache() {
    writeDown();
    super.flushCache();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    writeDown();
    super.commit(changelogOffsets);
  }

  @Override
  public void clearCache() {
    drop();
    super.clearCache();
  }

  @Override
  public void close() {
    drop();
    super.close();
  }

  /** Keys held now, not yet written down. */
  int held() {
    return held.size();
  }

  /** Keys written down so far (each key once per write-down). */
  long writtenDown() {
    return writtenDown;
  }

  /** Writes every held write to the inner store as one batch, then holds nothing. */
  private void writeDown() {
    if (held.isEmpty()) {
      return;
    }
    List<KeyValue<Bytes, byte[]>> batch = new ArrayList<>(held.size());
    for (Map.Entry<Bytes, byte[]> e : held.entrySet()) {
      byte[] value = e.getValue();
      batch.add(KeyValue.pair(e.getKey(), value == DELETED ? null : value));
    }
    // Cleared before the write: if it throws, the task fails and its state is discarded anyway,
    // and a second attempt must not write a half-written batch again.
    drop();
    writtenDown += batch.size();
    wrapped().putAll(batch);
  }

  private void drop() {
    held.clear();
    heldKeys.clear();
    heldBytes = 0;
  }

  private KeyValueIterator<Bytes, byte[]> merged(
      Iterator<Bytes> heldKeys, KeyValueIterator<Bytes, byte[]> below, boolean descending) {
    if (!heldKeys.hasNext()) {
      return below;
    }
    return new Merged(heldKeys, below, descending);
  }

  /**
   * The held keys of a range merged with the store's iterator over it: a held value replaces the
   * one below, a held deletion hides it. It reads the held map as it goes, which is safe because
   * nothing writes to the store while one of its iterators is open (the engine's contract).
   */
  private final class Merged implements KeyValueIterator<Bytes, byte[]> {

    private final Iterator<Bytes> heldKeys;
    private final KeyValueIterator<Bytes, byte[]> below;
    private final boolean descending;
    private Bytes nextHeld;
    private KeyValue<Bytes, byte[]> next;

    Merged(Iterator<Bytes> heldKeys, KeyValueIterator<Bytes, byte[]> below, boolean descending) {
      this.heldKeys = heldKeys;
      this.below = below;
      this.descending = descending;
      this.nextHeld = heldKeys.next();
      advance();
    }

    private void advance() {
      next = null;
      while (next == null && (nextHeld != null || below.hasNext())) {
        int order;
        if (nextHeld == null) {
          order = 1;
        } else if (!below.hasNext()) {
          order = -1;
        } else {
          order = ORDER.compare(nextHeld, below.peekNextKey());
          if (descending) {
            order = -order;
          }
        }
        if (order > 0) {
          next = below.next();
          continue;
        }
        if (order == 0) {
          below.next(); // replaced or hidden by the held write
        }
        Bytes key = nextHeld;
        nextHeld = heldKeys.hasNext() ? heldKeys.next() : null;
        byte[] value = held.get(key);
        if (value != DELETED) {
          next = KeyValue.pair(key, value);
        }
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      KeyValue<Bytes, byte[]> result = next;
      advance();
      return result;
    }

    @Override
    public Bytes peekNextKey() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      return next.key;
    }

    @Override
    public void close() {
      below.close();
    }
  }

  /**
   * Held keys by their first byte: a key is appended to its byte's list on its first put, and the
   * list is sorted into that byte's set when a range first reaches it (an empty key counts as
   * byte 0, before every other key of it).
   */
  private static final class HeldKeys {

    @SuppressWarnings("unchecked")
    private final TreeSet<Bytes>[] sets = new TreeSet[256];

    @SuppressWarnings("unchecked")
    private final List<Bytes>[] unsorted = new List[256];

    /** First bytes with keys, sorted or not; only these are cleared. */
    private final List<Integer> used = new ArrayList<>();

    void add(Bytes key) {
      int b = firstByte(key);
      List<Bytes> list = unsorted[b];
      if (list == null) {
        list = new ArrayList<>();
        unsorted[b] = list;
        if (sets[b] == null) {
          used.add(b);
        }
      }
      list.add(key);
    }

    void clear() {
      for (int b : used) {
        sets[b] = null;
        unsorted[b] = null;
      }
      used.clear();
    }

    /** The held keys from {@code from} to {@code to}, both included, null open; in order or reversed. */
    Iterator<Bytes> between(Bytes from, Bytes to, boolean descending) {
      int lo = from == null ? 0 : firstByte(from);
      int hi = to == null ? 255 : firstByte(to);
      List<NavigableSet<Bytes>> parts = new ArrayList<>(1);
      for (int b = lo; b <= hi; b++) {
        TreeSet<Bytes> set = sorted(b);
        if (set == null || set.isEmpty()) {
          continue;
        }
        NavigableSet<Bytes> part = set;
        if (b == lo && from != null) {
          part = part.tailSet(from, true);
        }
        if (b == hi && to != null) {
          part = part.headSet(to, true);
        }
        parts.add(part);
      }
      if (parts.isEmpty()) {
        return Collections.emptyIterator();
      }
      if (parts.size() == 1) {
        return descending ? parts.get(0).descendingIterator() : parts.get(0).iterator();
      }
      List<Bytes> all = new ArrayList<>();
      for (NavigableSet<Bytes> part : parts) {
        all.addAll(part);
      }
      if (descending) {
        Collections.reverse(all);
      }
      return all.iterator();
    }

    private TreeSet<Bytes> sorted(int b) {
      List<Bytes> list = unsorted[b];
      if (list != null) {
        if (sets[b] == null) {
          sets[b] = new TreeSet<>(ORDER);
        }
        sets[b].addAll(list);
        unsorted[b] = null;
      }
      return sets[b];
    }

    private static int firstByte(Bytes key) {
      byte[] bytes = key.get();
      return bytes.length == 0 ? 0 : bytes[0] & 0xFF;
    }
  }

  /** Streams' key-value builder (logging on, caching off) with this layer on top. */
  private static final class Builder implements StoreBuilder<KeyValueStore<Bytes, byte[]>> {

    private final StoreBuilder<KeyValueStore<Bytes, byte[]>> inner;
    private final int maxHeld;

    Builder(KeyValueBytesStoreSupplier supplier, int maxHeld) {
      Serde<Bytes> keys = org.apache.kafka.common.serialization.Serdes.Bytes();
      Serde<byte[]> values = org.apache.kafka.common.serialization.Serdes.ByteArray();
      this.inner =
          Stores.keyValueStoreBuilder(supplier, keys, values)
              .withLoggingEnabled(Map.of())
              .withCachingDisabled();
      this.maxHeld = maxHeld;
    }

    @Override
    public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingEnabled() {
      throw new UnsupportedOperationException("the write-back layer replaces the record cache");
    }

    @Override
    public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingDisabled() {
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingEnabled(Map<String, String> config) {
      inner.withLoggingEnabled(config);
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingDisabled() {
      throw new UnsupportedOperationException("chain state is always changelogged");
    }

    @Override
    public KeyValueStore<Bytes, byte[]> build() {
      return new WriteBackStore(inner.build(), maxHeld);
    }

    @Override
    public Map<String, String> logConfig() {
      return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return inner.loggingEnabled();
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
