package io.agentauditor.gateway;

import io.agentauditor.model.Decision;
import io.agentauditor.streams.DecisionListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The decision API's requests waiting for their decision, by ({@code sessionId}, {@code eventId}).
 * A request registers before its event is appended; the decision of that event (told by the audit
 * processor, or read back committed from the decisions topic) completes the oldest request
 * waiting on the pair (two requests for one pair get the decisions of their two appends, in
 * append order). A request that gives up removes itself.
 *
 * <p>Thread-safe: requests register on HTTP and gRPC threads, decisions arrive on a stream thread
 * or the committed reader. The waiting requests are split by session over {@value #SHARDS} locks,
 * so one request's append holds up only the sessions that share its shard, not every request.
 */
public final class PendingDecisions implements DecisionListener {

  private static final int SHARDS = 64;

  private final Shard[] shards = new Shard[SHARDS];

  private record Key(String sessionId, String eventId) {}

  /** One lock and the requests of the sessions hashed to it. */
  private static final class Shard {
    final Map<Key, Deque<CompletableFuture<Decision>>> waiting = new HashMap<>();
  }

  public PendingDecisions() {
    for (int i = 0; i < SHARDS; i++) {
      shards[i] = new Shard();
    }
  }

  private Shard shard(String sessionId) {
    int h = sessionId.hashCode();
    return shards[(h ^ (h >>> 16)) & (SHARDS - 1)];
  }

  /**
   * Registers a request for the decision of ({@code sessionId}, {@code eventId}), then runs {@code
   * append} while no other request of the session can register, so registration order is append
   * order.
   *
   * @return the future the decision completes
   * @throws RuntimeException whatever {@code append} throws; the registration is then withdrawn
   */
  public CompletableFuture<Decision> register(String sessionId, String eventId, Runnable append) {
    Key key = new Key(sessionId, eventId);
    CompletableFuture<Decision> f = new CompletableFuture<>();
    Shard shard = shard(sessionId);
    synchronized (shard) {
      shard.waiting.computeIfAbsent(key, k -> new ArrayDeque<>(1)).addLast(f);
      try {
        append.run();
      } catch (RuntimeException e) {
        withdraw(shard, key, f);
        throw e;
      }
    }
    return f;
  }

  /** Withdraws a request that stopped waiting (deadline passed). */
  public void cancel(String sessionId, String eventId, CompletableFuture<Decision> f) {
    Shard shard = shard(sessionId);
    synchronized (shard) {
      withdraw(shard, new Key(sessionId, eventId), f);
    }
  }

  private static void withdraw(Shard shard, Key key, CompletableFuture<Decision> f) {
    Deque<CompletableFuture<Decision>> q = shard.waiting.get(key);
    if (q != null && q.remove(f) && q.isEmpty()) {
      shard.waiting.remove(key);
    }
  }

  /** Requests waiting now. */
  public int size() {
    int n = 0;
    for (Shard shard : shards) {
      synchronized (shard) {
        for (Deque<CompletableFuture<Decision>> q : shard.waiting.values()) {
          n += q.size();
        }
      }
    }
    return n;
  }

  /** Whether a request of {@code sessionId} may be waiting (a cheap test before decoding). */
  boolean mayWaitFor(String sessionId) {
    Shard shard = shard(sessionId);
    synchronized (shard) {
      return !shard.waiting.isEmpty();
    }
  }

  @Override
  public void decided(Decision decision) {
    CompletableFuture<Decision> f;
    Shard shard = shard(decision.sessionId());
    synchronized (shard) {
      Key key = new Key(decision.sessionId(), decision.eventId());
      Deque<CompletableFuture<Decision>> q = shard.waiting.get(key);
      if (q == null) {
        return; // nobody waits: an event produced by another client, or a request that gave up
      }
      f = q.pollFirst();
      if (q.isEmpty()) {
        shard.waiting.remove(key);
      }
    }
    f.complete(decision);
  }
}
