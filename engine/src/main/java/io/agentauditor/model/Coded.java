package io.agentauditor.model;

import java.util.Arrays;

/**
 * An enum constant with a stable number in the engine's state format. A number never changes once
 * released, and a new constant takes a new one, so state written by one release reads the same in
 * the next. (The numbers are those of the first release, whose state stored the ordinals of the
 * Avro symbols; stores written then read unchanged.)
 */
public interface Coded {

  /** The stable number of this constant in stored state. */
  byte code();

  /** A table from number to constant, with null where no constant has the number. */
  static <E extends Enum<E> & Coded> E[] table(E[] values) {
    int max = 0;
    for (E v : values) {
      max = Math.max(max, v.code());
    }
    E[] out = Arrays.copyOf(values, max + 1);
    Arrays.fill(out, null);
    for (E v : values) {
      out[v.code()] = v;
    }
    return out;
  }

  /**
   * The constant numbered {@code code} in {@code table}.
   *
   * @throws IllegalArgumentException when no constant has that number
   */
  static <E extends Enum<E> & Coded> E lookup(E[] table, int code) {
    if (code < 0 || code >= table.length || table[code] == null) {
      String type = table.length == 0 ? "enum" : table.getClass().getComponentType().getSimpleName();
      throw new IllegalArgumentException("unknown " + type + " code " + code);
    }
    return table[code];
  }
}
