package io.agentauditor.model;

/**
 * Where an issued credential is kept (contract section 2), and the sink of a tool (section 6).
 *
 * <p>{@link #code()}: see {@link Coded}.
 */
public enum CredentialStorage implements Coded {
  MEMORY(0),
  SECRETS_MANAGER(1),
  ENV(2),
  CONFIG_FILE(3),
  REPOSITORY(4),
  CI_VARIABLE(5),
  UNKNOWN(6);

  private static final CredentialStorage[] BY_CODE = Coded.table(values());

  private final byte code;

  CredentialStorage(int code) {
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
  public static CredentialStorage ofCode(int code) {
    return Coded.lookup(BY_CODE, code);
  }
}
