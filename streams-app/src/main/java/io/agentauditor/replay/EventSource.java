package io.agentauditor.replay;

import io.agentauditor.model.Step;
import java.io.IOException;

/**
 * The records a replay decides, in the order they are decided: the lines of a JSON Lines file
 * ({@link JsonLinesSource}), or one partition of the events topic ({@code TopicPartitionSource}).
 * Each record is an event, a dead letter with its reason, or an event skipped by the source (a
 * session that started before the range read). Read from one thread only.
 */
public interface EventSource {

  /**
   * One record of the source.
   *
   * @param position where it is in the source: the 1-based line number, or the Kafka offset
   * @param event the decoded event; null for a dead letter
   * @param deadLetter why the record can't be decided; null for an event
   * @param skipped true for an event the source leaves undecided (counted, never written)
   * @param bytes the size of the record's input, to bound what is held in memory
   */
  record Record(long position, Step event, String deadLetter, boolean skipped, int bytes) {

    /** A record to decide. */
    public static Record event(long position, Step event, int bytes) {
      return new Record(position, event, null, false, bytes);
    }

    /** A record that can't be decided, for {@code reason}. */
    public static Record deadLetter(long position, String reason, int bytes) {
      return new Record(position, null, reason, false, bytes);
    }

    /** A valid event the source leaves undecided. */
    public static Record skipped(long position, int bytes) {
      return new Record(position, null, null, true, bytes);
    }
  }

  /**
   * The next record, or null at the end of the source.
   *
   * @throws IOException when reading fails
   */
  Record next() throws IOException;
}
