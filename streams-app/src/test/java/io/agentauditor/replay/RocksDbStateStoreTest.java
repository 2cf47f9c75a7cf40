package io.agentauditor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.engine.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbStateStoreTest {

  @TempDir Path tmp;

  @Test
  void shouldReadBackWhatWasWrittenAndForgetWhatWasDeleted() {
    try (RocksDbStateStore store = new RocksDbStateStore(tmp.resolve("db"), 1 << 20, false)) {
      // Given
      store.put(bytes(1, 2), bytes(9));
      store.put(bytes(1, 3), bytes(8));
      // When
      store.delete(bytes(1, 3));
      // Then
      assertThat(store.get(bytes(1, 2))).containsExactly(9);
      assertThat(store.get(bytes(1, 3))).isNull();
      assertThat(store.get(bytes(7))).isNull();
    }
  }

  @Test
  void shouldScanAHalfOpenRangeInUnsignedKeyOrder() {
    try (RocksDbStateStore store = new RocksDbStateStore(tmp.resolve("db"), 1 << 20, false)) {
      // Given keys on both sides of the sign bit, and the range bounds themselves
      for (int k : new int[] {0x10, 0x7f, 0x80, 0xff}) {
        store.put(bytes(5, k), bytes(k));
      }
      store.put(bytes(6), bytes(0));
      // When
      List<Integer> seen = new ArrayList<>();
      try (StateStore.RangeIterator it = store.range(bytes(5, 0x7f), bytes(5, 0xff))) {
        it.forEachRemaining(e -> seen.add(e.getKey()[1] & 0xff));
      }
      // Then: from is included, toExclusive is not
      assertThat(seen).containsExactly(0x7f, 0x80);
    }
  }

  @Test
  void shouldReadHeldWritesAndDeletesBeforeTheyReachRocksDb() {
    try (RocksDbStateStore store = new RocksDbStateStore(tmp.resolve("db"), 1 << 20, false, 1000)) {
      // Given a key already in RocksDB, and held writes over it
      store.put(bytes(1), bytes(1));
      store.flush();
      store.put(bytes(1), bytes(2));
      store.put(bytes(2), bytes());
      store.put(bytes(3), bytes(3));
      // When
      store.delete(bytes(3));
      // Then: the latest write per key, an empty value stays a value, a held delete hides the key
      assertThat(store.held()).isEqualTo(3);
      assertThat(store.get(bytes(1))).containsExactly(2);
      assertThat(store.get(bytes(2))).isEmpty();
      assertThat(store.get(bytes(3))).isNull();
    }
  }

  @Test
  void shouldWriteABatchOnceItHoldsBatchEntriesKeys() {
    try (RocksDbStateStore store = new RocksDbStateStore(tmp.resolve("db"), 1 << 20, false, 3)) {
      // Given
      store.put(bytes(1), bytes(1));
      store.put(bytes(1), bytes(2)); // replaces a held write: still one key
      store.put(bytes(2), bytes(2));
      assertThat(store.held()).isEqualTo(2);
      // When
      store.delete(bytes(3));
      // Then
      assertThat(store.held()).isZero();
      assertThat(store.get(bytes(1))).containsExactly(2);
    }
  }

  @Test
  void shouldScanHeldWritesAndDeletes() {
    try (RocksDbStateStore store = new RocksDbStateStore(tmp.resolve("db"), 1 << 20, false, 1000)) {
      // Given
      store.put(bytes(5, 1), bytes(1));
      store.put(bytes(5, 2), bytes(2));
      store.flush();
      store.delete(bytes(5, 1));
      store.put(bytes(5, 3), bytes(3));
      // When
      List<Integer> seen = new ArrayList<>();
      try (StateStore.RangeIterator it = store.range(bytes(5), bytes(6))) {
        it.forEachRemaining(e -> seen.add((int) e.getKey()[1]));
      }
      // Then
      assertThat(seen).containsExactly(2, 3);
    }
  }

  @Test
  void shouldScanHeldWritesOverRocksDbsInKeyOrderWithoutWritingThem() {
    try (RocksDbStateStore store = new RocksDbStateStore(tmp.resolve("db"), 1 << 20, false, 1000)) {
      // Given keys in RocksDB, and held writes that replace, hide and add keys around them
      for (int k = 1; k <= 5; k++) {
        store.put(bytes(5, k), bytes(k));
      }
      store.put(bytes(4, 9), bytes(0));
      store.flush();
      store.put(bytes(5, 0), bytes(10));
      store.put(bytes(5, 2), bytes(20));
      store.delete(bytes(5, 3));
      store.put(bytes(5, 6), bytes(60));
      store.put(bytes(6), bytes(0));
      // When
      List<String> seen = new ArrayList<>();
      try (StateStore.RangeIterator it = store.range(bytes(5), bytes(6))) {
        it.forEachRemaining(e -> seen.add(e.getKey()[1] + "=" + e.getValue()[0]));
      }
      // Then
      assertThat(seen).containsExactly("0=10", "1=1", "2=20", "4=4", "5=5", "6=60");
      assertThat(store.held()).isEqualTo(5);
    }
  }

  @Test
  void shouldReadKeysWrittenToRocksDbAndNoneThatWereNot() {
    try (RocksDbStateStore store = new RocksDbStateStore(tmp.resolve("db"), 1 << 20, false, 16)) {
      // Given many batches of keys gone to RocksDB
      for (int k = 0; k < 5000; k++) {
        store.put(bytes(1, k >> 8, k), bytes(k));
      }
      store.flush();
      // Then
      for (int k = 0; k < 5000; k++) {
        assertThat(store.get(bytes(1, k >> 8, k))).containsExactly((byte) k);
        assertThat(store.get(bytes(2, k >> 8, k))).isNull();
      }
    }
  }

  @Test
  void shouldKeepHeldWritesOfAKeptDatabaseWhenClosed() {
    // Given
    Path dir = tmp.resolve("db");
    try (RocksDbStateStore store = new RocksDbStateStore(dir, 1 << 20, false, 1000)) {
      store.put(bytes(1), bytes(7));
    }
    // When
    try (RocksDbStateStore reopened = new RocksDbStateStore(dir, 1 << 20, false)) {
      // Then
      assertThat(reopened.get(bytes(1))).containsExactly(7);
    }
  }

  @Test
  void shouldRemoveItsDirectoryWhenTemporary() {
    // Given
    RocksDbStateStore store = RocksDbStateStore.temporary(1 << 20);
    store.put(bytes(1), bytes(1));
    Path dir = store.directory();
    // When
    store.close();
    // Then
    assertThat(Files.exists(dir)).isFalse();
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
