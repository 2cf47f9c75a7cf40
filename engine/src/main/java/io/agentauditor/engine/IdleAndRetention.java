package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.Decision;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Finding;
import io.agentauditor.model.Step;
import io.agentauditor.text.Utf8;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs after every valid record: idle timeouts (contract 9.3), the purge of closed sessions
 * past their retention, and the drop of stored decisions past theirs (section 4). Each scans a time
 * index of its own only when its floor says an entry may be due.
 */
final class IdleAndRetention {

  private static final Logger LOGGER = LoggerFactory.getLogger(IdleAndRetention.class);

  private static final byte[] EMPTY = new byte[0];

  /**
   * Stored decisions a step deletes at most: a step stores at most one, so the backlog a jump of
   * stream time leaves drains at 31 a step or more, and no step pays for more than this many.
   */
  static final int DECISIONS_DROPPED_PER_STEP = 32;

  private IdleAndRetention() {}

  /** Closes every open session idle at the stream time; their decisions in contract order. */
  static List<Decision> closeIdleSessions(
      CompiledPolicy rules, StateStore store, EngineMeta engineMeta, List<CredentialChange> changes) {
    long streamTime = engineMeta.streamTime;
    if (streamTime < Long.MIN_VALUE + rules.idleMillis) {
      return List.of();
    }
    long cutoff = streamTime - rules.idleMillis; // timers strictly below are idle
    if (engineMeta.timerFloor >= cutoff) {
      return List.of();
    }
    List<byte[]> due = new ArrayList<>(0);
    engineMeta.setTimerFloor(collectDue(store, StateKeys.TIMER_INDEX, cutoff, due));
    if (due.isEmpty()) {
      return List.of();
    }
    // Entries are lower bounds of their session's timer, so several may name one session, and a
    // due entry may belong to a session that was active since: it moves to the session's timer.
    List<SessionView> idle = new ArrayList<>(0);
    Set<String> seen = new HashSet<>();
    for (byte[] k : due) {
      String sessionId = StateKeys.indexSession(k);
      store.delete(k);
      if (!seen.add(sessionId)) {
        continue;
      }
      SessionView view = new SessionView(store, sessionId);
      SessionMeta m = view.meta();
      if (m == null || m.closed) {
        continue; // stale entry
      }
      if (m.timer >= cutoff) {
        store.put(StateKeys.timeIndex(StateKeys.TIMER_INDEX, m.timer, sessionId), EMPTY);
        engineMeta.indexedTimer(m.timer);
        continue;
      }
      idle.add(view);
    }
    // By timer, then sessionId as UTF-8 bytes (9.3), which is code point order, not UTF-16 order.
    idle.sort(
        Comparator.<SessionView>comparingLong(v -> v.meta().timer)
            .thenComparing(v -> v.sessionId, Utf8::compare));
    List<Decision> out = new ArrayList<>(idle.size());
    for (SessionView view : idle) {
      String sessionId = view.sessionId;
      SessionMeta m = view.meta();
      List<CredentialRecord> all = view.allCredentials();
      List<Finding> findings = SessionRules.notRevoked(rules, all, streamTime);
      SessionRules.close(view, streamTime, all, changes, engineMeta, rules);
      view.flush();
      out.add(
          new Decision(
              sessionId + AuditEngine.IDLE_TIMEOUT_SUFFIX,
              sessionId,
              m.rootAgentId,
              EventType.SESSION_ENDED,
              streamTime,
              Decision.verdictOf(findings),
              findings,
              rules.identity,
              List.of(m.rootAgentId)));
    }
    return out;
  }

