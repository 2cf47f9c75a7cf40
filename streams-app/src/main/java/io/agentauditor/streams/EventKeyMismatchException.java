package io.agentauditor.streams;

/**
 * An event whose record key is not its {@code sessionId}. Sessions are assigned to stream tasks by
 * key, so such a record may sit in another task than the rest of its session and would be decided
 * against the wrong chain (or none); it is refused before the engine sees it and becomes a dead
 * letter through the processing exception handler.
 */
public final class EventKeyMismatchException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public EventKeyMismatchException(String key, String sessionId) {
    super(
        "record key "
            + (key == null ? "null" : "\"" + abbreviate(key) + "\"")
            + " is not the event's sessionId \""
            + abbreviate(sessionId)
            + "\": events must be keyed by sessionId so that a session is decided in one place");
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
