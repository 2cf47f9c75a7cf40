package io.agentauditor.replay;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.codec.InvalidEventException;
import io.agentauditor.model.FieldPath;
import io.agentauditor.model.Limits;
import java.io.IOException;
import java.io.InputStream;

/**
 * A JSON Lines input as an {@link EventSource}: each line (contract section 2) is an event, or a
 * dead letter with its reason when it is oversized or invalid; the position is the line number.
 * Does not close the stream.
 */
public final class JsonLinesSource implements EventSource {

  private final JsonLinesReader reader;

  public JsonLinesSource(InputStream input) {
    this.reader = new JsonLinesReader(input, Replayer.MAX_RECORD_BYTES);
  }

  @Override
  public Record next() throws IOException {
    JsonLinesReader.Record line = reader.next();
    return line == null ? null : decode(line);
  }

  /**
   * Decodes one line as every file replay does: an oversized record or an invalid event is a dead
   * letter with its reason (contract sections 2 and 9.4).
   */
  static Record decode(JsonLinesReader.Record line) {
    int bytes = line.bytes().length;
    if (line.oversized()) {
      return Record.deadLetter(
          line.lineNumber(), FieldPath.ROOT + ": " + Limits.RECORD_TOO_LARGE, bytes);
    }
    try {
      return Record.event(line.lineNumber(), EventJsonCodec.decode(line.bytes()), bytes);
    } catch (InvalidEventException e) {
      return Record.deadLetter(line.lineNumber(), e.getMessage(), bytes);
    }
  }
}
