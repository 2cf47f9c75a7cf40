package io.agentauditor.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the off-heap memory of every RocksDB store in this JVM, after the "bounded memory" recipe
 * of the Kafka Streams memory-management docs: ONE {@link LRUCache} shared by all stores holds data
 * blocks, index and filter blocks (high-priority pool), and, through ONE {@link
 * WriteBufferManager}, is charged with every store's memtables.
 *
 * <p>Sizing comes from the Streams configuration: {@value #MEMORY_BYTES_CONFIG} (total bytes) and
 * {@value #WRITE_BUFFER_RATIO_CONFIG} (share of it memtables may take). The shared objects are
 * created by the first store that opens and closed when the last store using them closes, so a
 * later application in the same JVM starts afresh with its own sizing; while stores are open, a
 * different sizing is ignored with a warning (the bound is per JVM, not per application).
 *
 * <p>Kafka Streams instantiates this class by name ({@code rocksdb.config.setter}); it is stateless
 * per instance and thread-safe.
 */
public final class BoundedMemoryRocksDBConfig implements RocksDBConfigSetter {

  /** Total off-heap bytes for all stores: block cache including memtables. */
  public static final String MEMORY_BYTES_CONFIG = "rocksdb.memory.bytes";

  /** Share of {@link #MEMORY_BYTES_CONFIG} that memtables may use. */
  public static final String WRITE_BUFFER_RATIO_CONFIG = "rocksdb.write.buffer.ratio";

  static final long DEFAULT_MEMORY_BYTES = 256L * 1024 * 1024;
  static final double DEFAULT_WRITE_BUFFER_RATIO = 0.5;
  /** Share of the cache reserved for index and filter blocks, so data blocks cannot evict them. */
  static final double INDEX_FILTER_BLOCK_RATIO = 0.1;
  static final long BLOCK_SIZE = 16 * 1024;
  static final int MEMTABLES_PER_STORE = 3;
  /** Share of each memtable given to a Bloom filter of its whole keys. */
  static final double MEMTABLE_FILTER_RATIO = 0.05;

  private static final Logger LOGGER = LoggerFactory.getLogger(BoundedMemoryRocksDBConfig.class);
  private static final Object LOCK = new Object();

  private static Shared shared;

  /** The cache and write-buffer manager of every open store, and how many stores use them. */
  private static final class Shared {
    final Cache cache;
    final WriteBufferManager writeBufferManager;
    final long memoryBytes;
    final long memtableBytes;
    int users;

    Shared(long memoryBytes, long memtableBytes) {
      this.memoryBytes = memoryBytes;
      this.memtableBytes = memtableBytes;
      this.cache = new LRUCache(memoryBytes, -1, false, INDEX_FILTER_BLOCK_RATIO);
      this.writeBufferManager = new WriteBufferManager(memtableBytes, cache);
    }
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    long memoryBytes = longConfig(configs, MEMORY_BYTES_CONFIG, DEFAULT_MEMORY_BYTES);
    double ratio = doubleConfig(configs, WRITE_BUFFER_RATIO_CONFIG, DEFAULT_WRITE_BUFFER_RATIO);
    Shared current = acquire(memoryBytes, ratio);

    BlockBasedTableConfig tableConfig = (BlockBasedTableConfig) options.tableFormatConfig();
    tableConfig.setBlockCache(current.cache);
    tableConfig.setCacheIndexAndFilterBlocks(true);
    tableConfig.setCacheIndexAndFilterBlocksWithHighPriority(true);
    tableConfig.setPinTopLevelIndexAndFilter(true);
    tableConfig.setBlockSize(BLOCK_SIZE);
    options.setWriteBufferManager(current.writeBufferManager);
    // Memtables flush when the manager's budget is reached; each may be a fair share of it.
    options.setMaxWriteBufferNumber(MEMTABLES_PER_STORE);
    options.setWriteBufferSize(Math.max(1024 * 1024, current.memtableBytes / MEMTABLES_PER_STORE));
    // Most reads of the chain-state store that reach RocksDB look for a key it doesn't hold (the
    // dedupe record of a new eventId, on every step); without a filter each walks the memtables'
    // skip lists before the files' Bloom filters say no. Its bytes come out of the memtable budget.
    options.setMemtablePrefixBloomSizeRatio(MEMTABLE_FILTER_RATIO);
    options.setMemtableWholeKeyFiltering(true);
    options.setTableFormatConfig(tableConfig);
  }

  @Override
  public void close(String storeName, Options options) {
    synchronized (LOCK) {
      if (shared == null) {
        return;
      }
      shared.users--;
      if (shared.users <= 0) {
        shared.writeBufferManager.close();
        shared.cache.close();
        LOGGER.debug("Closed the shared RocksDB cache after the last store {}", storeName);
        shared = null;
      }
    }
  }

  private static Shared acquire(long memoryBytes, double ratio) {
    synchronized (LOCK) {
      if (shared == null) {
        long memtableBytes = (long) (memoryBytes * ratio);
        shared = new Shared(memoryBytes, memtableBytes);
        LOGGER.info(
            "RocksDB memory bounded to {} bytes for all stores ({} for memtables)",
            memoryBytes,
            memtableBytes);
      } else if (shared.memoryBytes != memoryBytes) {
        LOGGER.warn(
            "RocksDB memory bound {} requested while stores share a bound of {}; keeping {}",
            memoryBytes,
            shared.memoryBytes,
            shared.memoryBytes);
      }
      shared.users++;
      return shared;
    }
  }

  /** Stores currently using the shared cache; 0 when none is open. For tests and metrics. */
  public static int openStores() {
    synchronized (LOCK) {
      return shared == null ? 0 : shared.users;
    }
  }

  /** Bytes currently held by the shared cache, memtables included; 0 when none is open. */
  public static long cacheUsageBytes() {
    synchronized (LOCK) {
      return shared == null ? 0 : shared.cache.getUsage();
    }
  }

  private static long longConfig(Map<String, Object> configs, String key, long fallback) {
    Object value = configs.get(key);
    if (value == null) {
      return fallback;
    }
    long parsed = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
    if (parsed <= 0) {
      throw new IllegalArgumentException(key + " must be positive, was " + value);
    }
    return parsed;
  }

  private static double doubleConfig(Map<String, Object> configs, String key, double fallback) {
    Object value = configs.get(key);
    if (value == null) {
      return fallback;
    }
    double parsed =
        value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString().trim());
    if (!(parsed > 0 && parsed < 1)) {
      throw new IllegalArgumentException(key + " must be in (0, 1), was " + value);
    }
    return parsed;
  }
}
