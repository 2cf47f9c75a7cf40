package io.agentauditor.replay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesReaderTest {

  @Test
  void shouldTreatAFinalNewlineAsTheEndOfTheLastRecord() throws IOException {
    assertThat(records("a\nb\n", 100)).containsExactly("1:a", "2:b");
  }

  @Test
  void shouldKeepALastRecordWithoutNewline() throws IOException {
    assertThat(records("a\nb", 100)).containsExactly("1:a", "2:b");
  }

  @Test
  void shouldCountBlankLinesAsRecords() throws IOException {
    assertThat(records("a\n\n\nb\n", 100)).containsExactly("1:a", "2:", "3:", "4:b");
    assertThat(records("\n", 100)).containsExactly("1:");
  }

  @Test
  void shouldReadNothingFromAnEmptyInput() throws IOException {
    assertThat(records("", 100)).isEmpty();
  }

  @Test
  void shouldStripOneTrailingCarriageReturn() throws IOException {
    assertThat(records("a\r\nb\r\r\n", 100)).containsExactly("1:a", "2:b\r");
  }

  @Test
  void shouldSkipAByteOrderMarkAtTheStartOfTheInputOnly() throws IOException {
    assertThat(records("\uFEFFa\n\uFEFFb\n", 100)).containsExactly("1:a", "2:\uFEFFb");
  }

  @Test
  void shouldMarkARecordLongerThanTheLimitAndGoOnWithTheNext() throws IOException {
    assertThat(records("abcdef\ngh\n", 3)).containsExactly("1:abc!", "2:gh");
  }

  @Test
  void shouldMeasureTheLimitWithoutTheTrailingCarriageReturn() throws IOException {
    // Given records of exactly the limit, with and without '\r', and one byte over it
    String input = "abc\r\nabc\nabcd\r\nabcd\n";
    // When / Then
    assertThat(records(input, 3)).containsExactly("1:abc", "2:abc", "3:abc!", "4:abc!");
  }

  @Test
  void shouldNotCountTheByteOrderMarkTowardsTheFirstRecordsLimit() throws IOException {
    assertThat(records("\uFEFFabc\r\nabc\n", 3)).containsExactly("1:abc", "2:abc");
  }

  @Test
  void shouldSplitRecordsThatSpanReadChunks() throws IOException {
    // Given a stream that hands out one byte per read, the worst case for chunk boundaries
    byte[] data = "first\nsecond\r\nthird".getBytes(UTF_8);
    InputStream trickle =
        new ByteArrayInputStream(data) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
          }
        };
    // When / Then
    assertThat(records(trickle, 100)).containsExactly("1:first", "2:second", "3:third");
  }

  private static List<String> records(String input, int max) throws IOException {
    return records(new ByteArrayInputStream(input.getBytes(UTF_8)), max);
  }

  private static List<String> records(InputStream in, int max) throws IOException {
    JsonLinesReader reader = new JsonLinesReader(in, max);
    List<String> out = new ArrayList<>();
    JsonLinesReader.Record r;
    while ((r = reader.next()) != null) {
      out.add(r.lineNumber() + ":" + new String(r.bytes(), UTF_8) + (r.oversized() ? "!" : ""));
    }
    return out;
  }
}
