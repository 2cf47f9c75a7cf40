package io.agentauditor.gateway;

import io.agentauditor.model.Decision;
import io.agentauditor.streams.DecisionListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The decision API's requests waiting for the audit processor, by ({@code sessionId}, {@code
 * eventId}). A request registers before its event is appended; the processor's decision of that
 * event completes the oldest request waiting on the pair (two requests for one pair get the
 * decisions of their two appends, in append order). A request that gives up removes itself.
 * Thread-safe: requests register on HTTP threads, decisions arrive on stream threads.
 */
public final class PendingDecisions implements DecisionListener {

  private final Map<Key, Deque<CompletableFuture<Decision>>> waiting = new HashMap<>();

  private record Key(String sessionId, String eventId) {}

  /**
   * Registers a request for the decision of ({@code sessionId}, {@code eventId}), then runs {@code
   * append} while no other request for the pair can register, so registration order is append
   * order.
   *
   * @return the future the decision completes
   * @throws RuntimeException whatever {@code append} throws; the registration is then withdrawn
   */
  public CompletableFuture<Decision> register(String sessionId, String eventId, Runnable append) {
    Key key = new Key(sessionId, eventId);
    CompletableFuture<Decision> f = new CompletableFuture<>();
    synchronized (this) {
      waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(f);
      try {
        append.run();
      } catch (RuntimeException e) {
        withdraw(key, f);
        throw e;
      }
    }
    return f;
  }

  /** Withdraws a request that stopped waiting (deadline passed). */
  public synchronized void cancel(String sessionId, String eventId, CompletableFuture<Decision> f) {
    withdraw(new Key(sessionId, eventId), f);
  }

  private void withdraw(Key key, CompletableFuture<Decision> f) {
    Deque<CompletableFuture<Decision>> q = waiting.get(key);
    if (q != null && q.remove(f) && q.isEmpty()) {
      waiting.remove(key);
    }
  }

  /** Requests waiting now. */
  public synchronized int size() {
    int n = 0;
    for (Deque<CompletableFuture<Decision>> q : waiting.values()) {
      n += q.size();
    }
    return n;
  }

  @Override
  public void decided(Decision decision) {
    CompletableFuture<Decision> f;
    synchronized (this) {
      Key key = new Key(decision.sessionId(), decision.eventId());
      Deque<CompletableFuture<Decision>> q = waiting.get(key);
      if (q == null) {
        return; // nobody waits: an event produced by another client, or a request that gave up
      }
      f = q.pollFirst();
      if (q.isEmpty()) {
        waiting.remove(key);
      }
    }
    f.complete(decision);
  }
}
