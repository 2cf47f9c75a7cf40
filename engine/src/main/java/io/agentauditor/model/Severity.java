package io.agentauditor.model;

/**
 * The severity of a finding, as the bundle sets it (the names follow OCSF's severity captions).
 *
 * <p>{@link #code()}: see {@link Coded}.
 */
public enum Severity implements Coded {
  INFORMATIONAL(1),
  LOW(2),
  MEDIUM(3),
  HIGH(4),
  CRITICAL(5);

  private static final Severity[] BY_CODE = Coded.table(values());

  private final byte code;

  Severity(int code) {
    this.code = (byte) code;
  }

  @Override
  public byte code() {
    return code;
  }

  /**
   * The constant numbered {@code code}.
   *
   * @throws IllegalArgumentException when no constant has that number (state of a newer release)
   */
  public static Severity ofCode(int code) {
    return Coded.lookup(BY_CODE, code);
  }
}
