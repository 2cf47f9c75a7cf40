package io.agentauditor.avro;

/**
 * Maps an enum constant to the constant of the same name in another enum: the engine's enums and
 * the Avro schema's have the same symbols, but for the Avro reader's defaults ({@code
 * UNRECOGNIZED}, {@code UNKNOWN}), which the engine has no constant for.
 */
final class Symbols {

  private Symbols() {}

  /**
   * The constant of {@code to} named as {@code value}, or null when {@code value} is null.
   *
   * @throws IllegalArgumentException when {@code to} has no constant of that name
   */
  static <A extends Enum<A>, B extends Enum<B>> B map(A value, Class<B> to) {
    return value == null ? null : Enum.valueOf(to, value.name());
  }
}
