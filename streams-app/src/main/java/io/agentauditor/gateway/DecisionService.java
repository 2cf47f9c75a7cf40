package io.agentauditor.gateway;

import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Step;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the topology's decision of one valid event, for every entry point of the gateway (the HTTP
 * API, Envoy's ext_authz): appends it and waits for the audit processor when this instance owns
 * the session's partition, else asks the owner's decision API. Never decides by itself.
 * Thread-safe.
 */
public final class DecisionService {

  private static final Logger LOGGER = LoggerFactory.getLogger(DecisionService.class);

  /** Marks a request another instance forwarded: it is answered there, never forwarded again. */
  static final String FORWARDED = "X-Auditor-Forwarded";

  private final EventLog log;
  private final PendingDecisions pending;
  private final Router router;
  private final HttpClient forwarder;
  private final Duration maxClockSkew;
  private final Clock clock;

  /** What became of a request: an HTTP status and body, and the decision when there is one. */
  public record Answer(int status, byte[] body, Decision decision) {

    static Answer of(Decision d) {
      return new Answer(200, DecisionJsonCodec.encodeUtf8(d), d);
    }
  }

  /** A service with the contract's default clock-skew bound (300 s) and the system clock. */
  public DecisionService(EventLog log, PendingDecisions pending, Router router, Duration connect) {
    this(log, pending, router, connect, Duration.ofSeconds(300), Clock.systemUTC());
  }

  /**
   * @param maxClockSkew how far after this instance's clock a step may be stamped (the bundle's
   *     {@code maxClockSkewSeconds}, contract 9.3): a later one is refused, never appended
   */
  public DecisionService(
      EventLog log,
      PendingDecisions pending,
      Router router,
      Duration connect,
      Duration maxClockSkew,
      Clock clock) {
    this.log = log;
    this.pending = pending;
    this.router = router;
    this.forwarder = HttpClient.newBuilder().connectTimeout(connect).build();
    this.maxClockSkew = maxClockSkew;
    this.clock = clock;
  }

  /**
   * Why {@code step} is refused before it is appended, or null: stamped more than the clock-skew
   * bound after this instance's clock (contract 9.3: at the decision API the second clock is the
   * API's own), so one far-future stamp can't move stream time and close every open session.
   */
  public String futureDated(Step step) {
    long now = clock.millis();
    long skew = step.occurredAtMillis() - now;
    if (skew > maxClockSkew.toMillis()) {
      return "future-dated: occurredAt is "
          + skew / 1000
          + " s after the decision API's clock, more than maxClockSkewSeconds "
          + maxClockSkew.toSeconds();
    }
    return null;
  }

  /**
   * The decision of {@code step}, or 504 at {@code deadlineNanos} ({@link System#nanoTime()}).
   *
   * @param authorization the request's {@code Authorization} header, passed on when forwarding
   * @param forwarded whether another instance forwarded the request (it is then decided here)
   */
  public Answer decide(Step step, long deadlineNanos, String authorization, boolean forwarded) {
    Optional<URI> owner = forwarded ? Optional.empty() : router.ownerOf(step.sessionId());
    if (owner.isPresent()) {
      return forward(step, owner.get(), deadlineNanos, authorization);
    }
    CompletableFuture<Exception> refused = new CompletableFuture<>();
    CompletableFuture<Decision> decision =
        pending.register(step.sessionId(), step.eventId(), () -> log.append(step, refused::complete));
    try {
      Object first =
          CompletableFuture.anyOf(decision, refused)
              .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (first instanceof Decision d) {
        return Answer.of(d);
      }
      pending.cancel(step.sessionId(), step.eventId(), decision);
      return notAppended((Exception) first);
    } catch (TimeoutException e) {
      pending.cancel(step.sessionId(), step.eventId(), decision);
      return timedOut();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.cancel(step.sessionId(), step.eventId(), decision);
      return new Answer(503, DecisionApi.errorBody("shutting down", null), null);
    } catch (ExecutionException e) {
      return new Answer(500, DecisionApi.errorBody("internal error", null), null);
    }
  }

  /**
   * Passes the step to the instance that owns the session; once more if that one fails, to the
   * owner then known; then appends it here.
   */
  private Answer forward(Step step, URI owner, long deadlineNanos, String authorization) {
    byte[] body = EventJsonCodec.encodeUtf8(step);
    URI target = owner;
    for (int attempt = 0; attempt < 2; attempt++) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        break;
      }
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target.resolve(DecisionApi.PATH))
              .timeout(Duration.ofNanos(left))
              .header(FORWARDED, "1")
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      try {
        HttpResponse<byte[]> r =
            forwarder.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        Decision d = r.statusCode() == 200 ? DecisionJsonCodec.decode(r.body()) : null;
        return new Answer(r.statusCode(), r.body(), d);
      } catch (IOException e) {
        // Ownership may have moved in a rebalance: ask once more where the session is.
        LOGGER.debug("forwarding session {} to {} failed: {}", step.sessionId(), target, e.toString());
        Optional<URI> again = router.ownerOf(step.sessionId());
        if (again.isEmpty()) {
          break;
        }
        target = again.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return timedOut();
      }
    }
    // The owner can't be reached (it may be leaving the group): append here and wait. The event
    // is in the log either way, and whichever instance owns the partition after the rebalance
    // decides it; when that is this one, the answer comes before the deadline.
    return decide(step, deadlineNanos, authorization, true);
  }

  /**
   * 503: the events topic did not take the step, so it is not in the log and will not be decided
   * (unlike a 504's); the gateway denies, and a retry appends it again.
   */
  private static Answer notAppended(Exception reason) {
    return new Answer(
        503, DecisionApi.errorBody("event not appended: " + reason.getMessage(), null), null);
  }

  private static Answer timedOut() {
    return new Answer(504, DecisionApi.errorBody("no decision before the deadline", null), null);
  }
}
