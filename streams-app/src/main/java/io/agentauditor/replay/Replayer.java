package io.agentauditor.replay;

import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.codec.InvalidEventException;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.Decision;
import io.agentauditor.engine.StateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.schema.AgentEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides a JSON Lines file of events in-process (contract section 10, {@code replay}): one decision
 * per valid line, in input order, each followed by the idle-timeout decisions it triggered (section
 * 9.3); every invalid line becomes a dead letter with its line number and reason (section 9.4).
 * Streams: it holds one record at a time, and the state lives in the given {@link StateStore}.
 */
public final class Replayer {

  /** Records longer than this are dead letters rather than a reason to run out of memory. */
  public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;

  private static final Logger LOGGER = LoggerFactory.getLogger(Replayer.class);

  /** Receives the dead letters of a replay. */
  @FunctionalInterface
  public interface DeadLetters {
    /** Line {@code lineNumber} (1-based) could not be decided, for {@code reason}. */
    void deadLetter(long lineNumber, String reason);
  }

  /** What a replay read and wrote. */
  public record Counts(long records, long decided, long deadLetters, long idleTimeouts) {}

  private final AuditEngine engine;

  public Replayer(AuditEngine engine) {
    this.engine = engine;
  }

  /**
   * Replays {@code input} against {@code store}, writing decisions as JSON Lines to {@code
   * decisions}; neither stream is closed.
   *
   * @throws IOException when reading the input or writing decisions fails
   */
  public Counts run(InputStream input, OutputStream decisions, StateStore store, DeadLetters dead)
      throws IOException {
    JsonLinesReader reader = new JsonLinesReader(input, MAX_RECORD_BYTES);
    long records = 0;
    long decided = 0;
    long deadLetters = 0;
    long idle = 0;
    JsonLinesReader.Record record;
    while ((record = reader.next()) != null) {
      records++;
      if (record.oversized()) {
        deadLetters++;
        dead.deadLetter(record.lineNumber(), "record longer than " + MAX_RECORD_BYTES + " bytes");
        continue;
      }
      AgentEvent event;
      try {
        event = EventJsonCodec.decode(record.bytes());
      } catch (InvalidEventException e) {
        deadLetters++;
        dead.deadLetter(record.lineNumber(), e.getMessage());
        continue;
      }
      StepResult result;
      try {
        result = engine.process(event, store);
      } catch (RuntimeException e) {
        // The engine applies state only once a step is decided, so the record can be set aside
        // and the replay go on; this is a defect to report, not an input error.
        LOGGER.error("line {}: the engine failed on event {}", record.lineNumber(), event.getEventId(), e);
        deadLetters++;
        dead.deadLetter(record.lineNumber(), "processing failed: " + e);
        continue;
      }
      decided++;
      write(decisions, result.decision());
      for (Decision timeout : result.idleTimeouts()) {
        idle++;
        write(decisions, timeout);
      }
    }
    decisions.flush();
    return new Counts(records, decided, deadLetters, idle);
  }

  private static void write(OutputStream out, Decision decision) throws IOException {
    out.write(DecisionJsonCodec.encodeUtf8(decision));
    out.write('\n');
  }
}
