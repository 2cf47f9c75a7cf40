package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.Decision;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The decisions kept for retries (contract section 4, Retries and Retention): found for a step's
 * ({@code sessionId}, {@code eventId}), stored after a step is decided, and dropped past the
 * retention. Two layouts, both read (package-info): a session with a handle keeps its decisions as
 * version 4 records under {@link StateKeys#DECISION} keys, named by {@link StateKeys#DECISION_GROUP}
 * groups; any other session (started by an older engine, never started, or whose {@code
 * SESSION_STARTED} was blocked) keeps them under {@link StateKeys#DEDUPE} keys as version 3 records
 * with one {@link StateKeys#DECISION_INDEX} entry each, as older engines did.
 */
final class StoredDecisions {

  /** Version of the compact decision record kept under a {@link StateKeys#DECISION} key. */
  static final int VERSION_4 = 4;

  /** Entries of a decision group at most: a group is sealed, and a new one opened, when full. */
  static final int GROUP_SIZE = 16;

  /** Time buckets of the grouped index per retention: a decision is dropped at most this late. */
  static final int BUCKETS_PER_RETENTION = 16;

  private static final int GROUP_VERSION = 1;
  private static final int TYPE_SHIFT = 2;
  private static final int HAS_FINDINGS = 0x20;
  private static final int ACTOR_IN_CHAIN = 0x40;
  private static final int BEFORE_START = 0x80;

  private StoredDecisions() {}

  /** A stored decision found for a step, not decoded yet. */
  static final class Stored {
    private final byte[] bytes;
    private final SessionMeta session;
    /** The occurredAt of the compact record (its session's start plus the stored offset). */
    private final long occurredAt;

    private Stored(byte[] bytes, SessionMeta session) {
      this.bytes = bytes;
      this.session = session;
      this.occurredAt = session == null ? 0 : occurredAt(bytes, session.startedAt);
    }

    /** The content fingerprint of the decided event; null for a record of version 1 or 2. */
    byte[] fingerprint() {
      return session != null
          ? Arrays.copyOfRange(bytes, 1, 1 + StepFingerprint.LENGTH)
          : StateCodec.decisionFingerprint(bytes);
    }

    /**
     * The stored decision, of the step's {@code eventId} and {@code sessionId}. A retry's actor
     * is the step's (its fingerprint covers it); the actor of a record with other content is looked
     * up by its number in the chain.
     */
    Decision decode(SessionView view, Step step, boolean retry) {
      if (session == null) {
        return StateCodec.decodeDecision(bytes, step.sessionId(), step.eventId(), view.store());
      }
      ByteReader r = new ByteReader(bytes, 1 + StepFingerprint.LENGTH);
      int flags = r.readByte();
      r.readVarLong(); // the offset, read already
      long policyNo = r.readVarLong();
      String agentId;
      List<String> path;
      if ((flags & ACTOR_IN_CHAIN) != 0) {
        long number = r.readVarLong();
        agentId = retry ? step.agentId() : agentNumbered(view, number);
        path = chainPath(view, agentId, number);
      } else {
        agentId = r.readString();
        path = r.readStrings();
      }
      List<Finding> findings = (flags & HAS_FINDINGS) != 0 ? StateCodec.readFindings(r) : List.of();
      return new Decision(
          step.eventId(),
          step.sessionId(),
          agentId,
          StateCodec.pick(EventType::ofCode, (flags >> TYPE_SHIFT) & 7),
          occurredAt,
          StateCodec.pick(Verdict::ofCode, flags & 3),
          findings,
          StateCodec.policyIdentity(view.store(), policyNo),
          path);
    }
  }

  /**
   * The decision stored for {@code step}, or null when there is none or it is past the retention
   * at {@code before}, the stream time before the step (section 4: then decided anew).
   */
  static Stored find(CompiledPolicy rules, SessionView view, Step step, long eventHash, long before) {
    SessionMeta m = view.meta();
    StateStore store = view.store();
    if (m != null && m.handle != 0) {
      // A new eventId of a session started through the cache is known absent without a read.
      CachingStateStore.Session kept = view.cached();
      byte[] b =
          kept != null && !kept.mayHoldDecision(eventHash)
              ? null
              : store.get(StateKeys.decision(m.handle, eventHash));
      if (b != null) {
        Stored s = new Stored(b, m);
        if (!expired(rules, s.occurredAt, before)) {
          return s;
        }
      }
      if (!m.decisionsBeforeStart) {
        return null;
      }
    }
    byte[] b = store.get(StateKeys.dedupe(step.sessionId(), step.eventId()));
    if (b == null || expired(rules, StateCodec.decisionOccurredAt(b), before)) {
      return null;
    }
    return new Stored(b, null);
  }

  /** Whether a stored decision of {@code occurredAt} was dropped by a check at {@code streamTime}. */
  static boolean expired(CompiledPolicy rules, long occurredAt, long streamTime) {
    long retention = rules.retentionMillis;
    return retention != 0
        && streamTime >= Long.MIN_VALUE + retention
        && occurredAt < streamTime - retention;
  }

  /**
   * Stores the decision {@code c} just made, with its content {@code fingerprint}, in the layout of
   * its session (see the class comment), and indexes it when there is a retention.
   */
  static void store(
      CompiledPolicy rules, StepContext c, Decision d, long policyNo, byte[] fingerprint, long eventHash) {
    SessionMeta m = c.view.meta();
    StateStore store = c.store;
    if (m == null || m.handle == 0) {
      store.put(
          StateKeys.dedupe(c.sessionId, c.step.eventId()),
          StateCodec.encodeDecision(d, policyNo, fingerprint));
      if (rules.retentionMillis != 0) {
        IdleAndRetention.indexDecision(store, c.engineMeta, c.step);
      }
      return;
    }
    long retention = rules.retentionMillis;
    long last = retention == 0 ? 0 : bucketLast(d.occurredAtMillis(), retention);
    if (retention != 0 && expired(rules, last, c.engineMeta.streamTime)) {
      // Past its retention already, so a repeat is decided anew whether or not it is kept; not
      // kept, so no group is opened again in a bucket the purge may have emptied.
      return;
    }
    byte[] key = StateKeys.decision(m.handle, eventHash);
    byte[] bytes = encode(d, c.path, m.startedAt, policyNo, fingerprint);
    CachingStateStore.Session kept = c.view.cached();
    if (kept != null) {
      kept.writeDecision(key, bytes, eventHash);
    } else {
      store.put(key, bytes);
    }
    if (retention != 0) {
      addToGroup(store, kept, c.engineMeta, last, m.handle, m.startedAt, eventHash);
    }
  }

  /**
   * Notes that the session of {@code view} starts now under {@code handle}: when the store keeps
   * decoded records and holds no decision under that handle, the kept session lists the decisions
   * stored from now on, so {@link #find} needs no store read for an eventId not among them. A new
   * handle holds none: a failed step keeps the handles it took ({@code AuditEngine}). A store
   * written by an engine before that could have given a failed step's handle again, which is why
   * this asks.
   */
  static void sessionStarted(SessionView view, long handle) {
    CachingStateStore.Session kept = view.cached();
    if (kept == null) {
      return;
    }
    byte[] prefix = StateKeys.handlePrefix(StateKeys.DECISION, handle);
    try (StateStore.RangeIterator it = view.store().range(prefix, StateKeys.prefixEnd(prefix))) {
      if (it.hasNext()) {
        return;
      }
    }
    kept.decisionsStartHere();
  }

  /** The version 4 record of {@code d}, stored under its session's handle. */
  static byte[] encode(Decision d, List<AgentNode> path, long startedAt, long policyNo, byte[] fingerprint) {
    if (fingerprint.length != StepFingerprint.LENGTH) {
      throw new IllegalArgumentException("fingerprint of " + fingerprint.length + " bytes");
    }
    long t = d.occurredAtMillis();
    AgentNode actor = path == null || path.isEmpty() ? null : path.get(path.size() - 1);
    boolean inChain = actor != null && actor.number >= 0 && actor.id.equals(d.agentId());
    int flags =
        d.verdict().code()
            | d.type().code() << TYPE_SHIFT
            | (d.findings().isEmpty() ? 0 : HAS_FINDINGS)
            | (inChain ? ACTOR_IN_CHAIN : 0)
            | (t < startedAt ? BEFORE_START : 0);
    ByteWriter w = ByteWriter.scratch();
    w.writeByte(VERSION_4)
        .writeBytes(fingerprint)
        .writeByte(flags)
        .writeVarLong(t < startedAt ? startedAt - t : t - startedAt)
        .writeVarLong(policyNo);
    if (inChain) {
      w.writeVarLong(actor.number);
    } else {
      w.writeString(d.agentId()).writeStrings(d.path());
    }
    if (!d.findings().isEmpty()) {
      StateCodec.writeFindings(w, d);
    }
    return w.toByteArray();
  }

  /** The occurredAt of a version 4 record of a session started at {@code startedAt}. */
  static long occurredAt(byte[] bytes, long startedAt) {
    if (bytes.length == 0 || bytes[0] != VERSION_4) {
      throw new IllegalStateException(
          "unsupported decision record version " + (bytes.length == 0 ? -1 : bytes[0]));
    }
    ByteReader r = new ByteReader(bytes, 1 + StepFingerprint.LENGTH);
    int flags = r.readByte();
    long offset = r.readVarLong();
    return (flags & BEFORE_START) != 0 ? startedAt - offset : startedAt + offset;
  }

  /** Whether decisions were stored under {@code sessionId} (before the session started). */
  static boolean anyUnderSessionId(StateStore store, String sessionId) {
    byte[] prefix = StateKeys.sessionPrefix(StateKeys.DEDUPE, sessionId);
    try (StateStore.RangeIterator it = store.range(prefix, StateKeys.prefixEnd(prefix))) {
      return it.hasNext();
    }
  }

  private static String agentNumbered(SessionView view, long number) {
    byte[] prefix = StateKeys.sessionPrefix(StateKeys.AGENT, view.sessionId);
    try (StateStore.RangeIterator it = view.store().range(prefix, StateKeys.prefixEnd(prefix))) {
      while (it.hasNext()) {
        Map.Entry<byte[], byte[]> e = it.next();
        String id = StateKeys.childId(e.getKey(), prefix.length);
        if (StateCodec.decodeAgent(id, e.getValue()).number == number) {
          return id;
        }
      }
    }
    throw new IllegalStateException("no agent numbered " + number + " in session " + view.sessionId);
  }

  /** The ids of the chain path to {@code agentId}, whose number a stored decision gives. */
  private static List<String> chainPath(SessionView view, String agentId, long number) {
    List<AgentNode> nodes = view.path(agentId);
    if (nodes == null || nodes.get(nodes.size() - 1).number != number) {
      throw new IllegalStateException(
          "stored decision names agent " + number + ", not " + agentId + ", in session " + view.sessionId);
    }
    String[] ids = new String[nodes.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = nodes.get(i).id;
    }
    return List.of(ids);
  }

  // --- the grouped retention index ---

  /**
   * The last millisecond of the time bucket of {@code t}: buckets are {@code retention / }{@value
   * #BUCKETS_PER_RETENTION} wide (1 ms at least), aligned on multiples of their width.
   */
  static long bucketLast(long t, long retention) {
    long width = Math.max(1, retention / BUCKETS_PER_RETENTION);
    long start = Math.floorDiv(t, width) * width;
    return start > Long.MAX_VALUE - (width - 1) ? Long.MAX_VALUE : start + (width - 1);
  }

  /**
   * Adds {@code eventHash} to the open group of its session's bucket ending at {@code last}; a
   * full group is sealed under the next number. A group: {@code version base:zz sealed:uv
   * hash:8*}, {@code base} the session's start (decision records hold their offset from it),
   * {@code sealed} the groups sealed so far (0 in a sealed group).
   */
  private static void addToGroup(
      StateStore store,
      CachingStateStore.Session kept,
      EngineMeta engineMeta,
      long last,
      long handle,
      long base,
      long eventHash) {
    // The open group as last written is kept with the session: no read and no new key per step.
    byte[] key = kept == null ? null : kept.groupKey(last, handle);
    byte[] open;
    if (key != null) {
      open = kept.groupBytes();
    } else {
      key = StateKeys.decisionGroup(last, handle);
      open = store.get(key);
    }
    if (open == null) {
      engineMeta.indexedDecision(last);
      // GROUP_SIZE is more than 1
      writeGroup(store, kept, last, handle, key, encodeGroup(base, 0, new long[] {eventHash}));
      return;
    }
    ByteReader r = new ByteReader(open, 0);
    checkGroupVersion(r.readByte());
    r.readZigZag();
    long sealed = r.readVarLong();
    int hashesAt = open.length - r.remaining();
    int n = r.remaining() / 8;
    if (n + 1 < GROUP_SIZE) {
      // The hashes are the record's tail: the new one is appended, the rest left as it is.
      byte[] grown = Arrays.copyOf(open, open.length + 8);
      for (int i = 0; i < 8; i++) {
        grown[open.length + i] = (byte) (eventHash >>> (56 - 8 * i));
      }
      writeGroup(store, kept, last, handle, key, grown);
      return;
    }
    byte[] full =
        ByteWriter.scratch()
            .writeByte(GROUP_VERSION)
            .writeZigZag(base)
            .writeVarLong(0)
            .writeBytes(open, hashesAt, n * 8)
            .writeFixedLong(eventHash)
            .toByteArray();
    store.put(StateKeys.sealedDecisionGroup(last, handle, sealed), full);
    writeGroup(store, kept, last, handle, key, encodeGroup(base, sealed + 1, new long[0]));
  }

  private static void writeGroup(
      StateStore store, CachingStateStore.Session kept, long last, long handle, byte[] key, byte[] bytes) {
    if (kept != null) {
      kept.writeGroup(last, handle, key, bytes);
    } else {
      store.put(key, bytes);
    }
  }

  private static byte[] encodeGroup(long base, long sealed, long[] hashes) {
    ByteWriter w = ByteWriter.scratch().writeByte(GROUP_VERSION).writeZigZag(base).writeVarLong(sealed);
    for (long h : hashes) {
      w.writeFixedLong(h);
    }
    return w.toByteArray();
  }

  private static void checkGroupVersion(int v) {
    if (v != GROUP_VERSION) {
      throw new IllegalStateException("unsupported decision group record version " + v);
    }
  }

  /**
   * Drops the decisions of the groups whose bucket ended before {@code cutoff}, whole groups, at
   * most {@code budget} decisions unless the first group alone holds more (at most {@link
   * #GROUP_SIZE}), and deletes those groups; a named decision that is gone
   * (purged with its session) or was stored again later is left alone.
   *
   * @return the time of the first group left, {@link Long#MAX_VALUE} when none
   */
  static long purgeGroups(StateStore store, long cutoff, int budget) {
    byte[] start = StateKeys.kindStart(StateKeys.DECISION_GROUP);
    List<Map.Entry<byte[], byte[]>> due = new ArrayList<>(0);
    long floor = Long.MAX_VALUE;
    int entries = 0;
    try (StateStore.RangeIterator it = store.range(start, StateKeys.prefixEnd(start))) {
      while (it.hasNext()) {
        Map.Entry<byte[], byte[]> e = it.next();
        long time = StateKeys.indexTime(e.getKey());
        int n = Math.max(1, e.getValue().length / 8); // its entries (the header is shorter than 8)
        if (time >= cutoff || entries + n > budget && !due.isEmpty() || budget <= 0) {
          floor = time;
          break;
        }
        due.add(e);
        entries += n;
      }
    }
    for (Map.Entry<byte[], byte[]> e : due) {
      store.delete(e.getKey());
      long handle = StateKeys.groupHandle(e.getKey());
      ByteReader r = new ByteReader(e.getValue(), 0);
      checkGroupVersion(r.readByte());
      long base = r.readZigZag();
      r.readVarLong();
      while (r.remaining() >= 8) {
        byte[] key = StateKeys.decision(handle, r.readFixedLong());
        byte[] stored = store.get(key);
        if (stored != null && occurredAt(stored, base) < cutoff) {
          store.delete(key);
        }
      }
    }
    return floor;
  }
}
