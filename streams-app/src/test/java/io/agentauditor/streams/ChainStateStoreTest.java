package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.engine.StateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's store contract on a real RocksDB key-value store: unsigned order, exclusive ranges.
 */
class ChainStateStoreTest {

  @TempDir Path stateDir;

  private KeyValueStore<Bytes, byte[]> rocks;
  private StateStore store;

  @BeforeEach
  void openStore() {
    rocks = TestRocksStores.bare();
    TestRocksStores.init(rocks, stateDir);
    store = new ChainStateStore(rocks);
  }

  @AfterEach
  void closeStore() {
    rocks.close();
  }

  @Test
  void shouldExcludeTheUpperBoundOfARange() {
    // Given
    for (int k : new int[] {1, 2, 3, 4}) {
      store.put(new byte[] {7, (byte) k}, new byte[] {(byte) k});
    }

    // When / Then
    assertThat(keys(new byte[] {7, 2}, new byte[] {7, 4})).containsExactly("7,2", "7,3");
    assertThat(keys(new byte[] {7}, new byte[] {8})).containsExactly("7,1", "7,2", "7,3", "7,4");
    assertThat(keys(new byte[] {7, 2}, new byte[] {7, 2})).isEmpty();
    assertThat(keys(new byte[] {7, 4}, new byte[] {7, 1})).isEmpty();
  }

  @Test
  void shouldOrderKeysAsUnsignedBytes() {
    // Given keys whose first byte is negative as a Java byte
    store.put(new byte[] {(byte) 0x80}, new byte[] {1});
    store.put(new byte[] {0x01}, new byte[] {2});
    store.put(new byte[] {(byte) 0xff, 0}, new byte[] {3});

    // When / Then
    assertThat(keys(new byte[] {0}, new byte[] {(byte) 0xff, 1}))
        .containsExactly("1", "-128", "-1,0");
  }

  @Test
  void shouldNotBeChangedByTheCallerReusingAKeyArray() {
    // Given
    byte[] key = {5, 1};
    store.put(key, new byte[] {9});

    // When the caller writes into its array afterwards
    key[1] = 2;

    // Then the stored key is unchanged; delete removes it
    assertThat(store.get(new byte[] {5, 1})).containsExactly(9);
    assertThat(store.get(new byte[] {5, 2})).isNull();
    store.delete(new byte[] {5, 1});
    assertThat(store.get(new byte[] {5, 1})).isNull();
  }

  private List<String> keys(byte[] from, byte[] toExclusive) {
    List<String> keys = new ArrayList<>();
    try (StateStore.RangeIterator it = store.range(from, toExclusive)) {
      it.forEachRemaining(
          e -> {
            StringBuilder sb = new StringBuilder();
            for (byte b : e.getKey()) {
              sb.append(sb.length() == 0 ? "" : ",").append(b);
            }
            keys.add(sb.toString());
          });
    }
    return keys;
  }
}
