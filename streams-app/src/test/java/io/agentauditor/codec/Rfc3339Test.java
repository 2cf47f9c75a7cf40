package io.agentauditor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The hand-written RFC 3339 parser and formatter, checked against java.time. */
class Rfc3339Test {

  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Property(tries = 5000)
  void shouldFormatLikeJavaTimeAndParseBack(
      @ForAll @LongRange(min = -62_167_219_200_000L, max = 253_402_300_799_999L) long millis) {
    // When any instant of years 0000-9999 is formatted
    String text = Rfc3339.format(millis);

    // Then it is java.time's rendering, and parses back to the same instant
    assertThat(text).isEqualTo(REFERENCE.format(Instant.ofEpochMilli(millis)));
    assertThat(Rfc3339.parse(text).toEpochMilli()).isEqualTo(millis);
  }

  @Test
  void shouldBoundTheRangeToYears0000To9999() {
    assertThat(Rfc3339.MIN_MILLIS).isEqualTo(Instant.parse("0000-01-01T00:00:00Z").toEpochMilli());
    assertThat(Rfc3339.MAX_MILLIS)
        .isEqualTo(Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli());
    assertThatThrownBy(() -> Rfc3339.format(Rfc3339.MAX_MILLIS + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Rfc3339.format(Rfc3339.MIN_MILLIS - 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldTruncateNotRoundAndHonourExtremeOffsets() {
    assertThat(Rfc3339.parse("1970-01-01T00:00:00.0009Z").toEpochMilli()).isZero();
    assertThat(Rfc3339.parse("1969-12-31T23:59:59.9999Z").toEpochMilli()).isEqualTo(-1);
    assertThat(Rfc3339.parse("2026-01-01T23:59:00+23:59"))
        .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(Rfc3339.parse("2026-01-01T00:00:00-23:59"))
        .isEqualTo(Instant.parse("2026-01-01T23:59:00Z"));
    assertThatThrownBy(() -> Rfc3339.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
