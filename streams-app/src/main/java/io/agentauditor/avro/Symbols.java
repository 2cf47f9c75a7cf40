package io.agentauditor.avro;

/**
 * Maps an enum constant to the constant of the same name in another enum: the engine's enums and
 * the Avro schema's have the same symbols, but for the Avro reader's defaults ({@code
 * UNRECOGNIZED}, {@code UNKNOWN}), which the engine has no constant for.
 */
final class Symbols {

  /**
   * For each source enum, its constants' namesakes by ordinal in each target enum (null where the
   * target has no such name): a mapping is done several times per record, and a lookup by name
   * hashes the name each time.
   */
  private static final ClassValue<ClassValue<Enum<?>[]>> TABLES =
      new ClassValue<>() {
        @Override
        protected ClassValue<Enum<?>[]> computeValue(Class<?> from) {
          return new ClassValue<>() {
            @Override
            protected Enum<?>[] computeValue(Class<?> to) {
              return table(from, to);
            }
          };
        }
      };

  private Symbols() {}

  /**
   * The constant of {@code to} named as {@code value}, or null when {@code value} is null.
   *
   * @throws IllegalArgumentException when {@code to} has no constant of that name
   */
  static <A extends Enum<A>, B extends Enum<B>> B map(A value, Class<B> to) {
    if (value == null) {
      return null;
    }
    Enum<?> mapped = TABLES.get(value.getDeclaringClass()).get(to)[value.ordinal()];
    // Enum.valueOf throws the exception the caller documents, with its usual message
    return mapped == null ? Enum.valueOf(to, value.name()) : to.cast(mapped);
  }

  private static Enum<?>[] table(Class<?> from, Class<?> to) {
    Object[] sources = from.getEnumConstants();
    Enum<?>[] targets = new Enum<?>[sources.length];
    for (Object target : to.getEnumConstants()) {
      Enum<?> t = (Enum<?>) target;
      for (Object source : sources) {
        Enum<?> s = (Enum<?>) source;
        if (s.name().equals(t.name())) {
          targets[s.ordinal()] = t;
        }
      }
    }
    return targets;
  }
}
