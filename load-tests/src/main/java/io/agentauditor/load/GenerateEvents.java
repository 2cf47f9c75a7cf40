package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code N} events of the seeded realistic mix as JSON Lines (contract section 2), the input
 * of {@code ./auditor replay}.
 *
 * <p>Usage: {@code GenerateEvents OUTPUT [EVENTS (default 1000000)] [SEED (default 42)]}.
 */
public final class GenerateEvents {

  private GenerateEvents() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: GenerateEvents OUTPUT [EVENTS] [SEED]");
      System.exit(2);
    }
    Path output = Path.of(args[0]);
    long events = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : Workload.SEED;
    long bytes = write(output, events, seed);
    System.out.printf("wrote %d events (%d bytes) to %s, seed %d%n", events, bytes, output, seed);
  }

  /** Writes the events and returns the bytes written. */
  static long write(Path output, long events, long seed) throws IOException {
    SessionGenerator generator = SessionGenerator.realistic(seed);
    long bytes = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
      for (long i = 0; i < events; i++) {
        byte[] line = EventJsonCodec.encodeUtf8(EventMapper.toStep(generator.next()));
        out.write(line);
        out.write('\n');
        bytes += line.length + 1;
      }
    }
    return bytes;
  }
}
