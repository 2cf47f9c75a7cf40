package io.agentauditor.engine;

/**
 * The engine's own record: stream time and lower bounds ("floors") of the idle-timer and closed-at
 * indexes, so the index range scans run only when an entry may be due. A floor is at most the
 * smallest time in its index ({@link Long#MAX_VALUE} when known empty); deleting entries keeps it a
 * valid lower bound, inserting one lowers it, and a scan resets it to the first entry left.
 */
final class EngineMeta {

  long streamTime = Long.MIN_VALUE;
  long timerFloor = Long.MIN_VALUE;
  long closedFloor = Long.MIN_VALUE;
  private boolean dirty;

  static EngineMeta load(StateStore store) {
    EngineMeta m = new EngineMeta();
    byte[] b = store.get(StateKeys.STREAM_TIME);
    if (b != null) {
      ByteReader r = StateCodec.openMeta(b);
      m.streamTime = r.readZigZag();
      m.timerFloor = r.readZigZag();
      m.closedFloor = r.readZigZag();
    }
    return m;
  }

  void advance(long occurredAt) {
    if (occurredAt > streamTime) {
      streamTime = occurredAt;
      dirty = true;
    }
  }

  void indexedTimer(long time) {
    if (time < timerFloor) {
      timerFloor = time;
      dirty = true;
    }
  }

  void indexedClosed(long time) {
    if (time < closedFloor) {
      closedFloor = time;
      dirty = true;
    }
  }

  void setTimerFloor(long floor) {
    dirty |= floor != timerFloor;
    timerFloor = floor;
  }

  void setClosedFloor(long floor) {
    dirty |= floor != closedFloor;
    closedFloor = floor;
  }

  void store(StateStore store) {
    if (dirty) {
      store.put(
          StateKeys.STREAM_TIME,
          new ByteWriter(32)
              .writeByte(StateCodec.VERSION)
              .writeZigZag(streamTime)
              .writeZigZag(timerFloor)
              .writeZigZag(closedFloor)
              .toByteArray());
      dirty = false;
    }
  }
}
