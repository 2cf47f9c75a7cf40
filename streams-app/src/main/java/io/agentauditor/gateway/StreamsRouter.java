package io.agentauditor.gateway;

import io.agentauditor.streams.AuditorTopology;
import java.net.URI;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Finds the instance whose task owns a session's partition from Kafka Streams' metadata (the
 * chain-state store's key is the session id, as the events topic's is), each instance advertising
 * its decision API as {@code application.server}.
 */
public final class StreamsRouter implements Router {

  private final KafkaStreams streams;
  private final HostInfo self;

  /** @param self this instance's {@code application.server} */
  public StreamsRouter(KafkaStreams streams, HostInfo self) {
    this.streams = streams;
    this.self = self;
  }

  @Override
  public Optional<URI> ownerOf(String sessionId) {
    KeyQueryMetadata md;
    try {
      md =
          streams.queryMetadataForKey(
              AuditorTopology.CHAIN_STATE_STORE, sessionId, Serdes.String().serializer());
    } catch (IllegalStateException e) {
      return Optional.empty(); // not running (yet): append here; the owner decides when it can
    }
    if (md == null || KeyQueryMetadata.NOT_AVAILABLE.equals(md)) {
      return Optional.empty();
    }
    HostInfo owner = md.activeHost();
    if (owner == null || owner.equals(self) || owner.port() < 0) {
      return Optional.empty();
    }
    String host = owner.host().contains(":") ? "[" + owner.host() + "]" : owner.host();
    return Optional.of(URI.create("http://" + host + ":" + owner.port()));
  }
}
