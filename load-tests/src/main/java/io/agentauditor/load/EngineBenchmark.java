package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.model.Step;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.engine.StepResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One engine step (decide + state load and store through the byte store) on the generated mix,
 * single-threaded, against three baselines of the same run over the same events: a byte-store get
 * and put of a small record per event ({@code storeBaseline}), the JSON decode of an event ({@code
 * decodeBaseline}), and SHA-256 of its JSON bytes ({@code sha256Baseline}).
 *
 * <p>Before the first iteration the engine steps through the first {@code prefill} events
 * (untimed), so that the timed steps meet the steady state of the mix: 100 live sessions of every
 * age, up to 50 agents and 200 credentials. The store then lives for the whole trial; when the
 * cursor reaches the end of the corpus it starts over with a fresh store, so no eventId is ever fed
 * twice into one store (that would time the retry path).
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Threads(1)
public class EngineBenchmark {

  /** A cursor over the corpus and the store its steps write to. */
  @State(Scope.Thread)
  public static class Cursor {
    /** Events stepped through, untimed, before the first iteration; below the corpus size. */
    @Param("300000")
    public int prefill;

    AuditEngine engine;
    StateStore store;
    Step[] events;
    int next;

    @Setup(Level.Trial)
    public void open(EventCorpus corpus) {
      engine = new AuditEngine(corpus.policy);
      // Mapped up front: the benchmark times the engine's step, not the Avro mapping.
      events = new Step[corpus.corpus.length];
      for (int i = 0; i < events.length; i++) {
        events[i] = EventMapper.toStep(corpus.corpus[i]);
      }
      store = newStore();
      if (prefill < 0 || prefill >= events.length) {
        throw new IllegalArgumentException("prefill must be in [0, events): " + prefill);
      }
      for (next = 0; next < prefill; next++) {
        engine.process(events[next], store);
      }
    }

    Step nextEvent() {
      if (next == events.length) {
        store = newStore();
        next = 0;
      }
      return events[next++];
    }

    /** As in replay and the topology: the byte store behind the engine's decoded-record cache. */
    static StateStore newStore() {
      return new CachingStateStore(new InMemoryStateStore());
    }
  }

  /** Steps per second. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public StepResult step(Cursor c) {
    Step e = c.nextEvent();
    return c.engine.process(e, c.store);
  }

  /** The distribution of one step's time (p50, p99, p99.9 in the JMH output). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public StepResult stepLatency(Cursor c) {
    Step e = c.nextEvent();
    return c.engine.process(e, c.store);
  }

  /** A cursor for the store baseline: the same events, prefilled with the baseline's own records. */
  @State(Scope.Thread)
  public static class StoreCursor {
    @Param("300000")
    public int prefill;

    InMemoryStateStore store;
    Step[] events;
    int next;

    @Setup(Level.Trial)
    public void open(EventCorpus corpus) {
      // Mapped up front: the benchmark times the engine's step, not the Avro mapping.
      events = new Step[corpus.corpus.length];
      for (int i = 0; i < events.length; i++) {
        events[i] = EventMapper.toStep(corpus.corpus[i]);
      }
      store = new InMemoryStateStore();
      for (next = 0; next < prefill; next++) {
        getAndPut(store, events[next]);
      }
    }

    Step nextEvent() {
      if (next == events.length) {
        store = new InMemoryStateStore();
        next = 0;
      }
      return events[next++];
    }
  }

  /** A counter for the decode and digest baselines. */
  @State(Scope.Thread)
  public static class Counter {
    int next;
    final MessageDigest sha256;

    public Counter() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has SHA-256", e);
      }
    }
  }

  /** Baseline: a get and a put of a 16-byte record per event, keyed by session and event id. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public byte[] storeBaseline(StoreCursor c) {
    return getAndPut(c.store, c.nextEvent());
  }

  static byte[] getAndPut(InMemoryStateStore store, Step e) {
    byte[] key = (e.sessionId() + '/' + e.eventId()).getBytes(StandardCharsets.UTF_8);
    byte[] old = store.get(key);
    byte[] value = new byte[16];
    value[0] = (byte) (old == null ? 0 : old.length);
    store.put(key, value);
    return value;
  }

  /** Baseline: the strict JSON decode of one event of the same mix (cycling over the first 64 Ki). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Step decodeBaseline(Counter c, EventCorpus corpus) {
    byte[][] json = corpus.json;
    return EventJsonCodec.decode(json[c.next++ & (json.length - 1)]);
  }

  /**
   * Baseline: SHA-256 of one event's JSON bytes (cycling over the first 64 Ki). A step of contract
   * version 2 hashes every field of its event (the retry fingerprint, {@code StepFingerprint}), so
   * this is a floor under {@code step} that no layout of the state removes.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public byte[] sha256Baseline(Counter c, EventCorpus corpus) {
    byte[][] json = corpus.json;
    return c.sha256.digest(json[c.next++ & (json.length - 1)]);
  }
}
