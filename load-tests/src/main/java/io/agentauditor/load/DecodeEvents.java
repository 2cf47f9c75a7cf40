package io.agentauditor.load;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.replay.JsonLinesReader;
import io.agentauditor.replay.Replayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The baseline of a replay timing: reads a JSON Lines file the way {@code ./auditor replay} does,
 * and decodes (and so validates) every event, without deciding or writing anything.
 *
 * <p>Usage: {@code DecodeEvents INPUT}; prints the events decoded.
 */
public final class DecodeEvents {

  private DecodeEvents() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: DecodeEvents INPUT");
      System.exit(2);
    }
    long decoded = 0;
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      JsonLinesReader reader = new JsonLinesReader(in, Replayer.MAX_RECORD_BYTES);
      for (JsonLinesReader.Record r = reader.next(); r != null; r = reader.next()) {
        EventJsonCodec.decode(r.bytes()); // validates too, as in the replay
        decoded++;
      }
    }
    System.out.println("decoded " + decoded + " events");
  }
}
