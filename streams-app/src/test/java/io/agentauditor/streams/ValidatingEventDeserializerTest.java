package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.model.Limits;
import io.agentauditor.model.Step;
import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.registry.SchemaRegistryClientConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The events topic's value deserializer: section 2's record limit on the Avro-encoded value. */
class ValidatingEventDeserializerTest {

  private static final String TOPIC = "agent-events";
  private static final long T = 1_780_000_000_000L;

  private final String scope = "validating-" + UUID.randomUUID();
  private final AvroSerde<AgentEvent> serde =
      AvroSerde.of(AgentEvent.class, Map.of(SchemaRegistryClientConfig.URL, "mock://" + scope), false);
  private final ValidatingEventDeserializer deserializer = new ValidatingEventDeserializer(serde);

  @AfterEach
  void dropRegistry() {
    InMemorySchemaRegistry.drop(scope);
  }

  @Test
  void shouldDecodeAnAvroValueOfExactlyOneMebibyteAndOneByteLess() {
    // Given: tool calls whose Avro encoding (after the 5-byte header) is 1 MiB and 1 MiB - 1
    byte[] atLimit = serializedOfSize(Limits.MAX_RECORD_BYTES);
    byte[] under = serializedOfSize(Limits.MAX_RECORD_BYTES - 1);
    // When
    Step a = deserializer.deserialize(TOPIC, atLimit);
    Step b = deserializer.deserialize(TOPIC, under);
    // Then
    assertThat(atLimit.length - AvroSerde.HEADER_SIZE).isEqualTo(Limits.MAX_RECORD_BYTES);
    assertThat(a).isInstanceOf(Step.ToolCall.class);
    assertThat(b).isInstanceOf(Step.ToolCall.class);
  }

  @Test
  void shouldRefuseAnAvroValueOneByteOverOneMebibyteNamingTheLimit() {
    // Given
    byte[] over = serializedOfSize(Limits.MAX_RECORD_BYTES + 1);
    // When
    InvalidAgentEventException e =
        catchThrowableOfType(
            () -> deserializer.deserialize(TOPIC, over), InvalidAgentEventException.class);
    // Then
    assertThat(e.fieldPath()).isEqualTo("$");
    assertThat(e.getMessage()).isEqualTo("$: record larger than 1048576 bytes (limit 1048576)");
  }

  /** The serialized bytes of a valid tool call whose Avro encoding takes {@code avroBytes}. */
  private byte[] serializedOfSize(int avroBytes) {
    int filler = 260_000;
    for (int attempt = 0; attempt < 4; attempt++) {
      byte[] bytes = serde.serialize(TOPIC, EventMapper.toAvro(toolCall(filler)));
      int delta = avroBytes - (bytes.length - AvroSerde.HEADER_SIZE);
      if (delta == 0) {
        return bytes;
      }
      filler += delta;
    }
    throw new AssertionError("no filler gives " + avroBytes + " bytes");
  }

  /** Three arguments of 256 KiB, then one of {@code filler} bytes (all within their limits). */
  private static Step toolCall(int filler) {
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      args.put("a" + i, "x".repeat(Limits.MAX_ARGUMENT_VALUE_BYTES));
    }
    args.put("rest", "y".repeat(filler));
    return new Step.ToolCall("e1", "s1", "agent:a", T, "repo.read_file", args, null);
  }
}
