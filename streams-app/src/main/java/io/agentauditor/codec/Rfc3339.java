package io.agentauditor.codec;

import java.time.Instant;

/**
 * RFC 3339 date-times as the contract (section 2) reads and writes them, without regex or {@code
 * java.time} formatters (this is on the replay path).
 *
 * <p>Accepted: {@code YYYY-MM-DD} {@code T|t} {@code hh:mm:ss}, optional fraction {@code .d+} of any
 * length, then {@code Z|z} or {@code ±hh:mm} ({@code -00:00} included). Fields are checked strictly
 * (month 01–12, day within its month in the proleptic Gregorian calendar, hour 00–23, minute 00–59,
 * second 00–59: a leap second {@code :60} is invalid, offset hour 00–23). The value is normalised to
 * UTC and truncated (not rounded) to milliseconds; it must fall within years 0000–9999 in UTC, so
 * that its canonical form {@code yyyy-MM-ddTHH:mm:ss.SSSZ} exists.
 */
public final class Rfc3339 {

  /** 0000-01-01T00:00:00.000Z in epoch milliseconds. */
  public static final long MIN_MILLIS = daysFromCivil(0, 1, 1) * 86_400_000L;

  /** 9999-12-31T23:59:59.999Z in epoch milliseconds. */
  public static final long MAX_MILLIS = daysFromCivil(10_000, 1, 1) * 86_400_000L - 1;

  /** Returned by {@link #parseMillisOrInvalid} for text that is not an accepted date-time. */
  static final long INVALID = Long.MIN_VALUE;

  private Rfc3339() {}

  /**
   * Parses an RFC 3339 date-time to a UTC instant truncated to milliseconds.
   *
   * @throws IllegalArgumentException when {@code text} is not an accepted date-time (see the class
   *     comment); never returns null
   */
  public static Instant parse(String text) {
    long millis = text == null ? INVALID : parseMillisOrInvalid(text);
    if (millis == INVALID) {
      throw new IllegalArgumentException("not an RFC 3339 date-time with seconds and offset");
    }
    return Instant.ofEpochMilli(millis);
  }

  /**
   * Formats epoch milliseconds as {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}.
   *
   * @throws IllegalArgumentException outside [{@link #MIN_MILLIS}, {@link #MAX_MILLIS}]
   */
  public static String format(long epochMillis) {
    if (epochMillis < MIN_MILLIS || epochMillis > MAX_MILLIS) {
      throw new IllegalArgumentException(
          "instant " + epochMillis + " ms is outside years 0000-9999 and has no RFC 3339 form");
    }
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    int msOfDay = (int) Math.floorMod(epochMillis, 86_400_000L);
    // Civil date from days since the epoch (H. Hinnant's algorithm, proleptic Gregorian).
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));

    char[] out = new char[24];
    put(out, 0, year, 4);
    out[4] = '-';
    put(out, 5, month, 2);
    out[7] = '-';
    put(out, 8, day, 2);
    out[10] = 'T';
    put(out, 11, msOfDay / 3_600_000, 2);
    out[13] = ':';
    put(out, 14, msOfDay / 60_000 % 60, 2);
    out[16] = ':';
    put(out, 17, msOfDay / 1000 % 60, 2);
    out[19] = '.';
    put(out, 20, msOfDay % 1000, 3);
    out[23] = 'Z';
    return new String(out);
  }

  /** Formats an instant; see {@link #format(long)}. */
  public static String format(Instant instant) {
    return format(instant.toEpochMilli());
  }

  /**
   * Parses like {@link #parse} but returns {@link #INVALID} instead of throwing, since invalid
   * input is an expected outcome on the decoding path.
   */
  static long parseMillisOrInvalid(String s) {
    int n = s.length();
    if (n < 20
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || (s.charAt(10) != 'T' && s.charAt(10) != 't')
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return INVALID;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return INVALID;
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return INVALID;
    }
    int i = 19;
    int millis = 0;
    if (s.charAt(i) == '.') {
      i++;
      int start = i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        if (i - start < 3) {
          millis = millis * 10 + (s.charAt(i) - '0');
        }
        i++;
      }
      if (i == start) {
        return INVALID;
      }
      for (int k = i - start; k < 3; k++) {
        millis *= 10;
      }
    }
    if (i >= n) {
      return INVALID;
    }
    int offsetMinutes;
    char zone = s.charAt(i);
    if (zone == 'Z' || zone == 'z') {
      if (i + 1 != n) {
        return INVALID;
      }
      offsetMinutes = 0;
    } else if (zone == '+' || zone == '-') {
      if (i + 6 != n || s.charAt(i + 3) != ':') {
        return INVALID;
      }
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if (oh < 0 || oh > 23 || om < 0 || om > 59) {
        return INVALID;
      }
      offsetMinutes = (oh * 60 + om) * (zone == '-' ? -1 : 1);
    } else {
      return INVALID;
    }
    long epochMillis =
        daysFromCivil(year, month, day) * 86_400_000L
            + hour * 3_600_000L
            + minute * 60_000L
            + second * 1000L
            + millis
            - offsetMinutes * 60_000L;
    if (epochMillis < MIN_MILLIS || epochMillis > MAX_MILLIS) {
      return INVALID;
    }
    return epochMillis;
  }

  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int daysInMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
  private static long daysFromCivil(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }

  private static void put(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
