package io.agentauditor.model;

/**
 * What an agent event records (contract section 2), one constant per step type.
 *
 * <p>{@link #code()}: see {@link Coded}.
 */
public enum EventType implements Coded {
  SESSION_STARTED(0),
  AGENT_DELEGATED(1),
  TOOL_CALL(2),
  CREDENTIAL_ISSUED(3),
  CREDENTIAL_REVOKED(4),
  APPROVAL_GRANTED(5),
  SESSION_ENDED(6);

  private static final EventType[] BY_CODE = Coded.table(values());

  private final byte code;

  EventType(int code) {
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
  public static EventType ofCode(int code) {
    return Coded.lookup(BY_CODE, code);
  }
}
