package io.agentauditor.model;

/**
 * The lifecycle state of a credential in the ledger: {@code ACTIVE} until it is revoked (in
 * arrival order) or seen expired.
 *
 * <p>{@link #code()}: see {@link Coded}.
 */
public enum CredentialStatus implements Coded {
  ACTIVE(0),
  REVOKED(1),
  EXPIRED(2);

  private static final CredentialStatus[] BY_CODE = Coded.table(values());

  private final byte code;

  CredentialStatus(int code) {
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
  public static CredentialStatus ofCode(int code) {
    return Coded.lookup(BY_CODE, code);
  }
}
