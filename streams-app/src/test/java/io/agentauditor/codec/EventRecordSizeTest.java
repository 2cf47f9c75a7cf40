package io.agentauditor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentauditor.model.Limits;
import io.agentauditor.model.Step;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Section 2's record limit in the JSON form: a line of at most 1 MiB, without its trailing {@code
 * \r}, decodes; one byte more is {@code $: record larger than ...}, from a string or from bytes.
 */
class EventRecordSizeTest {

  private static final String REASON = "record larger than 1048576 bytes (limit 1048576)";

  /** A valid tool call line of exactly {@code size} bytes: four arguments fill it. */
  static String lineOfSize(int size) {
    String head =
        EventJsonCodecTest.json(
            "{" + EventJsonCodecTest.HEAD + "'type':'TOOL_CALL','toolCall':{'tool':'repo.read_file',"
                + "'arguments':{");
    StringBuilder sb = new StringBuilder(head);
    int room = size - head.length() - "}}}".length();
    for (int i = 0; i < 4; i++) {
      String name = "\"a" + i + "\":\"";
      int value = i < 3 ? (room / 4) : room - 3 * (room / 4);
      value -= name.length() + 1 + (i < 3 ? 1 : 0); // the quote, and the comma
      sb.append(name).append("x".repeat(value)).append('"');
      if (i < 3) {
        sb.append(',');
      }
    }
    String line = sb.append("}}}").toString();
    assertThat(line).hasSize(size);
    return line;
  }

  @Test
  void shouldDecodeALineOfExactlyOneMebibyteAndOneByteLess() {
    // Given
    String atLimit = lineOfSize(Limits.MAX_RECORD_BYTES);
    String under = lineOfSize(Limits.MAX_RECORD_BYTES - 1);
    // When
    Step fromString = EventJsonCodec.decode(atLimit);
    Step fromBytes = EventJsonCodec.decode(atLimit.getBytes(StandardCharsets.UTF_8));
    Step withCarriageReturn = EventJsonCodec.decode(atLimit + "\r");
    Step bytesWithCarriageReturn =
        EventJsonCodec.decode((atLimit + "\r").getBytes(StandardCharsets.UTF_8));
    // Then
    assertThat(fromString).isEqualTo(fromBytes).isEqualTo(withCarriageReturn)
        .isEqualTo(bytesWithCarriageReturn);
    assertThat(EventJsonCodec.decode(under)).isInstanceOf(Step.ToolCall.class);
  }

  @Test
  void shouldRejectALineOneByteOverOneMebibyteNamingTheLimit() {
    // Given: one byte more, here a space after the object (which JSON allows)
    String over = lineOfSize(Limits.MAX_RECORD_BYTES) + " ";
    // When
    InvalidEventException fromString =
        catchThrowableOfType(() -> EventJsonCodec.decode(over), InvalidEventException.class);
    InvalidEventException fromBytes =
        catchThrowableOfType(
            () -> EventJsonCodec.decode(over.getBytes(StandardCharsets.UTF_8)),
            InvalidEventException.class);
    // Then
    assertThat(fromString.fieldPath()).isEqualTo("$");
    assertThat(fromString.reason()).isEqualTo(REASON);
    assertThat(fromBytes.getMessage()).isEqualTo(fromString.getMessage());
  }

  @Test
  void shouldCountALineInBytesOfUtf8() {
    // Given: a line of 1 MiB of characters, one of which takes two bytes
    String line = lineOfSize(Limits.MAX_RECORD_BYTES);
    String twoByte = line.replaceFirst("xx", "\u00e9x");
    // When
    InvalidEventException e =
        catchThrowableOfType(() -> EventJsonCodec.decode(twoByte), InvalidEventException.class);
    // Then
    assertThat(e.reason()).isEqualTo(REASON);
  }
}
