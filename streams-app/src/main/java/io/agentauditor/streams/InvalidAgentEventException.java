package io.agentauditor.streams;

import io.agentauditor.codec.InvalidEventException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * An events-topic record that decoded as Avro but breaks contract section 2 (an empty id, an {@code
 * UNRECOGNIZED} type, a payload of another type, a malformed scope...). A {@link
 * SerializationException}, so it takes the deserialization handler's path to the dead-letter topic,
 * exactly like undecodable bytes: it never reaches the processor and never moves stream time.
 *
 * <p>The message is the validator's, {@code fieldPath: reason} (see {@link InvalidEventException}).
 */
public final class InvalidAgentEventException extends SerializationException {

  private static final long serialVersionUID = 1L;

  private final String fieldPath;

  public InvalidAgentEventException(InvalidEventException cause) {
    super(cause.getMessage(), cause);
    this.fieldPath = cause.fieldPath();
  }

  /** The offending field, e.g. {@code agentId} or {@code session.grantedScopes[1]}. */
  public String fieldPath() {
    return fieldPath;
  }
}
