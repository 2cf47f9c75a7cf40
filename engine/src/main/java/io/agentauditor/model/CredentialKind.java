package io.agentauditor.model;

/**
 * The kind of an issued credential (contract section 2).
 *
 * <p>{@link #code()}: see {@link Coded}.
 */
public enum CredentialKind implements Coded {
  SHORT_LIVED_TOKEN(0),
  OIDC_TOKEN(1),
  SPIFFE_SVID(2),
  API_KEY(3),
  STATIC_SECRET(4),
  PASSWORD(5),
  SSH_KEY(6);

  private static final CredentialKind[] BY_CODE = Coded.table(values());

  private final byte code;

  CredentialKind(int code) {
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
  public static CredentialKind ofCode(int code) {
    return Coded.lookup(BY_CODE, code);
  }
}
