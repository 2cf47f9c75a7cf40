package io.agentauditor.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The engine's own record: stream time and lower bounds ("floors") of the idle-timer, closed-at and
 * decision-time indexes, so the index range scans run only when an entry may be due. A floor is at most the
 * smallest time in its index ({@link Long#MAX_VALUE} when known empty); deleting entries keeps it a
 * valid lower bound, inserting one lowers it, and a scan resets it to the first entry left.
 */
final class EngineMeta {

  long streamTime = Long.MIN_VALUE;
  long timerFloor = Long.MIN_VALUE;
  long closedFloor = Long.MIN_VALUE;
  /**
   * Floor of the two decision-time indexes, per decision and grouped (appended to the version 2
   * record; absent before).
   */
  long decisionFloor = Long.MIN_VALUE;
  /** Policy identities numbered so far in this store (version 2; 0 in a version 1 record). */
  long policyCount;
  /** The number of the identity whose hash is {@link #policyHash}; 0 for none. */
  long policyNo;
  /** {@link StateCodec#identityHash} of the identity numbered {@link #policyNo}. */
  long policyHash;
  /** Session handles given so far in this store (appended to the version 2 record; 0 before). */
  long sessionHandles;
  private boolean dirty;

  /** The record in {@code store} (the cached object when the store caches), or a fresh one. */
  static EngineMeta load(StateStore store) {
    EngineMeta m;
    DecodedRecords decoded = store.decoded();
    if (decoded != null) {
      m = decoded.engineMeta(EngineMeta::decode);
    } else {
      byte[] b = store.get(StateKeys.STREAM_TIME);
      m = b == null ? null : decode(b);
    }
    return m != null ? m : new EngineMeta();
  }

  private static EngineMeta decode(byte[] b) {
    EngineMeta m = new EngineMeta();
    ByteReader r = new ByteReader(b, 0);
    int v = r.readByte();
    if (v != StateCodec.VERSION && v != StateCodec.VERSION_2) {
      throw new IllegalStateException("unsupported engine meta record version " + v);
    }
    m.streamTime = r.readZigZag();
    m.timerFloor = r.readZigZag();
    m.closedFloor = r.readZigZag();
    if (v == StateCodec.VERSION_2) {
      m.policyCount = r.readVarLong();
      m.policyNo = r.readVarLong();
      m.policyHash = r.readFixedLong();
      if (r.hasMore()) {
        m.decisionFloor = r.readZigZag();
      }
      if (r.hasMore()) {
        m.sessionHandles = r.readVarLong();
      }
    }
    return m;
  }

  /**
   * The number standing for {@code identity} in this store's decision records: the one already
   * given when the store's current number names it, else a new one, whose identity record is
   * written now (decoders read it back from the store).
   */
  long policyNumber(StateStore store, String identity, long identityHash) {
    return policyNumber(store, identity, identityHash, 0);
  }

  /**
   * As {@link #policyNumber(StateStore, String, long)}; a matching hash is confirmed byte for byte
   * against the stored identity (a decision must never carry another bundle's identity), unless
   * the number is {@code verifiedNo}, one the caller already confirmed in this store.
   */
  long policyNumber(StateStore store, String identity, long identityHash, long verifiedNo) {
    if (policyNo != 0
        && policyHash == identityHash
        && (policyNo == verifiedNo || names(store, policyNo, identity))) {
      return policyNo;
    }
    policyNo = ++policyCount;
    policyHash = identityHash;
    store.put(StateKeys.policyIdentity(policyNo), identity.getBytes(StandardCharsets.UTF_8));
    dirty = true;
    return policyNo;
  }

  private static boolean names(StateStore store, long no, String identity) {
    byte[] stored = store.get(StateKeys.policyIdentity(no));
    return stored != null && Arrays.equals(stored, identity.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Takes the counters of {@code other} (the meta of a step that failed) where they are ahead:
   * session handles and policy identity numbers are never given twice.
   */
  void keepCounters(EngineMeta other) {
    if (other.sessionHandles > sessionHandles) {
      sessionHandles = other.sessionHandles;
      dirty = true;
    }
    if (other.policyCount > policyCount) {
      policyCount = other.policyCount;
      dirty = true;
    }
  }

  /** A handle for a session starting now: the store's next one. */
  long newSessionHandle() {
    dirty = true;
    return ++sessionHandles;
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

  void indexedDecision(long time) {
    if (time < decisionFloor) {
      decisionFloor = time;
      dirty = true;
    }
  }

  void setDecisionFloor(long floor) {
    dirty |= floor != decisionFloor;
    decisionFloor = floor;
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
      byte[] bytes =
          ByteWriter.scratch()
              .writeByte(StateCodec.VERSION_2)
              .writeZigZag(streamTime)
              .writeZigZag(timerFloor)
              .writeZigZag(closedFloor)
              .writeVarLong(policyCount)
              .writeVarLong(policyNo)
              .writeFixedLong(policyHash)
              .writeZigZag(decisionFloor)
              .writeVarLong(sessionHandles)
              .toByteArray();
      DecodedRecords decoded = store.decoded();
      if (decoded != null) {
        decoded.writeEngineMeta(bytes, this);
      } else {
        store.put(StateKeys.STREAM_TIME, bytes);
      }
      dirty = false;
    }
  }
}
