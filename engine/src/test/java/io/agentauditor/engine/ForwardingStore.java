package io.agentauditor.engine;

/** A store that forwards to an in-memory one; a subclass sees every put before it happens. */
class ForwardingStore implements StateStore {

  final InMemoryStateStore inner = new InMemoryStateStore();

  /** Called before each put is forwarded; may throw to fail it. */
  void beforePut(byte[] key, byte[] value) {}

  @Override
  public byte[] get(byte[] key) {
    return inner.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    beforePut(key, value);
    inner.put(key, value);
  }

  @Override
  public void delete(byte[] key) {
    inner.delete(key);
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    return inner.range(from, toExclusive);
  }
}
