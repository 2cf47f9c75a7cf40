package io.agentauditor.load;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.schema.AgentEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One engine step (decide + state load and store through the byte store) on the generated mix,
 * single-threaded, against two baselines of the same run over the same events: a byte-store get and
 * put of a small record per event ({@code storeBaseline}), and the JSON decode of an event
 * ({@code decodeBaseline}).
 *
 * <p>The store lives for the whole trial, so the measured steps run on sessions of every age up to
 * 50 agents and 200 credentials; when the cursor reaches the end of the corpus it starts over with
 * a fresh store, so no eventId is ever fed twice into one store (that would time the retry path).
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Threads(1)
public class EngineBenchmark {

  /** A cursor over the corpus and the store its steps write to. */
  @State(Scope.Thread)
  public static class Cursor {
    AuditEngine engine;
    InMemoryStateStore store;
    AgentEvent[] events;
    int next;

    @Setup(Level.Trial)
    public void open(EventCorpus corpus) {
      engine = new AuditEngine(corpus.policy);
      events = corpus.corpus;
      store = new InMemoryStateStore();
      next = 0;
    }

    AgentEvent nextEvent() {
      if (next == events.length) {
        store = new InMemoryStateStore();
        next = 0;
      }
      return events[next++];
    }
  }

  /** Steps per second. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public StepResult step(Cursor c) {
    AgentEvent e = c.nextEvent();
    return c.engine.process(e, c.store);
  }

  /** The distribution of one step's time (p50, p99, p99.9 in the JMH output). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public StepResult stepLatency(Cursor c) {
    AgentEvent e = c.nextEvent();
    return c.engine.process(e, c.store);
  }

  /** Baseline: a get and a put of a 16-byte record per event, keyed by session and event id. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public byte[] storeBaseline(Cursor c) {
    AgentEvent e = c.nextEvent();
    byte[] key = (e.getSessionId() + '/' + e.getEventId()).getBytes(StandardCharsets.UTF_8);
    byte[] old = c.store.get(key);
    byte[] value = new byte[16];
    value[0] = (byte) (old == null ? 0 : old.length);
    c.store.put(key, value);
    return value;
  }

  /** Baseline: the strict JSON decode of one event of the same mix (cycling over the first 64 Ki). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public AgentEvent decodeBaseline(Cursor c, EventCorpus corpus) {
    byte[][] json = corpus.json;
    byte[] line = json[c.next++ & (json.length - 1)];
    return EventJsonCodec.decode(line);
  }
}
