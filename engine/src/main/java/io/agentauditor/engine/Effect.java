package io.agentauditor.engine;

/** A step's deferred effect on the chain: applied unless the verdict is BLOCK (contract section 4). */
interface Effect {

  Effect NONE = () -> {};

  void apply();

  /** What a blocked step still reports (it changes no state); nothing by default. */
  default void whenBlocked() {}
}
