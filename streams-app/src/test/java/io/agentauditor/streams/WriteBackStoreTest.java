package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-back layer over a real RocksDB store: reads see held writes at once, the store below
 * sees them only when they are written down (commit, bound), a range merges them with the store
 * below, and a discarded task's held writes never reach it.
 */
class WriteBackStoreTest {

  @TempDir Path stateDir;

  private KeyValueStore<Bytes, byte[]> rocks;
  private WriteBackStore store;

  @BeforeEach
  void openStore() {
    rocks = TestRocksStores.bare();
    store = new WriteBackStore(rocks, 3);
    TestRocksStores.init(store, stateDir);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void shouldHoldTheLatestWriteOfAKeyUntilTheCommit() {
    // Given
    store.put(key(1), new byte[] {1});
    store.put(key(1), new byte[] {2});

    // When / Then: read back at once, not yet below
    assertThat(store.get(key(1))).containsExactly(2);
    assertThat(rocks.get(key(1))).isNull();
    assertThat(store.held()).isEqualTo(1);

    // When the task commits
    store.flushCache();

    // Then the latest value alone went down, once
    assertThat(rocks.get(key(1))).containsExactly(2);
    assertThat(store.held()).isZero();
    assertThat(store.writtenDown()).isEqualTo(1);
  }

  @Test
  void shouldHideADeletedKeyAndDeleteItBelowAtTheCommit() {
    // Given a key already below
    store.put(key(1), new byte[] {1});
    store.commit(Map.of());

    // When
    byte[] old = store.delete(key(1));

    // Then
    assertThat(old).containsExactly(1);
    assertThat(store.get(key(1))).isNull();
    assertThat(rocks.get(key(1))).containsExactly(1);
    store.flushCache();
    assertThat(rocks.get(key(1))).isNull();
  }

  @Test
  void shouldKeepAnEmptyValueApartFromADeletion() {
    // When
    store.put(key(1), new byte[0]);
    store.flushCache();

    // Then
    assertThat(store.get(key(1))).isEmpty();
    assertThat(rocks.get(key(1))).isEmpty();
  }

  @Test
  void shouldMergeHeldWritesIntoARangeWithoutWritingThemDown() {
    // Given keys 1, 3 and 4 below, then 2 held, 1 deleted and 4 replaced while held
    store.put(key(1), new byte[] {1});
    store.put(key(3), new byte[] {3});
    store.put(key(4), new byte[] {4});
    store.flushCache();
    store.put(key(2), new byte[] {2});
    store.put(key(4), new byte[] {5});
    store.delete(key(1));

    // When
    List<String> entries = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = store.range(key(0), key(9))) {
      it.forEachRemaining(kv -> entries.add(kv.key.get()[0] + "=" + kv.value[0]));
    }

    // Then the range sees every write, and the writes are still held, not below
    assertThat(entries).containsExactly("2=2", "3=3", "4=5");
    assertThat(store.held()).isEqualTo(3);
    assertThat(rocks.get(key(1))).containsExactly(1);
    assertThat(rocks.get(key(4))).containsExactly(4);
  }

  @Test
  void shouldWriteDownWhenMoreKeysThanTheBoundAreHeld() {
    // When four keys are written with room for three
    store.putAll(
        List.of(
            KeyValue.pair(key(1), new byte[] {1}),
            KeyValue.pair(key(2), new byte[] {2}),
            KeyValue.pair(key(3), new byte[] {3})));
    assertThat(rocks.get(key(1))).isNull();
    store.put(key(4), new byte[] {4});

    // Then all four went down
    assertThat(store.held()).isZero();
    assertThat(rocks.get(key(1))).containsExactly(1);
    assertThat(rocks.get(key(4))).containsExactly(4);
  }

  @Test
  void shouldWriteDownWhenTheHeldBytesPassTheBound() {
    // Given
    store.put(key(1), new byte[] {1});

    // When one value larger than the byte bound is written
    store.put(key(2), new byte[(int) WriteBackStore.MAX_HELD_BYTES]);

    // Then both went down at once
    assertThat(store.held()).isZero();
    assertThat(rocks.get(key(1))).containsExactly(1);
    assertThat(rocks.get(key(2))).hasSize((int) WriteBackStore.MAX_HELD_BYTES);
  }

