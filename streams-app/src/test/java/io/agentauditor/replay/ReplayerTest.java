package io.agentauditor.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.model.Decision;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The replay pipeline: order across batches, and failures of each of its threads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplayerTest {

  private static final AuditEngine ENGINE =
      new AuditEngine(PolicyBundleLoader.load(TestBundles.defaultBundle()));

  private static String start(String session) {
    return "{\"eventId\":\"e0\",\"sessionId\":\"" + session + "\",\"agentId\":\"agent:a\","
        + "\"occurredAt\":\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\","
        + "\"session\":{\"initiator\":\"user:u\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";
  }

  private static String read(String session, int i, String padding) {
    return "{\"eventId\":\"e" + i + "\",\"sessionId\":\"" + session + "\",\"agentId\":\"agent:a\","
        + "\"occurredAt\":\"2026-11-26T10:00:01Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{"
        + "\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\",\"pad\":\"" + padding + "\"}}}";
  }

  /**
   * Lines over several batches (by count, then by bytes): every seventh one invalid, the rest tool
   * calls of one session; what is expected of each line, in order.
   */
  private static List<String> lines(List<String> expected) {
    List<String> lines = new ArrayList<>();
    lines.add(start("s1"));
    expected.add("decision e0");
    String big = "x".repeat(Replayer.BATCH_BYTES / 5); // within the 256 KiB argument limit
    for (int i = 1; i <= 3 * Replayer.BATCH_RECORDS; i++) {
      String padding = i > 2 * Replayer.BATCH_RECORDS && i % 50 == 0 ? big : "";
      if (i % 7 == 0) {
        lines.add("not json " + i);
        expected.add("dead " + (lines.size()));
      } else {
        lines.add(read("s1", i, padding));
        expected.add("decision e" + i);
      }
    }
    return lines;
  }

  @Test
  void shouldEmitDecisionsAndDeadLettersInInputOrderAcrossBatches() throws IOException {
    // Given
    List<String> expected = new ArrayList<>();
    List<String> lines = lines(expected);
    List<String> seen = new ArrayList<>();
    OutputStream out = new DecisionLines(seen);
    // When
    Replayer.Counts counts =
        new Replayer(ENGINE)
            .run(input(lines), out, new InMemoryStateStore(), (line, reason) -> seen.add("dead " + line));
    // Then
    assertThat(seen).containsExactlyElementsOf(expected);
    long dead = expected.stream().filter(s -> s.startsWith("dead")).count();
    assertThat(counts).isEqualTo(new Replayer.Counts(lines.size(), lines.size() - dead, dead, 0));
  }

  @Test
  void shouldThrowTheWritersFailureAndStopReading() {
    // Given an output that fails on its first write, and an input far longer than the queues hold
    List<String> lines = new ArrayList<>(List.of(start("s1")));
    for (int i = 1; i <= 40 * Replayer.BATCH_RECORDS; i++) {
      lines.add(read("s1", i, ""));
    }
    CountingInput in = new CountingInput(input(lines));
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("disk full");
          }
        };
    // When / Then
    assertThatThrownBy(() -> new Replayer(ENGINE).run(in, out, new InMemoryStateStore(), (l, r) -> {}))
        .isInstanceOf(IOException.class)
        .hasMessage("disk full");
    assertThat(in.read).isLessThan(in.total);
  }

  @Test
  void shouldThrowTheReadersFailure() {
    // Given an input that fails after its first lines
    InputStream in =
        new InputStream() {
          private final InputStream lines = input(List.of(start("s1"), ReplayerTest.read("s1", 1, "")));

          @Override
          public int read() throws IOException {
            int b = lines.read();
            if (b < 0) {
              throw new IOException("connection reset");
            }
            return b;
          }
        };
    // When / Then
    assertThatThrownBy(
            () -> new Replayer(ENGINE).run(in, new ByteArrayOutputStream(), new InMemoryStateStore(), (l, r) -> {}))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset");
  }

  @Test
  void shouldThrowWhatTheDeadLetterReceiverThrows() {
    // Given
    List<String> lines = List.of(start("s1"), "{}", read("s1", 1, ""));
    // When / Then
    assertThatThrownBy(
            () ->
                new Replayer(ENGINE)
                    .run(
                        input(lines),
                        new ByteArrayOutputStream(),
                        new InMemoryStateStore(),
                        (line, reason) -> {
                          throw new AssertionError("line " + line);
                        }))
        .isInstanceOf(AssertionError.class)
        .hasMessage("line 2");
  }

  private static InputStream input(List<String> lines) {
    return new ByteArrayInputStream((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Records "decision <eventId>" per decision line written. */
  private static final class DecisionLines extends OutputStream {
    private final List<String> seen;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    DecisionLines(List<String> seen) {
      this.seen = seen;
    }

    @Override
    public void write(int b) {
      if (b != '\n') {
        line.write(b);
        return;
      }
      Decision d = DecisionJsonCodec.decode(line.toString(StandardCharsets.UTF_8));
      seen.add("decision " + d.eventId());
      line.reset();
    }
  }

  /** Counts the bytes read from an input of known length. */
  private static final class CountingInput extends InputStream {
    private final InputStream in;
    final long total;
    volatile long read;

    CountingInput(InputStream in) {
      this.in = in;
      try {
        this.total = in.available();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        read++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, Math.min(len, 4096));
      if (n > 0) {
        read += n;
      }
      return n;
    }
  }
}
