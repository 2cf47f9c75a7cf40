package io.agentauditor.engine;

import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Step;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The privilege-chain engine (contract sections 3 to 7 and 9.3): decides one valid {@link Step} at
 * a time against the chain state its session's earlier steps built, and applies the step's effect.
 *
 * <p>This class orchestrates; the rules live one family per class ({@link GateRules}, {@link
 * DelegationRules}, {@link CredentialRules}, {@link ToolCallRules}, {@link SessionRules}, {@link
 * CustomRules}, {@link IdleAndRetention}), and a decision lists its findings in the order of the
 * rule table ({@link io.agentauditor.policy.BuiltinRule}) whatever order they were found in.
 *
 * <p>State lives in a {@link StateStore} under granular keys (layout in {@code package-info}), loaded
 * lazily for what a step needs and written at the end of the step. The engine itself holds no
 * session state, only the compiled policy and a parse cache, so one engine may serve several stores
 * (stream tasks) as long as calls are not concurrent: it is not thread-safe.
 *
 * <p>Retention (contract section 4, v2; {@code sessionRetentionSeconds}, default 86,400 s, 0 keeps
 * everything for good): a closed session's chain state and stored decisions are purged that long
 * (in event time) after it closed, and a tombstone of its meta stays: the {@code sessionId} still
 * gets {@code duplicate-session} and {@code session-closed}, but a retry of one of its events is
 * decided anew (against the tombstone) rather than answered with the stored decision. In any
 * session, open or closed (or never started), a stored decision is also dropped once stream time
 * is more than the retention past its own occurredAt.
 */
public final class AuditEngine {

  /** Suffix of the event id of idle-timeout decisions (contract 9.3). */
  public static final String IDLE_TIMEOUT_SUFFIX = Step.IDLE_TIMEOUT_SUFFIX;

  private final CompiledPolicy rules;
  private final StepFingerprint fingerprint = new StepFingerprint();
  /** The credential changes of the step being decided; emptied per step (a result copies them). */
  private final List<CredentialChange> changes = new ArrayList<>();
  private final long identityHash;
  /** The number confirmed (byte for byte) to stand for this engine's identity in its store; 0 if none yet. */
  private long verifiedPolicyNo;
  /** The meta of the step being decided, for the counters a failed step took; null between steps. */
  private EngineMeta stepMeta;

  /**
   * @param policy the loaded policy bundle; not null
   */
  public AuditEngine(Policy policy) {
    Objects.requireNonNull(policy, "policy");
    this.rules = new CompiledPolicy(policy);
    this.identityHash = StateCodec.identityHash(rules.identity);
  }

  /** The policy this engine decides with. */
  public Policy policy() {
    return rules.policy;
  }

  /**
   * Decides one valid step, applies its effect to {@code store}, then closes idle sessions and
   * purges expired closed ones.
   *
   * @param step a step; valid by construction; not null
   * @param store the state of the stream task the step's session belongs to; not null
   * @return the decision (the stored one for a retry), the idle-timeout decisions due after it, and
   *     the credential changes
   * @throws IllegalStateException when the store holds records this engine can't read
   */
  public StepResult process(Step step, StateStore store) {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(store, "store");
    try {
      return decide(step, store);
    } catch (RuntimeException | Error e) {
      // A step that failed midway may have changed cached records it never wrote back.
      store.discardCached();
      keepCounters(store, e);
      throw e;
    } finally {
      stepMeta = null;
    }
  }

  /**
   * After a failed step, stores the counters it advanced (session handles, policy identity numbers)
   * and nothing else of its meta. Records it wrote before it failed may name a handle or a number it
   * took (a started session's record names its handle); given to a later step again, one handle
   * would have two sessions share their stored decisions.
   */
  private void keepCounters(StateStore store, Throwable failure) {
    EngineMeta failed = stepMeta;
    if (failed == null) {
      return;
    }
    try {
      EngineMeta kept = EngineMeta.load(store);
      kept.keepCounters(failed);
      kept.store(store);
    } catch (RuntimeException | Error e) {
      failure.addSuppressed(e);
    }
  }