  /**
   * Deletes the records of sessions closed more than the retention ago, leaving a tombstone of
   * each one's meta so its id stays closed.
   */
  static void purgeClosedSessions(CompiledPolicy rules, StateStore store, EngineMeta engineMeta) {
    long streamTime = engineMeta.streamTime;
    long retentionMillis = rules.retentionMillis;
    if (retentionMillis == 0 || streamTime < Long.MIN_VALUE + retentionMillis) {
      return; // closed sessions are kept for good
    }
    long cutoff = streamTime - retentionMillis;
    if (engineMeta.closedFloor >= cutoff) {
      return;
    }
    List<byte[]> due = new ArrayList<>(0);
    engineMeta.setClosedFloor(collectDue(store, StateKeys.CLOSED_INDEX, cutoff, due));
    for (byte[] k : due) {
      long closedAt = StateKeys.indexTime(k);
      String sessionId = StateKeys.indexSession(k);
      store.delete(k);
      byte[] b = store.get(StateKeys.session(sessionId));
      SessionMeta m = b == null ? null : StateCodec.decodeSession(b);
      if (m != null && (!m.closed || m.closedAt != closedAt)) {
        continue; // closed later under its own index entry
      }
      for (byte kind : StateKeys.SESSION_KINDS) {
        if (kind == StateKeys.SESSION) {
          continue;
        }
        byte[] prefix = StateKeys.sessionPrefix(kind, sessionId);
        for (byte[] key : collectRange(store, prefix, StateKeys.prefixEnd(prefix))) {
          store.delete(key);
        }
      }
      if (m != null && m.handle != 0) {
        // Its decisions stored under its handle; their group entries, left behind, are dropped
        // alone when due.
        byte[] prefix = StateKeys.handlePrefix(StateKeys.DECISION, m.handle);
        for (byte[] key : collectRange(store, prefix, StateKeys.prefixEnd(prefix))) {
          store.delete(key);
        }
      }
      if (m != null) {
        // The tombstone: what the gate rules need to keep the id closed (root, closed, closedAt),
        // no scopes and no initiator, so its size depends on the two ids alone (package-info).
        m.initiator = "";
        m.grantedScopes = List.of();
        m.parsedGranted = null;
        store.put(StateKeys.session(sessionId), StateCodec.encodeSession(m));
      }
      LOGGER.debug("purged session {} closed at {}", sessionId, closedAt);
    }
  }

  /** Indexes the decision of {@code step}, just stored, by its occurredAt. */
  static void indexDecision(StateStore store, EngineMeta engineMeta, Step step) {
    long t = step.occurredAtMillis();
    store.put(StateKeys.decisionIndex(t, step.sessionId(), step.eventId()), EMPTY);
    engineMeta.indexedDecision(t);
  }

  /**
   * Drops stored decisions more than the retention older than stream time, in any session (section
   * 4, v2), at most {@link #DECISIONS_DROPPED_PER_STEP}; those left wait for the next steps, and
   * meanwhile {@link #expired} keeps them from answering a retry. An index entry whose decision is
   * gone (purged with its session) or was stored again later (decided anew after a drop) is
   * deleted alone.
   */
  static void purgeDecisions(CompiledPolicy rules, StateStore store, EngineMeta engineMeta) {
    long streamTime = engineMeta.streamTime;
    long retentionMillis = rules.retentionMillis;
    if (retentionMillis == 0 || streamTime < Long.MIN_VALUE + retentionMillis) {
      return;
    }
    long cutoff = streamTime - retentionMillis;
    if (engineMeta.decisionFloor >= cutoff) {
      return;
    }
    List<byte[]> due = new ArrayList<>(0);
    long floor = collectDue(store, StateKeys.DECISION_INDEX, cutoff, due, DECISIONS_DROPPED_PER_STEP);
    for (byte[] k : due) {
      store.delete(k);
      byte[] dedupeKey = StateKeys.dedupeOfDecisionIndex(k);
      byte[] stored = store.get(dedupeKey);
      if (stored != null && StateCodec.decisionOccurredAt(stored) < cutoff) {
        store.delete(dedupeKey);
      }
    }
    long groupFloor =
        StoredDecisions.purgeGroups(store, cutoff, DECISIONS_DROPPED_PER_STEP - due.size());
    engineMeta.setDecisionFloor(Math.min(floor, groupFloor));
  }

  /**
   * Adds to {@code due} the keys of index {@code kind} with a time below {@code before}, and returns
   * the time of the first entry left (the index's new floor), {@link Long#MAX_VALUE} when none.
   */
  private static long collectDue(StateStore store, byte kind, long before, List<byte[]> due) {
    return collectDue(store, kind, before, due, Integer.MAX_VALUE);
  }

  /** As above, collecting at most {@code max} keys: the floor is then the next due entry's time. */
  private static long collectDue(
      StateStore store, byte kind, long before, List<byte[]> due, int max) {
    byte[] start = StateKeys.kindStart(kind);
    try (StateStore.RangeIterator it = store.range(start, StateKeys.prefixEnd(start))) {
      while (it.hasNext()) {
        byte[] key = it.next().getKey();
        long time = StateKeys.indexTime(key);
        if (time >= before || due.size() == max) {
          return time;
        }
        due.add(key);
      }
    }
    return Long.MAX_VALUE;
  }

  private static List<byte[]> collectRange(StateStore store, byte[] from, byte[] to) {
    List<byte[]> keys = new ArrayList<>(0);
    try (StateStore.RangeIterator it = store.range(from, to)) {
      while (it.hasNext()) {
        keys.add(it.next().getKey());
      }
    }
    return keys;
  }
}
