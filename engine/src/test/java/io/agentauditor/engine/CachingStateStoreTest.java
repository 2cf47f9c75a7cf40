package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.model.Step;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachingStateStoreTest {

  private final Events s = new Events("s1");

  /** A session that touches every record kind: delegation, credentials, approvals, revocation, end. */
  private static List<Step> session(Events s) {
    List<Step> events = new ArrayList<>();
    events.add(s.start("agent:planner", 0, "read:repo/**", "write:repo/acme/**", "admin:ci/acme"));
    events.add(s.delegate("agent:planner", 1, "agent:coder", "write:repo/acme/**"));
    events.add(
        s.issue("agent:planner", 2, "c1", "agent:coder", 600, CredentialKind.OIDC_TOKEN, CredentialStorage.MEMORY,
            "write:repo/acme/api"));
    events.add(s.tool("agent:coder", 3, "repo.write_file", Map.of("repo", "acme/api", "path", "a", "content", "x"), "c1"));
    events.add(s.approve("agent:planner", 4, "user:alice", 300, "admin:ci/acme"));
    events.add(s.tool("agent:planner", 5, "ci.set_variable", Map.of("project", "acme", "name", "N", "value", "v")));
    events.add(s.delegate("agent:planner", 6, "agent:coder", "read:repo/acme/**"));
    events.add(s.tool("agent:coder", 7, "repo.write_file", Map.of("repo", "acme/api", "path", "a", "content", "y"), "c1"));
    events.add(s.revoke("agent:coder", 8, "c1"));
    events.add(s.tool("agent:coder", 9, "repo.read_file", Map.of("repo", "acme/api", "path", "a"), "c1"));
    events.add(s.tool("agent:coder", 3, "repo.write_file", Map.of("repo", "acme/api", "path", "a", "content", "x"), "c1"));
    events.add(s.end("agent:planner", 10));
    return events;
  }

  @Test
  void shouldDecideAndStoreExactlyAsTheStoreAloneDoes() {
    // Given
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    InMemoryStateStore plain = new InMemoryStateStore();
    InMemoryStateStore behindCache = new InMemoryStateStore();
    InMemoryStateStore behindTinyCache = new InMemoryStateStore();
    CachingStateStore cache = new CachingStateStore(behindCache);
    CachingStateStore tiny = new CachingStateStore(behindTinyCache, 1);
    // When
    List<StepResult> expected = new ArrayList<>();
    List<StepResult> cached = new ArrayList<>();
    List<StepResult> tinyCached = new ArrayList<>();
    for (Step e : session(s)) {
      expected.add(engine.process(e, plain));
      cached.add(engine.process(e, cache));
      tinyCached.add(engine.process(e, tiny));
    }
    // Then: the same results, and the inner stores hold the same bytes (written through every step)
    assertThat(cached).isEqualTo(expected);
    assertThat(tinyCached).isEqualTo(expected);
    assertThat(Harness.sameEntries(behindCache.snapshot(), plain.snapshot())).isTrue();
    assertThat(Harness.sameEntries(behindTinyCache.snapshot(), plain.snapshot())).isTrue();
    assertThat(cache.hits()).isPositive();
    assertThat(tiny.size()).isLessThanOrEqualTo(1);
  }

  @Test
  void shouldDecideExactlyAsTheStoreAloneWhenSessionsInterleaveAndEvictEachOther() {
    // Given: three sessions whose steps alternate, so every bound below evicts whole sessions,
    // and the smallest ones trim the session in use
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    List<List<Step>> sessions =
        List.of(session(new Events("s1")), session(new Events("s2")), session(new Events("s3")));
    List<Step> interleaved = new ArrayList<>();
    for (int i = 0; i < sessions.get(0).size(); i++) {
      for (List<Step> events : sessions) {
        interleaved.add(events.get(i));
      }
    }
    // When / Then
    assertDecidesAndStoresAsTheStoreAlone(engine, interleaved, 1, 2, 3, 5, 8, 13, 1000);
  }

  @Test
  void shouldDecideExactlyAsTheStoreAloneWhenRetentionPurgesSessionsAndLeavesTombstones() {
    // Given: three interleaved sessions, a later one that moves stream time past a 7-day
    // retention (purging them down to their tombstones), then a restart of s1, a retry of its
    // first event and a tool call in it
    long retention = 7L * 24 * 3600;
    AuditEngine engine = new AuditEngine(Policies.withRetention(retention));
    Events s1 = new Events("s1");
    List<List<Step>> sessions =
        List.of(session(s1), session(new Events("s2")), session(new Events("s3")));
    List<Step> events = new ArrayList<>();
    for (int i = 0; i < sessions.get(0).size(); i++) {
      for (List<Step> session : sessions) {
        events.add(session.get(i));
      }
    }
    Events later = new Events("later");
    events.add(later.start("agent:l", 11 + retention, "read:repo/**"));
    events.add(s1.start("agent:new", 12 + retention, "admin:**"));
    events.add(sessions.get(0).get(0));
    events.add(s1.tool("agent:planner", 13 + retention, "repo.read_file", Map.of("repo", "acme/api")));

    // When / Then
    assertDecidesAndStoresAsTheStoreAlone(engine, events, 1, 2, 5, 1000);
  }

  /**
   * A long session of tool calls with retries of earlier ones in between, beside a second session:
   * its decision groups fill and are sealed, and the hashes of its decisions outgrow a record's
   * worth of room.
   */
  private static List<Step> longSessionWithRetries(long retentionSeconds) {
    Events a = new Events("a");
    Events b = new Events("b");
    List<Step> events = new ArrayList<>();
    events.add(a.start("agent:planner", 0, "read:repo/**"));
    events.add(b.start("agent:other", 0, "read:repo/**"));
    List<Step> calls = new ArrayList<>();
    for (int i = 1; i <= 120; i++) {
      Step call = a.tool("agent:planner", i * 60.0, "repo.read_file", Map.of("repo", "acme/api", "path", "p" + i));
      calls.add(call);
      events.add(call);
      events.add(b.tool("agent:other", i * 60.0, "repo.read_file", Map.of("repo", "acme/api", "path", "q")));
      if (i % 7 == 0) {
        events.add(calls.get(i / 2)); // a retry of an earlier call
      }
    }
    // Past the retention of the first calls: they are dropped, and a retry of one is decided anew
    events.add(a.tool("agent:planner", retentionSeconds + 3000, "repo.read_file", Map.of("repo", "acme/api")));
    events.add(calls.get(0));
    events.add(calls.get(119));
    return events;
  }

  @Test
  void shouldDecideExactlyAsTheStoreAloneWhenDecisionGroupsFillAndEarlyDecisionsAreDropped() {
    // Given: a one-hour retention, so the long session's groups are sealed, purged and reopened
    long retention = 3600;
    AuditEngine engine = new AuditEngine(Policies.withRetention(retention));
    // When / Then: through caches that hold everything, trim the session in use, or evict it
    assertDecidesAndStoresAsTheStoreAlone(engine, longSessionWithRetries(retention), 1, 2, 3, 8, 40, 1000);
  }

  @Test
  void shouldAnswerRetriesWithoutReadingTheStoreForNewEventIdsOfASessionStartedThroughIt() {
    // Given: a store counting reads of stored decisions
    CountingReads inner = new CountingReads();
    CachingStateStore cache = new CachingStateStore(inner);
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    engine.process(s.start("agent:planner", 0, "read:repo/**"), cache);
    Step first = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a", "path", "p"));
    StepResult decided = engine.process(first, cache);
    // When: 40 new steps, then a retry of the first
    for (int i = 2; i < 42; i++) {
      engine.process(s.tool("agent:planner", i, "repo.read_file", Map.of("repo", "a", "path", "p" + i)), cache);
    }
    long readsForNewSteps = inner.decisionReads;
    StepResult retried = engine.process(first, cache);
    // Then: no read for a new eventId, one for the retry, which gets the first decision
    assertThat(readsForNewSteps).isZero();
    assertThat(inner.decisionReads).isEqualTo(1);
    assertThat(retried.retry()).isTrue();
    assertThat(retried.decision()).isEqualTo(decided.decision());
  }

  @Test
  void shouldReadTheStoreForEveryEventIdOfASessionStartedBeforeTheCache() {
    // Given: a session started and stepped without a cache
    CountingReads inner = new CountingReads();
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    engine.process(s.start("agent:planner", 0, "read:repo/**"), inner);
    Step first = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a", "path", "p"));
    StepResult decided = engine.process(first, inner);
    CachingStateStore cache = new CachingStateStore(inner);
    inner.decisionReads = 0;
    // When: a new step and a retry through a cache put in front later (a restart)
    engine.process(s.tool("agent:planner", 2, "repo.read_file", Map.of("repo", "a", "path", "q")), cache);
    StepResult retried = engine.process(first, cache);
    // Then: both looked in the store, and the retry found its decision
    assertThat(inner.decisionReads).isEqualTo(2);
    assertThat(retried.retry()).isTrue();
    assertThat(retried.decision()).isEqualTo(decided.decision());
  }

  @Test
  void shouldReadTheStoreWhenADecisionIsStoredAlreadyUnderTheHandleASessionStartsWith() {
    // Given: a decision under handle 1 (the first session's) that no session of this store stored,
    // as a step that took the handle and failed after storing its decision leaves behind
    Step start = s.start("agent:planner", 0, "read:repo/**");
    Step call = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a", "path", "p"));
    InMemoryStateStore plain = new InMemoryStateStore();
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    engine.process(new Events("other").start("agent:x", 0, "read:repo/**"), plain);
    byte[] key = StateKeys.decision(1, StateKeys.eventHash(call.eventId()));
    byte[] left = plain.get(StateKeys.decision(1, StateKeys.eventHash("e1")));
    InMemoryStateStore seeded = new InMemoryStateStore();
    InMemoryStateStore cachedSeeded = new InMemoryStateStore();
    seeded.put(key, left);
    cachedSeeded.put(key, left);
    CachingStateStore cache = new CachingStateStore(cachedSeeded);
    // When: the session starts with that handle, and its step's eventId is the one stored
    List<StepResult> expected = List.of(engine.process(start, seeded), engine.process(call, seeded));
    List<StepResult> cached = List.of(engine.process(start, cache), engine.process(call, cache));
    // Then: the cache found it as the store alone does (another content: event-id-reuse)
    assertThat(cached).isEqualTo(expected);
    assertThat(cached.get(1).decision().findings()).extracting(f -> f.ruleId()).contains("event-id-reuse");
  }

  @Test
  void shouldReadTheStoreWhenADecisionIsWrittenAsBytesBesideTheEngine() {
    // Given: a session started through the cache, and the record of one of its decisions
    InMemoryStateStore plain = new InMemoryStateStore();
    CachingStateStore cache = new CachingStateStore(new InMemoryStateStore());
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    Step start = s.start("agent:planner", 0, "read:repo/**");
    Step first = s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a", "path", "p"));
    Step next = s.tool("agent:planner", 2, "repo.read_file", Map.of("repo", "a", "path", "q"));
    for (Step e : List.of(start, first)) {
      engine.process(e, plain);
      engine.process(e, cache);
    }
    byte[] record = plain.get(StateKeys.decision(1, StateKeys.eventHash(first.eventId())));
    // When: that record is written as bytes under the next step's eventId, then the step comes
    byte[] key = StateKeys.decision(1, StateKeys.eventHash(next.eventId()));
    plain.put(key, record);
    cache.put(key, record);
    // Then: the cache looks it up as the store alone does (other content: event-id-reuse)
    StepResult expected = engine.process(next, plain);
    assertThat(engine.process(next, cache)).isEqualTo(expected);
    assertThat(expected.decision().findings()).extracting(f -> f.ruleId()).contains("event-id-reuse");
  }

  @Test
  void shouldReadTheOpenDecisionGroupAgainWhenItsBytesAreDeletedDirectly() {
    // Given: a session whose open decision group is kept
    AuditEngine engine = new AuditEngine(Policies.withRetention(3600));
    InMemoryStateStore plain = new InMemoryStateStore();
    InMemoryStateStore inner = new InMemoryStateStore();
    CachingStateStore cache = new CachingStateStore(inner);
    List<Step> steps = new ArrayList<>();
    steps.add(s.start("agent:planner", 0, "read:repo/**"));
    for (int i = 1; i < 5; i++) {
      steps.add(s.tool("agent:planner", i, "repo.read_file", Map.of("repo", "a", "path", "p" + i)));
    }
    for (Step e : steps) {
      engine.process(e, plain);
      engine.process(e, cache);
    }
    byte[] group = keysIn(inner, StateKeys.kindStart(StateKeys.DECISION_GROUP)).get(0);
    // When: the group is deleted as bytes, then the session steps on
    plain.delete(group);
    cache.delete(group);
    Step next = s.tool("agent:planner", 6, "repo.read_file", Map.of("repo", "a", "path", "q"));
    engine.process(next, plain);
    engine.process(next, cache);
    // Then: a new group holds only the new decision, as in the store alone
    assertThat(Harness.sameEntries(inner.snapshot(), plain.snapshot())).isTrue();
    assertThat(inner.get(group)).hasSize(plain.get(group).length);
  }

  /** An in-memory store counting reads of stored decisions (keys of {@link StateKeys#DECISION}). */
  private static final class CountingReads extends ForwardingStore {
    long decisionReads;

    @Override
    public byte[] get(byte[] key) {
      if (key[0] == StateKeys.DECISION) {
        decisionReads++;
      }
      return super.get(key);
    }
  }

  /** Through a cache of each bound: the same results, and the same bytes in the store behind. */
  private static void assertDecidesAndStoresAsTheStoreAlone(
      AuditEngine engine, List<Step> events, int... bounds) {
    InMemoryStateStore plain = new InMemoryStateStore();
    List<StepResult> expected = new ArrayList<>();
    for (Step e : events) {
      expected.add(engine.process(e, plain));
    }
    for (int bound : bounds) {
      InMemoryStateStore inner = new InMemoryStateStore();
      CachingStateStore cache = new CachingStateStore(inner, bound);
      List<StepResult> cached = new ArrayList<>();
      for (Step e : events) {
        cached.add(engine.process(e, cache));
        assertThat(cache.size()).as("records kept with bound %d", bound).isLessThanOrEqualTo(bound);
      }
      assertThat(cached).as("results with bound %d", bound).isEqualTo(expected);
      assertThat(Harness.sameEntries(inner.snapshot(), plain.snapshot())).as("bytes with bound %d", bound).isTrue();
    }
  }

  @Test
  void shouldKeepNoEntryForASessionWhoseRecordsAreAllDeleted() {
    // Given: a session with records of every cached kind
    InMemoryStateStore inner = new InMemoryStateStore();
    CachingStateStore cache = new CachingStateStore(inner);
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    for (Step e : session(s).subList(0, 6)) {
      engine.process(e, cache);
    }
    assertThat(cache.sessions()).isEqualTo(1);
    // When: every key of the session is deleted, as retention does
    for (byte kind : StateKeys.SESSION_KINDS) {
      byte[] prefix = StateKeys.sessionPrefix(kind, "s1");
      for (byte[] key : keysIn(inner, prefix)) {
        cache.delete(key);
      }
    }
    // Then
    assertThat(cache.size()).isZero();
    assertThat(cache.sessions()).isZero();
  }

  private static List<byte[]> keysIn(StateStore store, byte[] prefix) {
    List<byte[]> keys = new ArrayList<>();
    try (StateStore.RangeIterator it = store.range(prefix, StateKeys.prefixEnd(prefix))) {
      while (it.hasNext()) {
        keys.add(it.next().getKey());
      }
    }
    return keys;
  }

  /** A cache holding session s1 started by the planner, who delegated to the coder. */
  private CachingStateStore plannerAndCoder() {
    CachingStateStore cache = new CachingStateStore(new InMemoryStateStore());
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    engine.process(s.start("agent:planner", 0, "read:repo/**"), cache);
    engine.process(s.delegate("agent:planner", 1, "agent:coder", "read:repo/a/**"), cache);
    return cache;
  }

  @Test
  void shouldKeepTheBuiltPathsWhenANewAgentJoinsTheChain() {
    // Given: a path built and kept
    CachingStateStore cache = plannerAndCoder();
    List<StateRecords.AgentNode> coder = new SessionView(cache, "s1").path("agent:coder");

    // When: the coder delegates to a new agent
    new AuditEngine(Policies.defaultPolicy()).process(s.delegate("agent:coder", 2, "agent:tester", "read:repo/a/b/**"), cache);

    // Then: the coder's path is the one kept, and the new agent's runs through it
    assertThat(new SessionView(cache, "s1").path("agent:coder")).isSameAs(coder);
    assertThat(new SessionView(cache, "s1").path("agent:tester"))
        .extracting(n -> n.id)
        .containsExactly("agent:planner", "agent:coder", "agent:tester");
  }

  @Test
  void shouldBuildThePathAgainWhenAnAgentRecordChanges() {
    // Given: a path built and kept
    CachingStateStore cache = plannerAndCoder();
    List<StateRecords.AgentNode> first = new SessionView(cache, "s1").path("agent:coder");
    assertThat(new SessionView(cache, "s1").path("agent:coder")).isSameAs(first);
    // When: the coder's record is written as bytes, with another parent
    StateRecords.AgentNode moved = new StateRecords.AgentNode("agent:coder");
    moved.parent = "agent:other";
    moved.depth = 1;
    moved.scopes = List.of();
    StateRecords.AgentNode other = new StateRecords.AgentNode("agent:other");
    other.parent = "agent:planner";
    other.depth = 1;
    other.scopes = List.of();
    cache.put(StateKeys.agent("s1", "agent:other"), StateCodec.encodeAgent(other));
    cache.put(StateKeys.agent("s1", "agent:coder"), StateCodec.encodeAgent(moved));
    // Then
    List<StateRecords.AgentNode> again = new SessionView(cache, "s1").path("agent:coder");
    assertThat(again).extracting(n -> n.id).containsExactly("agent:planner", "agent:other", "agent:coder");
    assertThat(first).extracting(n -> n.id).containsExactly("agent:planner", "agent:coder");
  }

  @Test
  void shouldBuildThePathAgainWhenAnAncestorRecordIsReplacedAndTheAgentsOwnStaysKept() {
    // Given: the coder's path built and kept on the coder's record
    CachingStateStore cache = plannerAndCoder();
    List<StateRecords.AgentNode> first = new SessionView(cache, "s1").path("agent:coder");
    StateRecords.AgentNode coder = new SessionView(cache, "s1").agent("agent:coder");
    // When: only the planner's record is written as bytes, with other scopes
    StateRecords.AgentNode planner = new StateRecords.AgentNode("agent:planner");
    planner.depth = 0;
    planner.number = 0;
    planner.scopes = List.of("read:repo/b");
    cache.put(StateKeys.agent("s1", "agent:planner"), StateCodec.encodeAgent(planner));
    // Then: the coder's record is the kept one still, and its path holds the planner decoded again
    SessionView view = new SessionView(cache, "s1");
    List<StateRecords.AgentNode> again = view.path("agent:coder");
    assertThat(view.agent("agent:coder")).isSameAs(coder);
    assertThat(again).isNotSameAs(first);
    assertThat(again.get(0).scopes).containsExactly("read:repo/b");
    assertThat(again.get(1)).isSameAs(coder);
  }

  @Test
  void shouldLookAnAgentUpAgainInTheSameStepWhenItsRecordIsReplaced() {
    // Given: a view that got the coder's record
    CachingStateStore cache = plannerAndCoder();
    String id = "agent:coder";
    SessionView view = new SessionView(cache, "s1");
    StateRecords.AgentNode kept = view.agent(id);
    assertThat(view.agent(id)).isSameAs(kept);
    long hits = cache.hits();
    // When: its record is replaced in the cache by another object, then written as bytes
    StateRecords.AgentNode replaced = new StateRecords.AgentNode(id);
    replaced.parent = "agent:planner";
    replaced.depth = 1;
    replaced.scopes = List.of("read:repo/c");
    view.putAgent(replaced);
    StateRecords.AgentNode afterPut = view.agent(id);
    StateRecords.AgentNode written = new StateRecords.AgentNode(id);
    written.parent = "agent:planner";
    written.depth = 1;
    written.scopes = List.of("read:repo/d");
    cache.put(StateKeys.agent("s1", id), StateCodec.encodeAgent(written));
    StateRecords.AgentNode afterBytes = view.agent(id);
    // Then: each ask of the same id gets the record the cache holds then, counted as the cache's
    assertThat(afterPut).isSameAs(replaced);
    assertThat(afterBytes.scopes).containsExactly("read:repo/d");
    assertThat(view.agent(id)).isSameAs(afterBytes);
    assertThat(cache.hits()).isEqualTo(hits + 2);
  }

  @Test
  void shouldDecodeAgainWhenBytesAreWrittenDirectly() {
    // Given
    CachingStateStore cache = new CachingStateStore(new InMemoryStateStore());
    byte[] key = StateKeys.fanOut("s1", "agent:a");
    cache.put(key, StateCodec.encodeTimes(new long[] {1, 2}, 2));
    long[] first = cache.session("s1").read(StateKeys.FAN_OUT, "agent:a", StateCodec::decodeTimes);
    // When
    cache.put(key, StateCodec.encodeTimes(new long[] {7}, 1));
    // Then
    assertThat(cache.session("s1").read(StateKeys.FAN_OUT, "agent:a", StateCodec::decodeTimes)).containsExactly(7);
    assertThat(first).containsExactly(1, 2);
    cache.delete(key);
    assertThat(cache.session("s1").read(StateKeys.FAN_OUT, "agent:a", StateCodec::decodeTimes)).isNull();
  }

  @Test
  void shouldReadTheTimerWrittenDirectlyInsteadOfTheCachedMeta() {
    // Given: a session whose meta is cached
    InMemoryStateStore inner = new InMemoryStateStore();
    CachingStateStore cache = new CachingStateStore(inner);
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    engine.process(s.start("agent:planner", 0, "read:repo/**"), cache);
    SessionView view = new SessionView(cache, "s1");
    assertThat(view.meta().timer).isEqualTo(Events.millis(0));
    // When: the timer and an agent are written as bytes
    cache.put(StateKeys.timer("s1"), StateCodec.encodeTimer(Events.millis(42)));
    StateRecords.AgentNode coder = new StateRecords.AgentNode("agent:coder");
    coder.scopes = List.of("read:repo/a");
    cache.put(StateKeys.agent("s1", "agent:planner"), StateCodec.encodeAgent(coder));
    // Then: both are decoded again from the bytes
    SessionView fresh = new SessionView(cache, "s1");
    assertThat(fresh.meta().timer).isEqualTo(Events.millis(42));
    assertThat(fresh.agent("agent:planner").scopes).containsExactly("read:repo/a");
    cache.delete(StateKeys.session("s1"));
    assertThat(new SessionView(cache, "s1").meta()).isNull();
  }

  @Test
  void shouldForgetDecodedRecordsWhenAStepFails() {
    // Given: a store whose writes fail once armed
    FailingStore inner = new FailingStore();
    CachingStateStore cache = new CachingStateStore(inner);
    AuditEngine engine = new AuditEngine(Policies.defaultPolicy());
    engine.process(s.start("agent:planner", 0, "read:repo/**"), cache);
    engine.process(s.tool("agent:planner", 1, "repo.read_file", Map.of("repo", "a", "path", "p")), cache);
    assertThat(cache.size()).isPositive();
    // When
    inner.failWrites = true;
    Step delegation = s.delegate("agent:planner", 2, "agent:coder", "read:repo/a");
    assertThatThrownBy(() -> engine.process(delegation, cache)).hasMessageContaining("disk full");
    // Then: nothing decoded is kept, and the next step reads what the store holds
    assertThat(cache.size()).isZero();
    inner.failWrites = false;
    InMemoryStateStore uncached = copyOf(inner.inner);
    StepResult retried = engine.process(delegation, cache);
    assertThat(retried).isEqualTo(engine.process(delegation, uncached));
    assertThat(retried.retry()).isFalse();
  }

  private static InMemoryStateStore copyOf(InMemoryStateStore store) {
    InMemoryStateStore copy = new InMemoryStateStore();
    store.snapshot().forEach(copy::put);
    return copy;
  }

  /** An in-memory store whose puts throw while {@link #failWrites} is set. */
  private static final class FailingStore extends ForwardingStore {
    boolean failWrites;

    @Override
    void beforePut(byte[] key, byte[] value) {
      if (failWrites) {
        throw new IllegalStateException("disk full");
      }
    }
  }
}
