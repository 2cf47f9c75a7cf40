package io.agentauditor.model;

/**
 * The outcome of a step, ordered {@code ALLOW < FLAG < BLOCK} (contract section 1); also the
 * action of a finding ({@code FLAG} or {@code BLOCK}). The declaration order is the contract's order.
 *
 * <p>{@link #code()}: see {@link Coded}.
 */
public enum Verdict implements Coded {
  ALLOW(0),
  FLAG(1),
  BLOCK(2);

  private static final Verdict[] BY_CODE = Coded.table(values());

  private final byte code;

  Verdict(int code) {
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
  public static Verdict ofCode(int code) {
    return Coded.lookup(BY_CODE, code);
  }
}
