package io.agentauditor.serde;

import io.agentauditor.text.Utf8;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.Decoder;

/**
 * A {@link Decoder} that refuses strings that are not well-formed UTF-8. Avro's own decoders turn
 * such bytes into U+FFFD, so two records whose ids differ only in bad bytes would decode to one id
 * and share a session's chain, or a key would look equal to an id it is not; the JSON form refuses
 * them too (contract section 2). Everything else goes to the wrapped decoder unchanged.
 */
final class StrictUtf8Decoder extends Decoder {

  private final Decoder in;

  StrictUtf8Decoder(Decoder in) {
    this.in = in;
  }

  @Override
  public org.apache.avro.util.Utf8 readString(org.apache.avro.util.Utf8 old) throws IOException {
    org.apache.avro.util.Utf8 s = in.readString(old);
    check(s);
    return s;
  }

  /** Larger than this, the buffer of an unusually long string is not kept for the next record. */
  private static final int MAX_KEPT_BYTES = 64 * 1024;

  /** The bytes of the last string read as a {@code String}: reused, since only the copy is kept. */
  private org.apache.avro.util.Utf8 scratch;

  /**
   * Called before each record when this decoder is reused for the next record of the wrapped
   * decoder: lets go of a buffer grown for a long string.
   */
  void start() {
    if (scratch != null && scratch.getBytes().length > MAX_KEPT_BYTES) {
      scratch = null;
    }
  }

  @Override
  public String readString() throws IOException {
    org.apache.avro.util.Utf8 s = in.readString(scratch);
    scratch = s;
    check(s);
    return s.toString();
  }

  private static void check(org.apache.avro.util.Utf8 s) {
    int at = Utf8.firstInvalid(s.getBytes(), 0, s.getByteLength(), false);
    if (at >= 0) {
      throw new AvroRuntimeException("a string is not valid UTF-8 (byte offset " + at + " in the string)");
    }
  }

  @Override
  public void readNull() throws IOException {
    in.readNull();
  }

  @Override
  public boolean readBoolean() throws IOException {
    return in.readBoolean();
  }

  @Override
  public int readInt() throws IOException {
    return in.readInt();
  }

  @Override
  public long readLong() throws IOException {
    return in.readLong();
  }

  @Override
  public float readFloat() throws IOException {
    return in.readFloat();
  }

  @Override
  public double readDouble() throws IOException {
    return in.readDouble();
  }

  @Override
  public void skipString() throws IOException {
    in.skipString();
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    return in.readBytes(old);
  }

  @Override
  public void skipBytes() throws IOException {
    in.skipBytes();
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    in.readFixed(bytes, start, length);
  }

  @Override
  public void skipFixed(int length) throws IOException {
    in.skipFixed(length);
  }

  @Override
  public int readEnum() throws IOException {
    return in.readEnum();
  }

  @Override
  public long readArrayStart() throws IOException {
    return in.readArrayStart();
  }

  @Override
  public long arrayNext() throws IOException {
    return in.arrayNext();
  }

  @Override
  public long skipArray() throws IOException {
    return in.skipArray();
  }

  @Override
  public long readMapStart() throws IOException {
    return in.readMapStart();
  }

  @Override
  public long mapNext() throws IOException {
    return in.mapNext();
  }

  @Override
  public long skipMap() throws IOException {
    return in.skipMap();
  }

  @Override
  public int readIndex() throws IOException {
    return in.readIndex();
  }

  @Override
  public int remainingBytes() {
    return in.remainingBytes();
  }
}
