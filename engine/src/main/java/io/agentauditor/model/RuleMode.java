package io.agentauditor.model;

/**
 * Whether a rule's finding raises the verdict ({@code ENFORCE}) or is only reported ({@code
 * SHADOW}).
 *
 * <p>{@link #code()}: see {@link Coded}.
 */
public enum RuleMode implements Coded {
  ENFORCE(0),
  SHADOW(1);

  private static final RuleMode[] BY_CODE = Coded.table(values());

  private final byte code;

  RuleMode(int code) {
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
  public static RuleMode ofCode(int code) {
    return Coded.lookup(BY_CODE, code);
  }
}
