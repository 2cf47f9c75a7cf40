package io.agentauditor.serde;

import io.agentauditor.text.Utf8;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * UTF-8 strings, refusing bytes that are not well-formed UTF-8 where Kafka's own {@code
 * StringDeserializer} would turn them into U+FFFD: a record key must be its event's {@code
 * sessionId}, and a lossy key could pass for one it is not. Null stays null.
 */
public final class StrictStringSerde {

  private StrictStringSerde() {}

  /** The serde: Kafka's UTF-8 serializer, and the strict deserializer below. */
  public static Serde<String> create() {
    return Serdes.serdeFrom(new StringSerializer(), new StrictDeserializer());
  }

  /** Decodes UTF-8, throwing {@link SerializationException} on bytes that are not well-formed. */
  static final class StrictDeserializer implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
      if (data == null) {
        return null;
      }
      int at = Utf8.firstInvalid(data, 0, data.length, false);
      if (at >= 0) {
        throw new SerializationException(
            "a string of " + data.length + " bytes is not valid UTF-8 (byte offset " + at + ")");
      }
      return new String(data, StandardCharsets.UTF_8);
    }
  }
}
