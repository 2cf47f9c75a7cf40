package io.agentauditor.replay;

import io.agentauditor.engine.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * A {@link StateStore} on a private RocksDB database in a scratch directory, for {@code replay}: it
 * keeps the chain state and the dedupe records of a long input on disk, so the replay's memory stays
 * flat however long the file. Nothing is durable: the write-ahead log is off and {@link #close()}
 * deletes the directory. Not thread-safe; one replay owns it.
 */
public final class RocksDbStateStore implements StateStore, AutoCloseable {

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final boolean deleteOnClose;
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
    this.dir = dir;
    this.deleteOnClose = deleteOnClose;
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
            .setMaxWriteBufferNumber(2);
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    try {
      Files.createDirectories(dir);
      this.db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException | IOException e) {
      closeNative();
      throw new UncheckedIOException(new IOException("cannot open state store in " + dir, e));
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
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("state store read failed", e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      db.put(writeOptions, key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException("state store write failed", e);
    }
  }

  @Override
  public void delete(byte[] key) {
    try {
      db.delete(writeOptions, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("state store delete failed", e);
    }
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    RocksIterator it = db.newIterator();
    it.seek(from);
    return new RangeIterator() {
      @Override
      public boolean hasNext() {
        return it.isValid() && Arrays.compareUnsigned(it.key(), toExclusive) < 0;
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Map.Entry<byte[], byte[]> e = new AbstractMap.SimpleImmutableEntry<>(it.key(), it.value());
        it.next();
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
    db.close();
    closeNative();
    if (deleteOnClose) {
      deleteDirectory(dir);
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
