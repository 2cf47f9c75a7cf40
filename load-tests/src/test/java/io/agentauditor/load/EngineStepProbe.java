package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.model.Step;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.replay.RocksDbStateStore;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.Verdict;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A throwaway, JMH-free measurement of {@link AuditEngine#process} on the realistic mix of {@link
 * SessionGenerator}, state load/store included: events are generated in chunks outside the timed
 * region, then each step is timed on its own. Not a test; run by hand:
 *
 * <pre>java -cp ... io.agentauditor.load.EngineStepProbe [policiesDir] [warmupSteps] [steps] [mem|rocks|sink][+dd][+cache][+fresh][+count] [seed]</pre>
 *
 * <p>{@code +dd} keeps dedupe records in a hash map of their own, outside the byte store's sorted
 * keys (what the byte store's ordering costs); {@code +fresh} decodes each event from JSON just
 * before its step, outside the timed region, as a deserializer hands it to the topology (what cold
 * events cost; the CPU and allocation figures then include the decode).
 */
public final class EngineStepProbe {

  private static final int CHUNK = 20_000;

  private static long gcMillis() {
    long ms = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += gc.getCollectionTime();
    }
    return ms;
  }

  /** Bytes this thread allocated so far (HotSpot), including the probe's own bookkeeping. */
  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }

  public static void main(String[] args) throws Exception {
    Path policies = Path.of(args.length > 0 ? args[0] : "policies");
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 500_000;
    String storeKind = args.length > 3 ? args[3] : "mem";
    long seed = args.length > 4 ? Long.parseLong(args[4]) : 42L;
    Policy policy = PolicyBundleLoader.load(policies);
    AuditEngine engine = new AuditEngine(policy);
    SessionGenerator gen = SessionGenerator.realistic(seed);
    StateStore backing =
        storeKind.startsWith("rocks") ? RocksDbStateStore.temporary(256L << 20) : new InMemoryStateStore();
    if (storeKind.startsWith("sink")) {
      // Analysis only: writes vanish, so with a cache that never evicts this times the engine's
      // own work (rules, encoding) without the byte store; session ends see no credentials.
      backing = new CachingStateStore(new SinkStore(), Integer.MAX_VALUE);
    }
    if (storeKind.contains("+dd")) {
      backing = new DedupeApart(backing);
    }
    if (storeKind.contains("+cache")) {
      backing = new CachingStateStore(backing);
    }
    boolean fresh = storeKind.contains("+fresh");
    CountingStore counting = storeKind.endsWith("+count") ? new CountingStore(backing) : null;
    StateStore store = counting != null ? counting : backing;
    long[] lat = new long[steps];
    byte[] types = new byte[steps];
    int[] verdicts = new int[3];
    Map<String, Integer> rules = new TreeMap<>();
    Map<String, long[]> byType = new TreeMap<>();
    long blackhole = 0;
    int done = 0;
    int warmed = 0;
    long totalNanos = 0;
    long cpuNanos = 0;
    long allocBytes = 0;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    while (warmed < warmup) {
      List<AgentEvent> chunk = gen.take(Math.min(CHUNK, warmup - warmed));
      for (AgentEvent e : chunk) {
        blackhole += engine.process(EventMapper.toStep(e), store).decision().findings().size();
      }
      warmed += chunk.size();
    }
    long gcBefore = gcMillis();
    while (done < steps) {
      List<Step> chunk = gen.take(Math.min(CHUNK, steps - done)).stream().map(EventMapper::toStep).toList();
      byte[][] encoded = null;
      if (fresh) {
        // As in the topology: each event is decoded just before its step, so it is hot in the CPU cache.
        encoded = new byte[chunk.size()][];
        for (int i = 0; i < encoded.length; i++) {
          encoded[i] = io.agentauditor.codec.EventJsonCodec.encodeUtf8(chunk.get(i));
        }
      }
      long cpuStart = threads.getCurrentThreadCpuTime();
      long allocStart = allocated();
      long chunkStart = System.nanoTime();
      long prev = chunkStart;
      long excluded = 0;
      for (int i = 0; i < chunk.size(); i++) {
        Step e = chunk.get(i);
        if (fresh) {
          e = io.agentauditor.codec.EventJsonCodec.decode(encoded[i]);
          long decoded = System.nanoTime();
          excluded += decoded - prev;
          prev = decoded;
        }
        StepResult r = engine.process(e, store);
        long now = System.nanoTime();
        types[done] = (byte) e.type().ordinal();
        lat[done++] = now - prev;
        prev = now;
        verdicts[r.decision().verdict().ordinal()]++;
        r.decision().findings().forEach(f -> rules.merge(f.ruleId(), 1, Integer::sum));
        long[] bt = byType.computeIfAbsent(e.type().toString(), k -> new long[2]);
        bt[0]++;
        bt[1] += lat[done - 1];
      }
      totalNanos += prev - chunkStart - excluded;
      cpuNanos += threads.getCurrentThreadCpuTime() - cpuStart;
      allocBytes += allocated() - allocStart;
    }
    if (counting != null) {
      System.out.println(counting.report(steps + warmup));
    }
    long[] sorted = lat.clone();
    Arrays.sort(sorted);
    long p99 = sorted[(int) (steps * 0.99)];
    long p999 = sorted[(int) (steps * 0.999)];
    Map<String, Integer> tail = new TreeMap<>();
    Map<String, Integer> farTail = new TreeMap<>();
    for (int i = 0; i < steps; i++) {
      String type = io.agentauditor.schema.EventType.values()[types[i]].toString();
      if (lat[i] > p99) {
        tail.merge(type, 1, Integer::sum);
      }
      if (lat[i] > p999) {
        farTail.merge(type, 1, Integer::sum);
      }
    }
    System.out.println("steps above p99 by type: " + tail);
    System.out.println("steps above p99.9 by type: " + farTail);
    lat = sorted;
    if (backing instanceof CachingStateStore c) {
      System.out.printf("cache: hits=%d misses=%d size=%d%n", c.hits(), c.misses(), c.size());
    }
    System.out.println("findings by rule: " + rules);
    byType.forEach((k, v) -> System.out.printf("  %-20s n=%d mean=%.2fus%n", k, v[0], v[1] / 1e3 / v[0]));
    System.out.printf(
        "store=%s steps=%d alloc=%.0fB/step steps/s=%.0f steps/cpu-s=%.0f gc=%dms mean=%.2fus p50=%.2fus p90=%.2fus p99=%.2fus p99.9=%.2fus max=%.1fus verdicts=%s bh=%d%n",
        storeKind,
        steps,
        (double) allocBytes / steps,
        steps / (totalNanos / 1e9),
        steps / (cpuNanos / 1e9),
        gcMillis() - gcBefore,
        totalNanos / 1e3 / steps,
        lat[steps / 2] / 1e3,
        lat[(int) (steps * 0.9)] / 1e3,
        lat[(int) (steps * 0.99)] / 1e3,
        lat[(int) (steps * 0.999)] / 1e3,
        lat[steps - 1] / 1e3,
        Arrays.toString(verdicts) + " " + Arrays.toString(Verdict.values()),
        blackhole);
    if (backing instanceof AutoCloseable c) {
      c.close();
    }
  }

  /** Experiment: dedupe records (kind 0x07) in a hash map of their own, outside the sorted key set. */
  private static final class DedupeApart implements StateStore {
    private final StateStore d;
    private final java.util.HashMap<java.nio.ByteBuffer, byte[]> dedupe = new java.util.HashMap<>();

    DedupeApart(StateStore d) {
      this.d = d;
    }

    @Override
    public byte[] get(byte[] key) {
      return key[0] == 7 ? dedupe.get(java.nio.ByteBuffer.wrap(key)) : d.get(key);
    }

    @Override
    public void put(byte[] key, byte[] value) {
      if (key[0] == 7) {
        dedupe.put(java.nio.ByteBuffer.wrap(key.clone()), value);
      } else {
        d.put(key, value);
      }
    }

    @Override
    public void delete(byte[] key) {
      if (key[0] == 7) {
        dedupe.remove(java.nio.ByteBuffer.wrap(key));
      } else {
        d.delete(key);
      }
    }

    @Override
    public RangeIterator range(byte[] from, byte[] toExclusive) {
      return d.range(from, toExclusive);
    }
  }

  /** Counts and times the store operations (adds two nanoTime calls per operation). */
  /** Keeps nothing: reads find nothing, ranges are empty. */
  private static final class SinkStore implements StateStore {
    @Override
    public byte[] get(byte[] key) {
      return null;
    }

    @Override
    public void put(byte[] key, byte[] value) {}

    @Override
    public void delete(byte[] key) {}

    @Override
    public RangeIterator range(byte[] from, byte[] toExclusive) {
      return new RangeIterator() {
        @Override
        public boolean hasNext() {
          return false;
        }

        @Override
        public Map.Entry<byte[], byte[]> next() {
          throw new java.util.NoSuchElementException();
        }

        @Override
        public void close() {}
      };
    }
  }

  private static final class CountingStore implements StateStore {
    private final StateStore d;
    private final long[] n = new long[4];
    private final long[] getsByKind = new long[16];
    private final long[] putsByKind = new long[16];
    private final long[] putBytesByKind = new long[16];
    private final long[] t = new long[4];

    CountingStore(StateStore d) {
      this.d = d;
    }

    @Override
    public byte[] get(byte[] key) {
      getsByKind[key[0] & 0xF]++;
      long s = System.nanoTime();
      byte[] v = d.get(key);
      t[0] += System.nanoTime() - s;
      n[0]++;
      return v;
    }

    @Override
    public void put(byte[] key, byte[] value) {
      putsByKind[key[0] & 0xF]++;
      putBytesByKind[key[0] & 0xF] += value.length;
      long s = System.nanoTime();
      d.put(key, value);
      t[1] += System.nanoTime() - s;
      n[1]++;
    }

    @Override
    public void delete(byte[] key) {
      long s = System.nanoTime();
      d.delete(key);
      t[2] += System.nanoTime() - s;
      n[2]++;
    }

    @Override
    public RangeIterator range(byte[] from, byte[] to) {
      n[3]++;
      return d.range(from, to);
    }

    String report(long steps) {
      StringBuilder kinds = new StringBuilder("by key kind (gets, puts, mean put bytes):");
      for (int k = 0; k < 16; k++) {
        if (getsByKind[k] + putsByKind[k] > 0) {
          kinds.append(String.format(" %d:(%.2f, %.2f, %.0f)", k, (double) getsByKind[k] / steps,
              (double) putsByKind[k] / steps, putsByKind[k] == 0 ? 0.0 : (double) putBytesByKind[k] / putsByKind[k]));
        }
      }
      System.out.println(kinds);
      return String.format(
          "store ops per step: get %.2f (%.0fns each) put %.2f (%.0fns) delete %.2f (%.0fns) range %.3f",
          n[0] / (double) steps, t[0] / (double) Math.max(1, n[0]),
          n[1] / (double) steps, t[1] / (double) Math.max(1, n[1]),
          n[2] / (double) steps, t[2] / (double) Math.max(1, n[2]),
          n[3] / (double) steps);
    }
  }
}
