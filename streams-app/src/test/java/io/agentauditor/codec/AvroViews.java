package io.agentauditor.codec;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.schema.AgentEvent;

/**
 * The codec's steps seen as Avro records, so the codec's tests can build and compare events with
 * the generated builders and getters: decoding is {@link EventJsonCodec}'s, then {@link
 * EventMapper}'s mapping; encoding maps back first.
 */
final class AvroViews {

  private AvroViews() {}

  static AgentEvent decode(String line) {
    return EventMapper.toAvro(EventJsonCodec.decode(line));
  }

  static AgentEvent decode(byte[] line) {
    return EventMapper.toAvro(EventJsonCodec.decode(line));
  }

  static AgentEvent decode(byte[] buf, int offset, int length) {
    return EventMapper.toAvro(EventJsonCodec.decode(buf, offset, length));
  }

  static String encode(AgentEvent event) {
    return EventJsonCodec.encode(EventMapper.toStep(event));
  }

  static byte[] encodeUtf8(AgentEvent event) {
    return EventJsonCodec.encodeUtf8(EventMapper.toStep(event));
  }

  static boolean isValid(AgentEvent event) {
    return EventMapper.isValid(event);
  }
}