  private StepResult decide(Step step, StateStore store) {
    EngineMeta meta = EngineMeta.load(store);
    stepMeta = meta;
    long before = meta.streamTime;
    meta.advance(step.occurredAtMillis());
    changes.clear();
    StepContext c = new StepContext(rules, step, meta, store, changes);
    long eventHash = StateKeys.eventHash(step.eventId());
    // Dropped after an earlier record (section 4), whether or not the purge, which deletes a
    // bounded number per step, got to it yet: not found, so decided anew and stored again.
    StoredDecisions.Stored stored = StoredDecisions.find(rules, c.view, step, eventHash, before);
    byte[] content = fingerprint.of(step);
    Decision decision;
    boolean retry = false;
    if (stored != null) {
      byte[] decided = stored.fingerprint();
      // A record of an older engine has no fingerprint: any repeat of it is a retry, as it was.
      retry = decided == null || Arrays.equals(decided, content);
      Decision first = stored.decode(c.view, step, retry);
      decision = retry ? first : GateRules.eventIdReuse(c, first);
    } else {
      decision = run(c);
      verifiedPolicyNo = meta.policyNumber(store, rules.identity, identityHash, verifiedPolicyNo);
      StoredDecisions.store(rules, c, decision, verifiedPolicyNo, content, eventHash);
    }
    List<Decision> idle = IdleAndRetention.closeIdleSessions(rules, store, meta, changes);
    IdleAndRetention.purgeClosedSessions(rules, store, meta);
    IdleAndRetention.purgeDecisions(rules, store, meta);
    meta.store(store);
    // The result copies the list; copying an empty one would still make an array.
    return new StepResult(decision, retry, idle, changes.isEmpty() ? List.of() : changes);
  }

  /**
   * The stream time kept in {@code store}: the largest occurredAt of the valid records processed,
   * or {@link Long#MIN_VALUE} before the first.
   */
  public static long streamTime(StateStore store) {
    return EngineMeta.load(store).streamTime;
  }

  /** Decides a step that is not a retry: gates, the type's rules, custom rules, then its effect. */
  private Decision run(StepContext c) {
    Decision gated = GateRules.check(c);
    if (gated != null) {
      return gated;
    }
    Effect effect = evaluate(c);
    if (!rules.policy.customRules().isEmpty()) {
      CustomRules.evaluate(c);
    }
    Verdict verdict = c.verdict();
    if (verdict != Verdict.BLOCK) {
      effect.apply();
      if (c.path == null) {
        c.path = c.view.path(c.actor); // the root of a session this step just created
      }
    } else {
      effect.whenBlocked();
    }
    restartTimer(c);
    c.view.flush();
    return c.decision(verdict);
  }

  private static Effect evaluate(StepContext c) {
    Step s = c.step;
    if (s instanceof Step.SessionStarted started) {
      return SessionRules.started(c, started);
    } else if (s instanceof Step.AgentDelegated delegated) {
      return DelegationRules.delegated(c, delegated);
    } else if (s instanceof Step.CredentialIssued issued) {
      return CredentialRules.issued(c, issued);
    } else if (s instanceof Step.ToolCall call) {
      return ToolCallRules.toolCall(c, call);
    } else if (s instanceof Step.CredentialRevoked revoked) {
      return CredentialRules.revoked(c, revoked);
    } else if (s instanceof Step.ApprovalGranted approval) {
      return SessionRules.approval(c, approval);
    } else {
      return SessionRules.ended(c);
    }
  }

  /**
   * Restarts the session's idle timer at this step (contract 9.3): set to its occurredAt, or kept
   * when already later, so the timer never moves back. A session's idle-timer index entries are
   * lower bounds of its timer, so a timer moving forward leaves them in place (they are moved when
   * found due, in {@link IdleAndRetention}).
   */
  private static void restartTimer(StepContext c) {
    StateRecords.SessionMeta m = c.view.meta();
    if (m == null || m.closed) {
      return;
    }
    if (c.t > m.timer) {
      m.timer = c.t;
      c.view.timerChanged();
    }
  }
}
