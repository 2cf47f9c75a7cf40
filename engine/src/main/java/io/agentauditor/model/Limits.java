package io.agentauditor.model;

/**
 * The input limits of contract section 2 (v2): fixed by the contract, not bundle settings, so
 * whether a record is valid never depends on the bundle. Sizes are bytes of UTF-8. They bound the
 * cost of one event; section 4's session limits ({@code limits.*} in the bundle) bound a session's
 * history.
 *
 * <p>The field limits are checked by the {@link Step} constructors (so every input form shares
 * them); the record limit by each codec, on the bytes it reads ({@link #checkRecordBytes}).
 */
public final class Limits {

  /** A JSON line (without its {@code \n} and a trailing {@code \r}) or an Avro-encoded value. */
  public static final int MAX_RECORD_BYTES = 1024 * 1024;

  /** {@code eventId}, {@code sessionId}, {@code agentId} and the payloads' ids. */
  public static final int MAX_ID_BYTES = 256;

  /** {@code toolCall.tool}. */
  public static final int MAX_TOOL_BYTES = 256;

  /** Free text: {@code initiator}, {@code intent}, {@code purpose}, {@code reason}, {@code approver}. */
  public static final int MAX_TEXT_BYTES = 4 * 1024;

  /** One scope of a scope list. */
  public static final int MAX_SCOPE_BYTES = 512;

  /** Resource segments of one scope. */
  public static final int MAX_SCOPE_SEGMENTS = 32;

  /** Scopes of one scope list. */
  public static final int MAX_SCOPES = 128;

  /** Entries of {@code toolCall.arguments}. */
  public static final int MAX_ARGUMENTS = 64;

  /** One argument's name. */
  public static final int MAX_ARGUMENT_NAME_BYTES = 256;

  /** One argument's value. */
  public static final int MAX_ARGUMENT_VALUE_BYTES = 256 * 1024;

  /** The reason of a record over {@link #MAX_RECORD_BYTES}, reported at path {@code $}. */
  public static final String RECORD_TOO_LARGE =
      "record larger than " + MAX_RECORD_BYTES + " bytes (limit " + MAX_RECORD_BYTES + ")";

  private Limits() {}

  /**
   * Checks the size of one whole record, as its codec read it.
   *
   * @param bytes the record's size in bytes: a JSON line without its {@code \n} and trailing
   *     {@code \r}, or an Avro-encoded value without its registry header
   * @throws InvalidStepException at path {@code $} when it is over {@link #MAX_RECORD_BYTES}
   */
  public static void checkRecordBytes(long bytes) {
    if (bytes > MAX_RECORD_BYTES) {
      throw new InvalidStepException(FieldPath.ROOT, RECORD_TOO_LARGE);
    }
  }

  /**
   * Whether {@code s} takes more than {@code limit} bytes in UTF-8. Linear in {@code s} at worst,
   * constant when its length alone decides. A surrogate pair counts 4 bytes; an unpaired surrogate
   * (invalid input anyway) 3.
   */
  public static boolean utf8LongerThan(String s, int limit) {
    int n = s.length();
    if (n > limit) {
      return true; // every char takes at least one byte
    }
    if ((long) n * 3 <= limit) {
      return false; // no char takes more than three (a pair takes four for two chars)
    }
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
      if (bytes > limit) {
        return true;
      }
    }
    return false;
  }
}
