package io.agentauditor.replay;

import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Limits;
import io.agentauditor.engine.StateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.model.Step;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides a JSON Lines file of events in-process (contract section 10, {@code replay}): one decision
 * per valid line, in input order, each followed by the idle-timeout decisions it triggered (section
 * 9.3); every invalid line becomes a dead letter with its line number and reason (section 9.4).
 *
 * <p>Three threads in a pipeline, so that a replay uses more than one core: a reader splits and
 * decodes lines, the calling thread decides them in order (the engine and the store are touched by
 * it alone), and a writer encodes decisions and reports dead letters, also in input order. They hand
 * records on in batches through bounded queues, so the replay streams: it holds a few batches at a
 * time (each at most {@value #BATCH_RECORDS} records or about {@value #BATCH_BYTES} bytes of input),
 * and the state lives in the given {@link StateStore}. A failure on any of the three stops the other
 * two and is thrown by {@link #run}.
 */
public final class Replayer {

  /**
   * Records longer than this are dead letters (contract section 2's record limit), read no further
   * than that.
   */
  public static final int MAX_RECORD_BYTES = Limits.MAX_RECORD_BYTES;

  /** Records handed on at once. */
  static final int BATCH_RECORDS = 512;

  /** Input bytes after which a batch is handed on, even with fewer records. */
  static final int BATCH_BYTES = 1 << 20;

  /** Batches waiting between two threads. */
  private static final int QUEUED_BATCHES = 4;

  /**
   * Findings of decided records handed to the writer at once, at most: with {@link
   * #QUEUED_BATCHES} parts waiting, decisions held between the threads stay within a few tens of
   * MB however many findings each carries.
   */
  static final int DECIDED_FINDINGS = 16_384;

  private static final Logger LOGGER = LoggerFactory.getLogger(Replayer.class);

  /** Receives the dead letters of a replay. */
  @FunctionalInterface
  public interface DeadLetters {
    /**
     * The record at {@code position} (a file's 1-based line number, a partition's offset) could
     * not be decided, for {@code reason}.
     */
    void deadLetter(long position, String reason);
  }

  /**
   * What a replay read and wrote: {@code records} = {@code decided} + {@code deadLetters} + {@code
   * skipped}; {@code idleTimeouts} decisions were written besides the {@code decided} ones.
   */
  public record Counts(
      long records, long decided, long deadLetters, long idleTimeouts, long skipped) {

    /** Counts of a source that skips nothing (a file). */
    public Counts(long records, long decided, long deadLetters, long idleTimeouts) {
      this(records, decided, deadLetters, idleTimeouts, 0);
    }

    /** These counts and {@code other}'s added up (partitions of one replay). */
    public Counts plus(Counts other) {
      return new Counts(
          records + other.records,
          decided + other.decided,
          deadLetters + other.deadLetters,
          idleTimeouts + other.idleTimeouts,
          skipped + other.skipped);
    }
  }

  private final AuditEngine engine;

  public Replayer(AuditEngine engine) {
    this.engine = engine;
  }

  /**
   * Replays {@code input} against {@code store}, writing decisions as JSON Lines to {@code
   * decisions}; neither stream is closed. {@code input} is read from one thread of the replay's own,
   * {@code decisions} and {@code dead} are called from another, in input order, and {@code store}
   * only from the calling thread. Returns once both threads have ended.
   *
   * @throws IOException when reading the input or writing decisions fails
   * @throws RuntimeException what {@code dead} throws, as is (an engine failure on one event is a
   *     dead letter, not a failure of the replay)
   */
  public Counts run(InputStream input, OutputStream decisions, StateStore store, DeadLetters dead)
      throws IOException {
    return run(new JsonLinesSource(input), decisions, store, dead, ReplayListener.NONE);
  }

  /**
   * Replays {@code source} as {@link #run(InputStream, OutputStream, StateStore, DeadLetters)}
   * replays a file: {@code source} is read from a thread of the replay's own, dead letters are
   * reported with the source's positions, skipped records are counted and not decided, and {@code
   * listener} hears of every record, in order, from the thread that writes the decisions.
   */
  public Counts run(
      EventSource source, OutputStream decisions, StateStore store, DeadLetters dead, ReplayListener listener)
      throws IOException {
    Pipeline pipeline = new Pipeline();
    Thread reader = pipeline.start("replay-reader", () -> read(source, pipeline));
    Thread writer =
        pipeline.start("replay-writer", () -> write(decisions, dead, listener, pipeline));
    Counts counts = null;
    try {
      counts = decide(store, pipeline);
    } catch (Pipeline.Stopped e) {
      // The reader or the writer failed; its failure is thrown below.
    } catch (RuntimeException | Error e) {
      pipeline.fail(e);
    } finally {
      join(reader);
      join(writer);
    }
    pipeline.throwFailure();
    return counts;
  }

  /**
   * One record on its way: its position, then its event, dead-letter reason or skip, then its
   * result.
   */
  private static final class Item {
    final long position;
    Step event;
    String deadLetter;
    boolean skipped;
    StepResult result;

    Item(long position) {
      this.position = position;
    }
  }

  /** Records handed on together; the last batch of a replay is marked. */
  private record Batch(List<Item> items, boolean last) {}

  private static void read(EventSource source, Pipeline pipeline) throws IOException {
    List<Item> items = new ArrayList<>(BATCH_RECORDS);
    long bytes = 0;
    EventSource.Record record;
    while ((record = source.next()) != null) {
      Item item = new Item(record.position());
      item.event = record.event();
      item.deadLetter = record.deadLetter();
      item.skipped = record.skipped();
      items.add(item);
      bytes += record.bytes();
      if (items.size() == BATCH_RECORDS || bytes >= BATCH_BYTES) {
        pipeline.decoded.put(new Batch(items, false));
        items = new ArrayList<>(BATCH_RECORDS);
        bytes = 0;
      }
    }
    pipeline.decoded.put(new Batch(items, true));
  }

  private Counts decide(StateStore store, Pipeline pipeline) {
    long records = 0;
    long decided = 0;
    long deadLetters = 0;
    long idle = 0;
    long skipped = 0;
    Batch batch;
    do {
      batch = pipeline.decoded.take();
      // Decisions can be far larger than their input (a retried session end answers with every
      // finding again): hand them on in parts of at most DECIDED_FINDINGS findings, so what waits
      // for the writer stays bounded whatever the input.
      List<Item> items = batch.items();
      List<Item> part = new ArrayList<>(items.size());
      long findings = 0;
      for (int i = 0; i < items.size(); i++) {
        Item item = items.get(i);
        items.set(i, null); // the part alone holds it now, so a handed-on part can be freed
        part.add(item);
        records++;
        Step event = item.event;
        item.event = null;
        if (event != null) {
          try {
            item.result = engine.process(event, store);
          } catch (RuntimeException e) {
            // The engine applies state only once a step is decided, so the record can be set
            // aside and the replay go on; this is a defect to report, not an input error.
            LOGGER.error(
                "record {}: the engine failed on event {}", item.position, event.eventId(), e);
            item.deadLetter = "processing failed: " + e;
          }
        }
        if (item.result != null) {
          decided++;
          idle += item.result.idleTimeouts().size();
          findings += item.result.decision().findings().size();
          for (Decision timeout : item.result.idleTimeouts()) {
            findings += timeout.findings().size();
          }
        } else if (item.skipped) {
          skipped++;
        } else {
          deadLetters++;
        }
        if (findings >= DECIDED_FINDINGS) {
          pipeline.decided.put(new Batch(part, false));
          part = new ArrayList<>();
          findings = 0;
        }
      }
      pipeline.decided.put(new Batch(part, batch.last()));
    } while (!batch.last());
    return new Counts(records, decided, deadLetters, idle, skipped);
  }

  private static void write(
      OutputStream out, DeadLetters dead, ReplayListener listener, Pipeline pipeline)
      throws IOException {
    Batch batch;
    do {
      batch = pipeline.decided.take();
      for (Item item : batch.items()) {
        if (item.skipped) {
          listener.skipped();
          continue;
        }
        if (item.result == null) {
          dead.deadLetter(item.position, item.deadLetter);
          listener.deadLetter();
          continue;
        }
        write(out, item.result.decision());
        for (Decision timeout : item.result.idleTimeouts()) {
          write(out, timeout);
        }
        listener.decided(item.result);
      }
    } while (!batch.last());
    out.flush();
  }

  private static void write(OutputStream out, Decision decision) throws IOException {
    out.write(DecisionJsonCodec.encodeUtf8(decision));
    out.write('\n');
  }

  private static void join(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the pipeline stops on its own; wait for it, then restore the flag
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The queues between the three threads, and the first failure of any of them. */
  private static final class Pipeline {

    /** How often a thread waiting on a queue looks whether another one failed. */
    private static final long CHECK_MILLIS = 100;

    /** Thrown in a thread that waits on a queue once another thread failed. */
    static final class Stopped extends RuntimeException {
      Stopped() {
        super("replay stopped", null, false, false);
      }
    }

    /** Work of a pipeline thread. */
    @FunctionalInterface
    interface Work {
      void run() throws IOException;
    }

    final Queue decoded = new Queue();
    final Queue decided = new Queue();
    private volatile Throwable failure;

    Thread start(String name, Work work) {
      Thread t =
          new Thread(
              () -> {
                try {
                  work.run();
                } catch (Stopped e) {
                  // another thread failed first
                } catch (IOException | RuntimeException | Error e) {
                  fail(e);
                }
              },
              name);
      t.setDaemon(true);
      t.start();
      return t;
    }

    synchronized void fail(Throwable t) {
      if (failure == null) {
        failure = t;
      }
    }

    void throwFailure() throws IOException {
      Throwable t = failure;
      if (t instanceof IOException e) {
        throw e;
      }
      if (t instanceof RuntimeException e) {
        throw e;
      }
      if (t instanceof Error e) {
        throw e;
      }
    }

    /** A bounded queue of batches whose waits end when the pipeline fails. */
    final class Queue {
      private final BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(QUEUED_BATCHES);

      void put(Batch b) {
        try {
          while (!batches.offer(b, CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
            checkRunning();
          }
        } catch (InterruptedException e) {
          throw interrupted();
        }
      }

      Batch take() {
        try {
          Batch b;
          while ((b = batches.poll(CHECK_MILLIS, TimeUnit.MILLISECONDS)) == null) {
            checkRunning();
          }
          return b;
        } catch (InterruptedException e) {
          throw interrupted();
        }
      }

      private void checkRunning() {
        if (failure != null) {
          throw new Stopped();
        }
      }

      /** Fails the pipeline with an {@link InterruptedIOException}, which {@link #run} throws. */
      private Stopped interrupted() {
        Thread.currentThread().interrupt();
        fail(new InterruptedIOException("replay interrupted"));
        return new Stopped();
      }
    }
  }
}
