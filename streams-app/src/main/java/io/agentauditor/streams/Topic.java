package io.agentauditor.streams;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the topology, declared once with its serdes; every source and sink of {@link
 * AuditorTopology} takes its name and (de)serializers from here, none from Streams' default serdes.
 *
 * @param name the topic name; not null
 * @param keySerde serde of the record keys; not null
 * @param valueSerde serde of the record values; not null
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }
}
