package io.agentauditor.replay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a JSON Lines input into records as contract section 2 says: every {@code \n}-separated line
 * is a record, blank lines included; a final newline ends the last record; one trailing {@code \r}
 * is stripped. A UTF-8 byte order mark at the very start of the input is skipped (RFC 8259 lets a
 * parser ignore it; editors on some platforms add it). Reads one record at a time, so memory stays
 * flat; a record longer than {@code maxRecordBytes} (without its {@code \n} and trailing {@code
 * \r}, as contract section 2 measures it) is returned with {@link Record#oversized()} set and only
 * its first bytes kept. Not thread-safe.
 */
public final class JsonLinesReader {

  /** One record: its 1-based line number and its bytes, without the line terminator. */
  public record Record(long lineNumber, byte[] bytes, boolean oversized) {}

  private final InputStream in;
  private final int maxRecordBytes;
  private final byte[] chunk = new byte[64 * 1024];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
  private int pos;
  private int limit;
  private long lineNumber;
  private boolean eof;

  /**
   * @param in the input; this reader buffers it and does not close it
   * @param maxRecordBytes the longest record returned whole, at most {@code Integer.MAX_VALUE - 1}
   */
  public JsonLinesReader(InputStream in, int maxRecordBytes) {
    this.in = in;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * The next record, or null at the end of the input.
   *
   * @throws IOException when reading fails
   */
  public Record next() throws IOException {
    line.reset();
    boolean oversized = false;
    boolean terminated = false;
    boolean any = false;
    while (!terminated) {
      if (pos == limit) {
        if (eof || !fill()) {
          break;
        }
      }
      any = true;
      int start = pos;
      while (pos < limit && chunk[pos] != '\n') {
        pos++;
      }
      // A trailing '\r' is not part of the record, nor is the first line's byte order mark.
      int room = maxRecordBytes + 1 + (lineNumber == 0 ? 3 : 0) - line.size();
      int n = pos - start;
      if (n > room) {
        oversized = true;
        n = Math.max(room, 0);
      }
      line.write(chunk, start, n);
      if (pos < limit) {
        pos++; // consume '\n'
        terminated = true;
      }
    }
    if (!any) {
      return null; // end of input: a final newline ended the last record
    }
    lineNumber++;
    byte[] bytes = line.toByteArray();
    if (lineNumber == 1 && startsWithByteOrderMark(bytes)) {
      bytes = Arrays.copyOfRange(bytes, 3, bytes.length);
    }
    if (!oversized && bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
      bytes = Arrays.copyOf(bytes, bytes.length - 1);
    }
    if (bytes.length > maxRecordBytes) {
      oversized = true;
      bytes = Arrays.copyOf(bytes, maxRecordBytes);
    }
    return new Record(lineNumber, bytes, oversized);
  }

  private static boolean startsWithByteOrderMark(byte[] b) {
    return b.length >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF;
  }

  private boolean fill() throws IOException {
    int n = in.read(chunk, 0, chunk.length);
    if (n <= 0) {
      eof = true;
      pos = 0;
      limit = 0;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }
}
