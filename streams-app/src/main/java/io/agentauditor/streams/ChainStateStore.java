package io.agentauditor.streams;

import io.agentauditor.engine.StateStore;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The engine's {@link StateStore} over a Kafka Streams {@code KeyValueStore<Bytes, byte[]>} (the
 * persistent, changelogged {@value AuditorTopology#CHAIN_STATE_STORE} store of one task). Keys are
 * copied on write because the store (and its cache) keep the array; Kafka's {@code Bytes} order is
 * unsigned lexicographic, as the engine expects.
 *
 * <p>Kafka's {@code range(from, to)} includes {@code to}; the engine's is exclusive, so the
 * iterator stops before a key equal to {@code toExclusive}, and an empty or inverted range never
 * touches the store. Not thread-safe: one per processor (task).
 */
final class ChainStateStore implements StateStore {

  private final KeyValueStore<Bytes, byte[]> store;

  ChainStateStore(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
  }

  @Override
  public byte[] get(byte[] key) {
    return store.get(Bytes.wrap(key));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    store.put(Bytes.wrap(key.clone()), value);
  }

  @Override
  public void delete(byte[] key) {
    store.delete(Bytes.wrap(key.clone()));
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    if (Arrays.compareUnsigned(from, toExclusive) >= 0) {
      return EMPTY;
    }
    KeyValueIterator<Bytes, byte[]> it = store.range(Bytes.wrap(from), Bytes.wrap(toExclusive));
    return new RangeIterator() {
      @Override
      public boolean hasNext() {
        return it.hasNext() && Arrays.compareUnsigned(it.peekNextKey().get(), toExclusive) < 0;
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        KeyValue<Bytes, byte[]> kv = it.next();
        return new AbstractMap.SimpleImmutableEntry<>(kv.key.get(), kv.value);
      }

      @Override
      public void close() {
        it.close();
      }
    };
  }

  private static final RangeIterator EMPTY =
      new RangeIterator() {
        @Override
        public boolean hasNext() {
          return false;
        }

        @Override
        public Map.Entry<byte[], byte[]> next() {
          throw new NoSuchElementException();
        }

        @Override
        public void close() {}
      };
}
