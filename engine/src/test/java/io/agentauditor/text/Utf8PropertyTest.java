package io.agentauditor.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link Utf8#firstInvalid} finds what the JDK's strict UTF-8 decoder finds: the start of the first
 * ill-formed sequence (or the first NUL when NUL is refused), at any offset into the array, with
 * ASCII runs long enough to be passed over a word at a time before and after it.
 */
class Utf8PropertyTest {

  /** Where the JDK's decoder, reporting every malformed input, stops; -1 when it decodes it all. */
  private static int jdkFirstInvalid(byte[] buf, int off, int len, boolean nulInvalid) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(buf, off, len);
    CoderResult result = decoder.decode(in, CharBuffer.allocate(len), true);
    int invalid = result.isError() ? in.position() - off : -1;
    if (nulInvalid) {
      int limit = invalid < 0 ? len : invalid;
      for (int k = 0; k < limit; k++) {
        if (buf[off + k] == 0) {
          return k;
        }
      }
    }
    return invalid;
  }

  @Provide
  Arbitrary<byte[]> mostlyAscii() {
    Arbitrary<byte[]> ascii = Arbitraries.bytes().between((byte) 0, (byte) 0x7F).array(byte[].class).ofMaxSize(40);
    Arbitrary<byte[]> text =
        Arbitraries.strings().all().ofMaxLength(6).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> anyBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(4);
    Arbitrary<byte[]> piece =
        Arbitraries.frequencyOf(Tuple.of(6, ascii), Tuple.of(3, text), Tuple.of(1, anyBytes));
    return piece.list().ofMaxSize(8).map(pieces -> {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      pieces.forEach(out::writeBytes);
      return out.toByteArray();
    });
  }

  @Property(tries = 2000)
  void shouldStopWhereTheStrictDecoderStops(
      @ForAll("mostlyAscii") byte[] bytes, @ForAll boolean nulInvalid, @ForAll("offsets") int cut) {
    // Given the bytes from an offset into the array, up to a few bytes before its end
    int off = Math.min(cut, bytes.length);
    int len = Math.max(0, bytes.length - off - cut % 3);

    // When / Then
    assertThat(Utf8.firstInvalid(bytes, off, len, nulInvalid))
        .isEqualTo(jdkFirstInvalid(bytes, off, len, nulInvalid));
  }

  @Property(tries = 2000)
  void shouldCallBytesAsciiExactlyWhenNoneHasItsHighBitSet(
      @ForAll("mostlyAscii") byte[] bytes, @ForAll("offsets") int cut) {
    // Given the bytes from an offset into the array, up to a few bytes before its end
    int off = Math.min(cut, bytes.length);
    int len = Math.max(0, bytes.length - off - cut % 3);
    boolean highBit = false;
    for (int i = off; i < off + len; i++) {
      highBit |= bytes[i] < 0;
    }

    // When / Then
    assertThat(Utf8.isAscii(bytes, off, len)).isEqualTo(!highBit);
  }

  @Provide
  Arbitrary<Integer> offsets() {
    return Arbitraries.integers().between(0, 9);
  }
}
