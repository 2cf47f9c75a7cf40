package io.agentauditor.replay;

import io.agentauditor.engine.ByteKey;
import io.agentauditor.engine.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A {@link StateStore} on a private RocksDB database in a scratch directory, for {@code replay}: it
 * keeps the chain state and the dedupe records of a long input on disk, so the replay's memory stays
 * flat however long the file. Nothing is durable: the write-ahead log is off and {@link #close()}
 * deletes the directory. Not thread-safe; one replay owns it.
 *
 * <p>Writes are held on the heap, the latest per key, and go to RocksDB as one {@link WriteBatch}
 * when {@code batchEntries} keys are held, before a range scan when more than {@value
 * #MERGED_IN_SCAN} are, and on {@link #flush()}; reads and range scans see them at once. The
 * engine rewrites a few records (stream time, a session's idle timer and meta, a credential in use)
 * on nearly every step, so most of its puts replace a held write and never reach RocksDB, and the
 * rest cost one native call per batch instead of one each: a {@code db.put} goes through RocksDB's
 * write path (write group, sequence number, memtable insert) every time.
 *
 * <p>Reads of keys never written are answered on the heap: a {@link KeyFilter} of the keys written
 * to RocksDB (at most 32 MiB) sends a read there only for a key that may be in it. Most of the
 * engine's reads are of such keys (the stored decision of a new event, a new session's agents and
 * credentials), and each cost a call into RocksDB.
 *
 * <p>Tables are not compressed: the records are mostly hashes and varints, so Snappy saved a tenth
 * of the scratch space (356 against 391 MB at the peak of a 1M-event replay) for about 1.6 s of
 * RocksDB's background CPU per million events, on a machine whose two cores the replay fills.
 */
public final class RocksDbStateStore implements StateStore, AutoCloseable {

  static {
    RocksDB.loadLibrary();
  }

  /** Keys whose writes are held before they go to RocksDB as one batch (a few MB of records). */
  public static final int DEFAULT_BATCH_ENTRIES = 16_384;

  /** Heap for the filter of keys written to RocksDB: some 16 million keys. */
  static final long FILTER_BYTES = 32L << 20;

  /**
   * Held writes a range scan looks through for keys in its range; with more held, the scan writes
   * them to RocksDB first and reads RocksDB alone.
   */
  static final int MERGED_IN_SCAN = 1024;

  /** A held delete; compared by identity, so an empty value stays a value. */
  private static final byte[] DELETED = new byte[0];

  private final Path dir;
  private final boolean deleteOnClose;
  private final int batchEntries;
  private final HashMap<ByteKey, byte[]> held = new HashMap<>();
  private final KeyFilter written = new KeyFilter(FILTER_BYTES);
  private final LRUCache cache;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;

  /**
   * Opens a new database in {@code dir}.
   *
   * @param cacheBytes size of the block cache; with the write buffers it bounds the store's memory
   * @param deleteOnClose whether {@link #close()} removes {@code dir}
   * @throws UncheckedIOException when the database cannot be opened
   */
  public RocksDbStateStore(Path dir, long cacheBytes, boolean deleteOnClose) {
    this(dir, cacheBytes, deleteOnClose, DEFAULT_BATCH_ENTRIES);
  }

  /**
   * Opens a new database in {@code dir}, holding the writes to up to {@code batchEntries} keys
   * before they go to RocksDB as one batch.
   *
   * @param batchEntries at least 1 (1 writes each put through at once)
   */
  public RocksDbStateStore(Path dir, long cacheBytes, boolean deleteOnClose, int batchEntries) {
    if (batchEntries < 1) {
      throw new IllegalArgumentException("batchEntries must be at least 1: " + batchEntries);
    }
    this.dir = dir;
    this.deleteOnClose = deleteOnClose;
    this.batchEntries = batchEntries;
    // One shard: the default splits the cache into 1 MiB shards, and a table's filter block grows
    // past that on a long replay, so it was never cached and every get re-read it from disk (the
    // replay of a million events slowed from thousands to about a hundred events per second).
    this.cache = new LRUCache(cacheBytes, 0);
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(cache)
            .setFilterPolicy(new BloomFilter(10, false))
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true);
    this.options =
        new Options()
            .setCreateIfMissing(true)
            .setTableFormatConfig(table)
            .setWriteBufferSize(16L << 20)
            .setMaxWriteBufferNumber(2)
            .setCompressionType(CompressionType.NO_COMPRESSION);
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    try {
      Files.createDirectories(dir);
      this.db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException | IOException e) {
      closeNative();
      throw new UncheckedIOException(new IOException("cannot open state store in " + dir, e));
    }
    // A kept database opened again: its keys are in the filter like those written from now on.
    try (RocksIterator it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid() && !written.saturated(); it.next()) {
        written.add(it.key());
      }
    }
  }

  /** A store in a new temporary directory, removed on close. */
  public static RocksDbStateStore temporary(long cacheBytes) {
    try {
      return new RocksDbStateStore(Files.createTempDirectory("auditor-replay-"), cacheBytes, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The database directory. */
  public Path directory() {
    return dir;
  }

  @Override
  public byte[] get(byte[] key) {
    if (!held.isEmpty()) {
      byte[] v = held.get(new ByteKey(key));
      if (v != null) {
        return v == DELETED ? null : v;
      }
    }
    if (!written.mightContain(key)) {
      return null;
    }
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("state store read failed", e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    hold(key, value);
  }

  @Override
  public void delete(byte[] key) {
    hold(key, DELETED);
  }

  private void hold(byte[] key, byte[] value) {
    held.put(new ByteKey(key), value);
    if (held.size() >= batchEntries) {
      flush();
    }
  }

  /** Writes the held writes to RocksDB, as one batch. */
  public void flush() {
    if (held.isEmpty()) {
      return;
    }
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<ByteKey, byte[]> e : held.entrySet()) {
        byte[] value = e.getValue();
        if (value == DELETED) {
          batch.delete(e.getKey().bytes());
        } else {
          byte[] key = e.getKey().bytes();
          batch.put(key, value);
          if (!written.mightContain(key)) {
            written.add(key); // a key rewritten takes no more room in the filter
          }
        }
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new IllegalStateException("state store write failed", e);
    }
    held.clear();
  }

  /** Writes to RocksDB that are held (see the class comment). */
  int held() {
    return held.size();
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    if (held.size() > MERGED_IN_SCAN) {
      flush(); // finding the few held writes in range would cost more than writing them all
    }
    // The held writes in range, in key order, merged with RocksDB's: a held write replaces the
    // key's value in RocksDB, a held delete hides it. The caller writes nothing while it scans.
    List<Map.Entry<byte[], byte[]>> heldInRange = new ArrayList<>();
    for (Map.Entry<ByteKey, byte[]> e : held.entrySet()) {
      byte[] k = e.getKey().bytes();
      if (Arrays.compareUnsigned(k, from) >= 0 && Arrays.compareUnsigned(k, toExclusive) < 0) {
        heldInRange.add(new AbstractMap.SimpleImmutableEntry<>(k, e.getValue()));
      }
    }
    heldInRange.sort((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey()));
    RocksIterator it = db.newIterator();
    it.seek(from);
    return new RangeIterator() {
      private int h;
      private Map.Entry<byte[], byte[]> next = advance();

      private Map.Entry<byte[], byte[]> advance() {
        while (true) {
          byte[] stored = it.isValid() ? it.key() : null;
          if (stored != null && Arrays.compareUnsigned(stored, toExclusive) >= 0) {
            stored = null;
          }
          Map.Entry<byte[], byte[]> heldNext = h < heldInRange.size() ? heldInRange.get(h) : null;
          if (stored == null && heldNext == null) {
            return null;
          }
          int order =
              stored == null ? 1 : heldNext == null ? -1 : Arrays.compareUnsigned(stored, heldNext.getKey());
          if (order < 0) {
            Map.Entry<byte[], byte[]> e = new AbstractMap.SimpleImmutableEntry<>(stored, it.value());
            it.next();
            return e;
          }
          if (order == 0) {
            it.next(); // the held write replaces it
          }
          h++;
          if (heldNext.getValue() != DELETED) {
            return heldNext;
          }
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Map.Entry<byte[], byte[]> e = next;
        next = advance();
        return e;
      }

      @Override
      public void close() {
        it.close();
      }
    };
  }

  @Override
  public void close() {
    try {
      if (!deleteOnClose) {
        flush();
      }
    } finally {
      db.close();
      closeNative();
      if (deleteOnClose) {
        deleteDirectory(dir);
      }
    }
  }

  /** Removes {@code dir} and everything in it, if it exists; best effort for files in use. */
  public static void deleteDirectory(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void closeNative() {
    if (writeOptions != null) {
      writeOptions.close();
    }
    options.close();
    cache.close();
  }
}
