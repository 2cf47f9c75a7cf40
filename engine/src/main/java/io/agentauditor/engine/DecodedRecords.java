package io.agentauditor.engine;

import java.util.function.Function;

/**
 * Decoded copies of a store's records that a store may keep beside its bytes ({@link
 * CachingStateStore} does), so the engine reads a hot session's records without decoding them on
 * every step. The engine reaches it through {@link StateStore#decoded()} only.
 */
interface DecodedRecords {

  /** The records of {@code sessionId} kept decoded; reads through it add to them. */
  CachingStateStore.Session session(String sessionId);

  /** The engine's own record, decoded once with {@code decode} and then kept; null when absent. */
  EngineMeta engineMeta(Function<byte[], EngineMeta> decode);

  /** Writes the engine's own record through, keeping {@code value} decoded. */
  void writeEngineMeta(byte[] bytes, EngineMeta value);

  /** Drops every decoded record; the bytes are untouched. */
  void clear();
}
