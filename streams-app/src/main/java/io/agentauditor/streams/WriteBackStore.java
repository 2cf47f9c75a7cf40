package io.agentauditor.streams;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
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
 * (load-tests/README.md, "Where the time goes"); here it is one {@code HashMap.put} (and an array
 * store on a key's first put), and the changelog and RocksDB see each key once per
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
   * The held keys, deleted ones included, for ranges: one array per first byte, put in the
   * store's order only when a range reaches its first byte. Most keys a step writes first (its
   * stored decision) are of a kind that a range reads a few times per thousand steps, so they are
   * sorted about once per commit, if at all.
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

  /** How many times ranges sorted the keys held since a range last sorted them. */
  long sorts() {
    return heldKeys.sorts;
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
   * Held keys by their first byte: a key is appended to its byte's array on its first put, past the
   * part of the array that is in order (an empty key counts as byte 0, before every other key of
   * it). Ranges are rare next to puts (a few per thousand steps), so a put costs an array store: no
   * tree nodes, no comparisons.
   *
   * <p>A range reads the unsorted keys of the arrays it reaches, keeps those within its bounds,
   * sorts just those and merges them with the sorted part's keys within its bounds. It sorts the
   * whole unsorted part instead, and merges it into the sorted part, once the ranges since the
   * last sort have read as many unsorted keys as that sort would compare: most ranges ask a narrow
   * prefix that holds no new key (a session starting asks whether its new handle has stored
   * decisions), and sorting the thousands of decisions stored since the last commit for each of
   * them cost about 2% of the stream thread.
   */
  private static final class HeldKeys {

    private static final int FIRST_CAPACITY = 16;

    /** Per first byte: the keys, in put order past {@link #sorted}, in key order before it. */
    private final Bytes[][] keys = new Bytes[256][];
    private final int[] count = new int[256];
    private final int[] sorted = new int[256];
    /** Per first byte: unsorted keys read by ranges since its last sort. */
    private final long[] read = new long[256];
    /** First bytes with keys, the only ones cleared. */
    private final int[] used = new int[256];
    private int usedCount;
    /** Sorts of an unsorted part so far (for tests). */
    long sorts;

    void add(Bytes key) {
      int b = firstByte(key);
      Bytes[] array = keys[b];
      int n = count[b];
      if (array == null) {
        array = new Bytes[FIRST_CAPACITY];
        keys[b] = array;
        used[usedCount++] = b;
      } else if (n == array.length) {
        array = Arrays.copyOf(array, n * 2);
        keys[b] = array;
      }
      array[n] = key;
      count[b] = n + 1;
    }

    void clear() {
      for (int i = 0; i < usedCount; i++) {
        int b = used[i];
        keys[b] = null;
        count[b] = 0;
        sorted[b] = 0;
        read[b] = 0;
      }
      usedCount = 0;
    }

    /** The held keys from {@code from} to {@code to}, both included, null open; in order or reversed. */
    Iterator<Bytes> between(Bytes from, Bytes to, boolean descending) {
      int lo = from == null ? 0 : firstByte(from);
      int hi = to == null ? 255 : firstByte(to);
      List<Slice> slices = new ArrayList<>(1);
      for (int b = lo; b <= hi; b++) {
        if (count[b] == 0) {
          continue;
        }
        Slice slice = slice(b, b == lo ? from : null, b == hi ? to : null);
        if (slice != null) {
          slices.add(slice);
        }
      }
      if (slices.isEmpty()) {
        return Collections.emptyIterator();
      }
      if (descending) {
        Collections.reverse(slices);
      }
      return new SliceIterator(slices, descending);
    }

    /** Byte {@code b}'s held keys from {@code from} to {@code to} (null: open) in order; null for none. */
    private Slice slice(int b, Bytes from, Bytes to) {
      int n = count[b];
      int unsorted = n - sorted[b];
      Bytes[] array = unsorted == 0 || !worthReading(b, unsorted, n) ? sort(b) : keys[b];
      int s = sorted[b];
      int first = from == null ? 0 : firstAbove(array, s, from, false);
      int end = to == null ? s : firstAbove(array, s, to, true);
      Bytes[] found = null;
      int m = 0;
      for (int i = s; i < n; i++) {
        Bytes key = array[i];
        if ((from == null || ORDER.compare(key, from) >= 0) && (to == null || ORDER.compare(key, to) <= 0)) {
          if (found == null) {
            found = new Bytes[Math.min(n - i, FIRST_CAPACITY)];
          } else if (m == found.length) {
            found = Arrays.copyOf(found, Math.min(n - s, 2 * m));
          }
          found[m++] = key;
        }
      }
      if (m == 0) {
        return first < end ? new Slice(array, first, end) : null;
      }
      Arrays.sort(found, 0, m, ORDER);
      Bytes[] merged = new Bytes[end - first + m];
      int k = merge(array, first, end, found, 0, m, merged);
      return new Slice(merged, 0, k);
    }

    /**
     * Whether a range should read byte {@code b}'s {@code unsorted} keys rather than sort them:
     * until the ranges since its last sort have read as many as a sort of them and a merge with
     * the {@code n - unsorted} sorted ones would compare.
     */
    private boolean worthReading(int b, int unsorted, int n) {
      long reading = read[b] + unsorted;
      long sorting = (long) unsorted * (64 - Long.numberOfLeadingZeros(unsorted)) + n;
      if (reading > sorting) {
        return false;
      }
      read[b] = reading;
      return true;
    }

    /** Merges two sorted runs into {@code into} from its start; returns how many it wrote. */
    private static int merge(Bytes[] a, int i, int aEnd, Bytes[] b, int j, int bEnd, Bytes[] into) {
      int k = 0;
      while (i < aEnd && j < bEnd) {
        into[k++] = ORDER.compare(a[i], b[j]) <= 0 ? a[i++] : b[j++];
      }
      System.arraycopy(a, i, into, k, aEnd - i);
      k += aEnd - i;
      System.arraycopy(b, j, into, k, bEnd - j);
      return k + bEnd - j;
    }

    /** Sorts byte {@code b}'s keys put since its last sort and merges them into the sorted ones. */
    private Bytes[] sort(int b) {
      Bytes[] array = keys[b];
      int n = count[b];
      int s = sorted[b];
      if (s == n) {
        return array;
      }
      Arrays.sort(array, s, n, ORDER);
      if (s > 0) {
        // Into a new array: an iterator over the old one (none is open while keys are put, but a
        // range may be read inside another) keeps its order.
        Bytes[] merged = new Bytes[array.length];
        merge(array, 0, s, array, s, n, merged);
        array = merged;
        keys[b] = array;
      }
      sorted[b] = n;
      read[b] = 0;
      sorts++;
      return array;
    }

    /** The index of the first of the {@code n} sorted keys above {@code key} (or at it, unless {@code inclusive}). */
    private static int firstAbove(Bytes[] array, int n, Bytes key, boolean inclusive) {
      int low = 0;
      int high = n;
      while (low < high) {
        int mid = (low + high) >>> 1;
        int order = ORDER.compare(array[mid], key);
        if (order < 0 || inclusive && order == 0) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return low;
    }

    private static int firstByte(Bytes key) {
      byte[] bytes = key.get();
      return bytes.length == 0 ? 0 : bytes[0] & 0xFF;
    }
  }

  /** Sorted keys {@code first} (included) to {@code end} (excluded) of an array. */
  private record Slice(Bytes[] keys, int first, int end) {}

  /** The keys of slices in order, or each slice reversed when descending (the slices come reversed). */
  private static final class SliceIterator implements Iterator<Bytes> {

    private final List<Slice> slices;
    private final boolean descending;
    private int slice;
    private int at;

    SliceIterator(List<Slice> slices, boolean descending) {
      this.slices = slices;
      this.descending = descending;
      this.at = start(slices.get(0));
    }

    private int start(Slice s) {
      return descending ? s.end() - 1 : s.first();
    }

    @Override
    public boolean hasNext() {
      return slice < slices.size();
    }

    @Override
    public Bytes next() {
      if (slice >= slices.size()) {
        throw new NoSuchElementException();
      }
      Slice s = slices.get(slice);
      Bytes key = s.keys()[at];
      at += descending ? -1 : 1;
      if (descending ? at < s.first() : at >= s.end()) {
        slice++;
        if (slice < slices.size()) {
          at = start(slices.get(slice));
        }
      }
      return key;
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