  @Test
  void shouldDropHeldWritesWhenTheTaskStateIsDiscarded() {
    // Given
    store.put(key(1), new byte[] {1});

    // When Streams discards the task's cached state (a dirty close or a recycle)
    store.clearCache();

    // Then nothing reaches the store below, not even at a later commit
    store.flushCache();
    assertThat(rocks.get(key(1))).isNull();
    assertThat(store.get(key(1))).isNull();
  }

  @Test
  void shouldPutIfAbsentAgainstHeldWrites() {
    // Given
    store.put(key(1), new byte[] {1});

    // When / Then
    assertThat(store.putIfAbsent(key(1), new byte[] {9})).containsExactly(1);
    assertThat(store.putIfAbsent(key(2), new byte[] {2})).isNull();
    assertThat(store.get(key(1))).containsExactly(1);
    assertThat(store.get(key(2))).containsExactly(2);
  }

  @Test
  void shouldAnswerNarrowRangesFromUnsortedHeldKeysUntilReadingThemCostsAsMuchAsASort() {
    // Given a thousand held keys of one first byte, in no order, and a store below holding more
    KeyValueStore<Bytes, byte[]> below = TestRocksStores.bare();
    WriteBackStore wide = new WriteBackStore(below, 10_000);
    TestRocksStores.init(wide, stateDir.resolve("wide"));
    try {
      wide.put(key(7, 3, 250), new byte[] {1});
      wide.flushCache();
      for (int i = 0; i < 1000; i++) {
        int k = (i * 389) % 1000;
        wide.put(key(7, k / 250, k % 250), new byte[] {2});
      }

      // When a narrow range asks a prefix no held key has, again and again
      for (int i = 0; i < 5; i++) {
        assertThat(keys(wide.range(key(7, 9), key(7, 9, 255)))).isEmpty();
      }
      // and one asks a prefix that some held keys and the key below have
      List<String> some = keys(wide.range(key(7, 3, 248), key(7, 3, 255)));

      // Then they read the held keys in place, in order, merged with the store below
      assertThat(some).containsExactly("7.3.248", "7.3.249", "7.3.250");
      assertThat(wide.sorts()).isZero();

      // When ranges keep coming until reading the unsorted keys would cost more than sorting them
      for (int i = 0; i < 20; i++) {
        wide.range(key(7, 9), key(7, 9, 255)).close();
      }

      // Then the keys were sorted once, and ranges still see new keys put after the sort
      assertThat(wide.sorts()).isEqualTo(1);
      wide.put(key(7, 3, 248), new byte[] {3});
      wide.put(key(7, 4, 1), new byte[] {3});
      assertThat(keys(wide.range(key(7, 3, 246), key(7, 4, 1))))
          .containsExactly("7.3.246", "7.3.247", "7.3.248", "7.3.249", "7.3.250", "7.4.1");
      assertThat(keys(wide.reverseRange(key(7, 3, 249), key(7, 4, 1))))
          .containsExactly("7.4.1", "7.3.250", "7.3.249");
      assertThat(wide.sorts()).isEqualTo(1);
    } finally {
      wide.close();
    }
  }

  private static List<String> keys(KeyValueIterator<Bytes, byte[]> it) {
    List<String> out = new ArrayList<>();
    try (it) {
      it.forEachRemaining(
          kv -> {
            StringBuilder sb = new StringBuilder();
            for (byte b : kv.key.get()) {
              sb.append(sb.length() == 0 ? "" : ".").append(b & 0xFF);
            }
            out.add(sb.toString());
          });
    }
    return out;
  }

  private static Bytes key(int... bytes) {
    byte[] key = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      key[i] = (byte) bytes[i];
    }
    return Bytes.wrap(key);
  }

  private static Bytes key(int k) {
    return Bytes.wrap(new byte[] {(byte) k});
  }
}
