package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.EventType;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts the state-store calls and record bytes an engine step makes, per event type, in the
 * steady state of the mix: what the state load and store cost is made of.
 *
 * <p>Usage: {@code StoreOpsReport [PREFILL (default 300000)] [MEASURED (default 50000)]}.
 */
public final class StoreOpsReport {

  private StoreOpsReport() {}

  /** A store that counts calls and value bytes read and written. */
  static final class CountingStore implements StateStore {
    private final InMemoryStateStore inner = new InMemoryStateStore();
    long gets;
    long puts;
    long deletes;
    long ranges;
    long bytesRead;
    long bytesWritten;

    @Override
    public byte[] get(byte[] key) {
      gets++;
      byte[] v = inner.get(key);
      bytesRead += v == null ? 0 : v.length;
      return v;
    }

    @Override
    public void put(byte[] key, byte[] value) {
      puts++;
      bytesWritten += value.length;
      inner.put(key, value);
    }

    @Override
    public void delete(byte[] key) {
      deletes++;
      inner.delete(key);
    }

    @Override
    public RangeIterator range(byte[] from, byte[] toExclusive) {
      ranges++;
      return inner.range(from, toExclusive);
    }
  }

  public static void main(String[] args) {
    int prefill = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int measured = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    AuditEngine engine = new AuditEngine(Workload.defaultPolicy());
    // Small contents: the store calls don't depend on them, and the run is ten times shorter.
    SessionGenerator generator = SessionGenerator.smallArguments(Workload.SEED);
    CountingStore store = new CountingStore();
    for (int i = 0; i < prefill; i++) {
      engine.process(EventMapper.toStep(generator.next()), store);
    }
    Map<EventType, long[]> perType = new EnumMap<>(EventType.class);
    long[] total = new long[7];
    for (int i = 0; i < measured; i++) {
      AgentEvent e = generator.next();
      long[] before = {store.gets, store.puts, store.deletes, store.ranges, store.bytesRead, store.bytesWritten};
      engine.process(EventMapper.toStep(e), store);
      long[] after = {store.gets, store.puts, store.deletes, store.ranges, store.bytesRead, store.bytesWritten};
      long[] c = perType.computeIfAbsent(e.getType(), t -> new long[7]);
      c[0]++;
      total[0]++;
      for (int k = 0; k < before.length; k++) {
        c[k + 1] += after[k] - before[k];
        total[k + 1] += after[k] - before[k];
      }
    }
    System.out.println("type                  steps   gets   puts deletes ranges  B read  B written (per step)");
    perType.forEach((t, c) -> print(t.name(), c));
    print("all", total);
  }

  private static void print(String name, long[] c) {
    double n = c[0];
    System.out.printf(
        "%-20s %6d %6.2f %6.2f %7.2f %6.2f %7.0f %10.0f%n",
        name, c[0], c[1] / n, c[2] / n, c[3] / n, c[4] / n, c[5] / n, c[6] / n);
  }
}
