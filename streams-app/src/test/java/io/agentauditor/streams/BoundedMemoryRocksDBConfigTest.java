package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedMemoryRocksDBConfigTest {

  private static final long MEMORY = 32L * 1024 * 1024;
  private static final Map<String, Object> CONFIGS =
      Map.of(
          BoundedMemoryRocksDBConfig.MEMORY_BYTES_CONFIG, MEMORY,
          BoundedMemoryRocksDBConfig.WRITE_BUFFER_RATIO_CONFIG, "0.25");

  private final BoundedMemoryRocksDBConfig setter = new BoundedMemoryRocksDBConfig();

  /** Options as Kafka Streams hands them to a config setter. */
  private static Options streamsOptions() {
    Options options = new Options();
    options.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
    return options;
  }

  @Test
  void shouldGiveEveryStoreTheSameCacheAndWriteBufferManager() {
    // Given
    try (Options first = streamsOptions(); Options second = streamsOptions()) {
      // When
      setter.setConfig("sessions", first, CONFIGS);
      setter.setConfig("dedupe", second, CONFIGS);

      // Then
      BlockBasedTableConfigWithAccessibleCache firstTable =
          (BlockBasedTableConfigWithAccessibleCache) first.tableFormatConfig();
      BlockBasedTableConfigWithAccessibleCache secondTable =
          (BlockBasedTableConfigWithAccessibleCache) second.tableFormatConfig();
      assertThat(firstTable.blockCache()).isNotNull().isSameAs(secondTable.blockCache());
      assertThat(first.writeBufferManager()).isNotNull().isSameAs(second.writeBufferManager());
      assertThat(firstTable.cacheIndexAndFilterBlocks()).isTrue();
      assertThat(firstTable.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
      assertThat(firstTable.pinTopLevelIndexAndFilter()).isTrue();
      assertThat(firstTable.blockSize()).isEqualTo(BoundedMemoryRocksDBConfig.BLOCK_SIZE);
      assertThat(first.maxWriteBufferNumber()).isEqualTo(BoundedMemoryRocksDBConfig.MEMTABLES_PER_STORE);
      // a quarter of the bound for memtables, shared by up to three memtables per store
      assertThat(first.writeBufferSize()).isEqualTo(MEMORY / 4 / 3);
      // a miss in the memtables is answered by their filter, not a skip-list walk
      assertThat(first.memtablePrefixBloomSizeRatio())
          .isEqualTo(BoundedMemoryRocksDBConfig.MEMTABLE_FILTER_RATIO);
      assertThat(first.memtableWholeKeyFiltering()).isTrue();
      assertThat(BoundedMemoryRocksDBConfig.openStores()).isEqualTo(2);
    } finally {
      setter.close("sessions", null);
      setter.close("dedupe", null);
    }
    assertThat(BoundedMemoryRocksDBConfig.openStores()).isZero();
  }

  @Test
  void shouldCreateAFreshCacheOnlyAfterTheLastStoreClosed() {
    // Given
    try (Options first = streamsOptions(); Options second = streamsOptions();
        Options third = streamsOptions()) {
      setter.setConfig("a", first, CONFIGS);
      setter.setConfig("b", second, CONFIGS);

      // When: one store closes while the other stays open
      setter.close("a", first);
      setter.setConfig("c", third, CONFIGS);

      // Then: the survivor's cache is reused
      assertThat(((BlockBasedTableConfigWithAccessibleCache) third.tableFormatConfig()).blockCache())
          .isSameAs(((BlockBasedTableConfigWithAccessibleCache) second.tableFormatConfig()).blockCache());
      setter.close("b", second);
      setter.close("c", third);
      assertThat(BoundedMemoryRocksDBConfig.openStores()).isZero();

      // When: a store opens after all closed
      try (Options fourth = streamsOptions()) {
        setter.setConfig("d", fourth, CONFIGS);
        // Then: a new cache, not the closed one
        assertThat(((BlockBasedTableConfigWithAccessibleCache) fourth.tableFormatConfig()).blockCache())
            .isNotSameAs(((BlockBasedTableConfigWithAccessibleCache) third.tableFormatConfig()).blockCache());
        setter.close("d", fourth);
      }
    }
  }

  @Test
  void shouldChargeTheMemtablesOfRealRocksDbStoresToTheSharedCache(@TempDir Path dir)
      throws Exception {
    // Given: two real RocksDB databases configured by the setter
    RocksDB.loadLibrary();
    try (Options first = streamsOptions(); Options second = streamsOptions()) {
      setter.setConfig("one", first, CONFIGS);
      setter.setConfig("two", second, CONFIGS);
      first.setCreateIfMissing(true);
      second.setCreateIfMissing(true);
      long before = BoundedMemoryRocksDBConfig.cacheUsageBytes();
      try (RocksDB one = RocksDB.open(first, dir.resolve("one").toString());
          RocksDB two = RocksDB.open(second, dir.resolve("two").toString())) {
        // When
        byte[] value = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2_000; i++) {
          byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
          one.put(key, value);
          two.put(key, value);
        }

        // Then: memtable memory shows up in the one cache, within the bound
        long usage = BoundedMemoryRocksDBConfig.cacheUsageBytes();
        assertThat(usage).isGreaterThan(before).isGreaterThan(2_000L * 1024);
        assertThat(usage).isLessThanOrEqualTo(MEMORY);
        assertThat(one.get("key-7".getBytes(StandardCharsets.UTF_8))).isEqualTo(value);
      }
    } finally {
      setter.close("one", null);
      setter.close("two", null);
    }
  }

  @Test
  void shouldRejectANonPositiveMemoryBound() {
    try (Options options = streamsOptions()) {
      assertThatThrownBy(
              () ->
                  setter.setConfig(
                      "s", options, Map.of(BoundedMemoryRocksDBConfig.MEMORY_BYTES_CONFIG, "0")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rocksdb.memory.bytes")
          .hasMessageContaining("0");
    }
    assertThat(BoundedMemoryRocksDBConfig.openStores()).isZero();
  }
}
