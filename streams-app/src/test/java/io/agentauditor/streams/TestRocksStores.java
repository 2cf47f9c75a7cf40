package io.agentauditor.streams;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** A real RocksDB key-value store of Streams, outside a topology, for tests of the layers on it. */
final class TestRocksStores {

  private TestRocksStores() {}

  /** The bare RocksDB chain-state store (no changelog, no cache), not yet opened. */
  static KeyValueStore<Bytes, byte[]> bare() {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(AuditorTopology.CHAIN_STATE_STORE),
            Serdes.Bytes(),
            Serdes.ByteArray())
        .withLoggingDisabled()
        .withCachingDisabled()
        .build();
  }

  /** Opens {@code store} (the outermost layer, registered as the root) under {@code stateDir}. */
  static void init(StateStore store, Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "chain-state-store-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    MockProcessorContext<Object, Object> context =
        new MockProcessorContext<>(props, new TaskId(0, 0), stateDir.toFile());
    store.init(context.getStateStoreContext(), store);
  }
}
