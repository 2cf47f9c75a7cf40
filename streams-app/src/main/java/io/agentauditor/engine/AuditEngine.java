package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.Approval;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.CustomRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicySettings;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.policy.Scope;
import io.agentauditor.schema.AgentDelegated;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.ApprovalGranted;
import io.agentauditor.schema.CredentialIssued;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.CredentialStatus;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.RuleMode;
import io.agentauditor.schema.ToolCall;
import io.agentauditor.schema.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The privilege-chain engine (contract sections 3 to 7 and 9.3): decides one validated event at a
 * time against the chain state its session's earlier steps built, and applies the step's effect.
 *
 * <p>State lives in a {@link StateStore} under granular keys (layout in {@code package-info}), loaded
 * lazily for what a step needs and written at the end of the step. The engine itself holds no
 * session state, only the compiled policy and a parse cache, so one engine may serve several stores
 * (stream tasks) as long as calls are not concurrent: it is not thread-safe.
 *
 * <p>Closed sessions are kept for good by default, as the contract asks (a {@code sessionId} is
 * never reusable; retries are recognised over every decided record). With {@code
 * sessionRetentionSeconds} set, a closed session's chain state and dedupe records are purged that
 * long (in event time) after it closed, and a tombstone of its meta stays: the {@code sessionId}
 * still gets {@code duplicate-session} and {@code session-closed}, but a retry of one of its events
 * is decided anew (against the tombstone) rather than answered with the stored decision.
 */
public final class AuditEngine {

  private static final Logger LOGGER = LoggerFactory.getLogger(AuditEngine.class);

  private static final byte[] EMPTY = new byte[0];

  /** Suffix of the event id of idle-timeout decisions (contract 9.3). */
  public static final String IDLE_TIMEOUT_SUFFIX = "#idle-timeout";

  private final Policy policy;
  private final String identity;
  private final long identityHash;
  /** The number confirmed (byte for byte) to stand for this engine's identity in its store; 0 if none yet. */
  private long verifiedPolicyNo;
  private final PolicySettings settings;
  private final ActionLattice lattice;
  private final ToolCatalog catalog;
  private final RuleSettings[] builtins;
  private final ScopeCache scopes = new ScopeCache(8192);
  private final PatternSet secretPatterns;
  private final PatternSet codePatterns;
  private final long idleMillis;
  private final long retentionMillis;
  private final long windowMillis;
  /** Step times an actor's fan-out record keeps at most: {@link #FAN_OUT_KEPT}, or fanOut.max + 1. */
  private final int fanOutKept;

  /** The fewest step times a fan-out record keeps when a window holds more. */
  static final int FAN_OUT_KEPT = 64;

  /**
   * @param policy the loaded policy bundle; not null
   */
  public AuditEngine(Policy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.identity = policy.identity();
    this.identityHash = StateCodec.identityHash(identity);
    this.settings = policy.settings();
    this.lattice = policy.lattice();
    this.catalog = new ToolCatalog(policy.tools());
    // One screen for both sets: a value scanned for secrets is not read again for code patterns.
    List<PatternSet> patternSets =
        PatternSet.sharingOneScreen(policy.secretPatterns(), policy.codePatterns());
    this.secretPatterns = patternSets.get(0);
    this.codePatterns = patternSets.get(1);
    this.builtins = new RuleSettings[BuiltinRule.values().length];
    for (BuiltinRule r : BuiltinRule.values()) {
      builtins[r.ordinal()] = policy.builtins().get(r);
    }
    this.idleMillis = Math.multiplyExact(settings.sessionIdleTimeoutSeconds(), 1000L);
    this.retentionMillis = Math.multiplyExact(settings.sessionRetentionSeconds(), 1000L);
    this.windowMillis = Math.multiplyExact(settings.fanOutWindowSeconds(), 1000L);
    this.fanOutKept = Math.max(FAN_OUT_KEPT, settings.fanOutMax() + 1);
  }

  /** The policy this engine decides with. */
  public Policy policy() {
    return policy;
  }

  /**
   * Decides one event that already passed validation (contract section 2; its scopes parse), applies
   * its effect to {@code store}, then closes idle sessions and purges expired closed ones.
   *
   * @param event a valid event; not null
   * @param store the state of the stream task the event's session belongs to; not null
   * @return the decision (the stored one for a retry), the idle-timeout decisions due after it, and
   *     the credential lifecycle changes
   * @throws IllegalStateException when the store holds records this engine can't read
   */
  public StepResult process(AgentEvent event, StateStore store) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(store, "store");
    try {
      return step(event, store);
    } catch (RuntimeException | Error e) {
      // A step that failed midway may have changed cached records it never wrote back.
      if (store instanceof CachingStateStore c) {
        c.clear();
      }
      throw e;
    }
  }

  private StepResult step(AgentEvent event, StateStore store) {
    long occurredAt = event.getOccurredAt().toEpochMilli();
    EngineMeta meta = EngineMeta.load(store);
    meta.advance(occurredAt);
    long streamTime = meta.streamTime;
    List<CredentialState> changes = new ArrayList<>(0);
    byte[] dedupeKey = StateKeys.dedupe(event.getSessionId(), event.getEventId());
    byte[] stored = store.get(dedupeKey);
    Decision decision;
    boolean retry = stored != null;
    if (retry) {
      decision = StateCodec.decodeDecision(stored, event.getSessionId(), event.getEventId(), store);
    } else {
      decision = new Step(event, occurredAt, meta, store, changes).run();
      verifiedPolicyNo = meta.policyNumber(store, identity, identityHash, verifiedPolicyNo);
      store.put(dedupeKey, StateCodec.encodeDecision(decision, verifiedPolicyNo));
    }
    List<Decision> idle = closeIdleSessions(store, meta, changes);
    purgeClosedSessions(store, meta);
    meta.store(store);
    // Copying an empty list still makes an array; most steps change no credential.
    return new StepResult(decision, retry, idle, changes.isEmpty() ? List.of() : changes);
  }

  /**
   * The stream time kept in {@code store}: the largest occurredAt of the valid records processed,
   * or {@link Long#MIN_VALUE} before the first.
   */
  public static long streamTime(StateStore store) {
    return EngineMeta.load(store).streamTime;
  }

  // ---------------------------------------------------------------- one step

  /** Everything about deciding one (non-retry) event. */
  private final class Step {
    final AgentEvent event;
    final long t;
    final long streamTime;
    final EngineMeta engineMeta;
    final StateStore store;
    final List<CredentialState> changes;
    final String sessionId;
    final String actor;
    final SessionView view;
    // A list of its own from the first finding on (addFinding): most steps have none.
    List<Finding> findings = List.of();
    List<AgentNode> path;
    // What the step is about, for custom rules (CustomRuleContext.Facts); set by the rule methods.
    ToolCatalog.Tool tool;
    String toolName;
    List<Scope> required = List.of();
    CredentialRecord credential;

    Step(AgentEvent event, long t, EngineMeta engineMeta, StateStore store, List<CredentialState> changes) {
      this.event = event;
      this.t = t;
      this.engineMeta = engineMeta;
      this.streamTime = engineMeta.streamTime;
      this.store = store;
      this.changes = changes;
      this.sessionId = event.getSessionId();
      this.actor = event.getAgentId();
      this.view = new SessionView(store, sessionId);
    }

    Decision run() {
      Decision gated = gates();
      if (gated != null) {
        if (view.meta() == null) {
          registerOrphan();
        }
        return gated;
      }
      Effect effect = evaluate();
      if (!policy.customRules().isEmpty()) {
        evaluateCustomRules();
      }
      Verdict verdict = Decision.verdictOf(findings);
      if (verdict != Verdict.BLOCK) {
        effect.apply();
        if (path == null) {
          path = view.path(actor); // the root of a session this step just created
        }
      } else {
        effect.whenBlocked();
      }
      restartTimer();
      view.flush();
      if (view.meta() == null) {
        registerOrphan(); // a blocked SESSION_STARTED: its dedupe record still needs retention
      }
      return decision(verdict, pathIds());
    }

    // ---- gates

    private Decision gates() {
      SessionMeta meta = view.meta();
      if (event.getType() == EventType.SESSION_STARTED) {
        if (meta != null) {
          path = view.path(actor);
          return gate(
              BuiltinRule.DUPLICATE_SESSION,
              "session " + sessionId + " already exists (root " + meta.rootAgentId + ")");
        }
        return null;
      }
      if (meta == null) {
        return gate(BuiltinRule.UNKNOWN_SESSION, "session " + sessionId + " was never started");
      }
      path = view.path(actor);
      if (meta.closed) {
        return gate(
            BuiltinRule.SESSION_CLOSED,
            "session " + sessionId + " closed at " + Instant.ofEpochMilli(meta.closedAt));
      }
      if (path == null) {
        return gate(
            BuiltinRule.UNKNOWN_AGENT, "agent " + actor + " is not in the chain of session " + sessionId);
      }
      return null;
    }

    private Decision gate(BuiltinRule rule, String message) {
      RuleSettings rs = builtins[rule.ordinal()];
      // Gate rules can't be shadowed or switched off, whatever the bundle says.
      addFinding(
          new Finding(rule.id(), rs.action(), RuleMode.ENFORCE, rs.severity(), message, rs.references(), null));
      return decision(Decision.verdictOf(findings), pathIds());
    }

    /** Indexes a session with no meta, so the dedupe records of its gated steps are purged too. */
    private void registerOrphan() {
      store.put(StateKeys.timeIndex(StateKeys.CLOSED_INDEX, streamTime, sessionId), EMPTY);
      engineMeta.indexedClosed(streamTime);
    }

    /** The ids of {@link #path}, as the immutable list a {@link Decision} keeps without copying. */
    private List<String> pathIds() {
      if (path == null) {
        return List.of();
      }
      String[] ids = new String[path.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = path.get(i).id;
      }
      return List.of(ids);
    }

    private Decision decision(Verdict verdict, List<String> pathIds) {
      return new Decision(
          event.getEventId(),
          sessionId,
          actor,
          event.getType(),
          t,
          verdict,
          findings,
          identity,
          pathIds);
    }

    private void fire(BuiltinRule rule, String message) {
      fire(rule, message, null);
    }

    private void fire(BuiltinRule rule, String message, String credentialId) {
      Finding f = finding(rule, message, credentialId);
      if (f != null) {
        addFinding(f);
      }
    }

    private void addFinding(Finding f) {
      if (findings.isEmpty()) {
        findings = new ArrayList<>(2);
      }
      findings.add(f);
    }

    private boolean enabled(BuiltinRule rule) {
      return builtins[rule.ordinal()].enabled();
    }

    // ---- rules per type

    private Effect evaluate() {
      switch (event.getType()) {
        case SESSION_STARTED:
          return sessionStarted();
        case AGENT_DELEGATED:
          return delegated();
        case CREDENTIAL_ISSUED:
          return issued();
        case TOOL_CALL:
          return toolCall();
        case CREDENTIAL_REVOKED:
          return revoked();
        case APPROVAL_GRANTED:
          return approval();
        case SESSION_ENDED:
          return ended();
        default:
          throw new IllegalArgumentException("event type " + event.getType() + " is not decidable");
      }
    }

    private Effect sessionStarted() {
      return () -> {
        SessionMeta m = new SessionMeta();
        m.rootAgentId = actor;
        m.initiator = event.getSession().getInitiator();
        m.grantedScopes = List.copyOf(event.getSession().getGrantedScopes());
        m.startedAt = t;
        m.timer = t;
        m.agentCount = 1;
        view.setMeta(m);
        AgentNode root = new AgentNode(actor);
        root.scopes = List.of();
        view.putAgent(root);
        store.put(StateKeys.timeIndex(StateKeys.TIMER_INDEX, t, sessionId), EMPTY);
        engineMeta.indexedTimer(t);
      };
    }

    private Effect delegated() {
      AgentDelegated d = event.getDelegation();
      String childId = d.getChildAgentId();
      AgentNode actorNode = path.get(path.size() - 1);
      List<Scope> delegatedScopes = scopes.parseAll(d.getScopes());
      if (enabled(BuiltinRule.SCOPE_WIDENING)) {
        scopeWidening(delegatedScopes);
      }
      List<String> pathIds = pathIds();
      boolean cycle = pathIds.contains(childId);
      AgentNode existing = view.agent(childId);
      boolean reparented = !cycle && existing != null && !actor.equals(existing.parent);
      if (cycle) {
        fire(
            BuiltinRule.DELEGATION_CYCLE,
            "delegating to "
                + childId
                + " would close a cycle: it is the actor or an ancestor on path "
                + String.join(" > ", pathIds));
      }
      if (reparented) {
        fire(
            BuiltinRule.AGENT_REPARENTED,
            childId + " already sits in the chain under " + existing.parent + ", not " + actor);
      }
      int childDepth = actorNode.depth + 1;
      if (childDepth > settings.maxDelegationDepth()) {
        fire(
            BuiltinRule.DELEGATION_DEPTH,
            childId
                + " would sit at depth "
                + childDepth
                + ", above maxDelegationDepth "
                + settings.maxDelegationDepth());
      }
      fanOut();
      return () -> {
        // The chain stays a tree: a non-blocked cycle or re-parenting (FLAG or shadow) is
        // reported but leaves the child where it first sat.
        if (cycle || reparented) {
          return;
        }
        AgentNode child = existing;
        if (child == null) {
          child = new AgentNode(childId);
          child.parent = actor;
          child.depth = childDepth;
          view.meta().agentCount++;
          view.metaChanged();
        }
        child.scopes = List.copyOf(d.getScopes());
        child.parsedScopes = null;
        view.putAgent(child);
      };
    }

    private Effect issued() {
      CredentialIssued c = event.getCredential();
      String credentialId = c.getCredentialId();
      if (enabled(BuiltinRule.SCOPE_WIDENING)) {
        scopeWidening(scopes.parseAll(c.getScopes()));
      }
      if (enabled(BuiltinRule.CREDENTIAL_LATERAL_GRANT)
          && !actor.equals(c.getSubjectAgentId())
          && !isAncestor(actor, c.getSubjectAgentId())) {
        fire(
            BuiltinRule.CREDENTIAL_LATERAL_GRANT,
            "credential "
                + credentialId
                + ": subject "
                + c.getSubjectAgentId()
                + " is neither the issuer "
                + actor
                + " nor one of its descendants",
            credentialId);
      }
      CredentialRecord existing = view.credential(credentialId);
      if (existing != null) {
        fire(
            BuiltinRule.CREDENTIAL_ID_CONFLICT,
            "credential "
                + credentialId
                + " was already recorded in this session (issued by "
                + existing.issuer
                + " at "
                + Instant.ofEpochMilli(existing.issuedAt)
                + ")",
            credentialId);
      }
      Integer ttl = c.getTtlSeconds();
      if (ttl == null) {
        fire(
            BuiltinRule.LONG_LIVED_CREDENTIAL,
            "credential " + credentialId + " never expires (no ttlSeconds)",
            credentialId);
      } else if (ttl > settings.maxCredentialTtlSeconds()) {
        fire(
            BuiltinRule.LONG_LIVED_CREDENTIAL,
            "credential "
                + credentialId
                + " has ttlSeconds "
                + ttl
                + ", above maxCredentialTtlSeconds "
                + settings.maxCredentialTtlSeconds(),
            credentialId);
      }
      if (settings.forbiddenStorage().contains(c.getStorage())) {
        fire(
            BuiltinRule.INSECURE_SECRET_STORAGE,
            "credential " + credentialId + " is stored in " + c.getStorage() + ", a forbidden storage",
            credentialId);
      }
      // A kind added by a newer writer is read as UNRECOGNIZED: treated as static, the safe side.
      if (settings.staticKinds().contains(c.getKind()) || c.getKind() == CredentialKind.UNRECOGNIZED) {
        fire(
            BuiltinRule.STATIC_CREDENTIAL,
            "credential " + credentialId + " is a static credential of kind " + c.getKind(),
            credentialId);
      }
      fanOut();
      Long expiresAt = ttl == null ? null : t + ttl * 1000L;
      CredentialRecord issued = new CredentialRecord(credentialId);
      issued.issuer = actor;
      issued.subject = c.getSubjectAgentId();
      issued.scopes = List.copyOf(c.getScopes());
      issued.kind = c.getKind();
      issued.storage = c.getStorage();
      issued.issuedAt = t;
      issued.expiresAt = expiresAt;
      credential = issued;
      return () -> {
        if (existing != null) {
          return; // the first credential with this id stays the recorded one
        }
        SessionMeta m = view.meta();
        issued.sequence = m.credentialCount++;
        issued.reported = issued.statusAt(t);
        view.metaChanged();
        view.putCredential(issued);
        changes.add(credentialState(sessionId, issued, t));
      };
    }

    private Effect toolCall() {
      ToolCall call = event.getToolCall();
      Map<String, String> args = call.getArguments();
      ToolCatalog.Tool tool = catalog.tool(call.getTool());
      ToolCatalog.Built built = tool == null ? null : catalog.build(tool, args, scopes);
      List<Scope> required = built != null && built.ok() ? built.scopes() : null;
      CredentialStorage sink = tool == null ? null : tool.sink();

      if (required != null && enabled(BuiltinRule.SCOPE_WIDENING)) {
        scopeWidening(required);
      }
      if (tool == null) {
        fire(BuiltinRule.UNKNOWN_TOOL, "tool '" + call.getTool() + "' is not in the tool catalog");
      } else if (!built.ok()) {
        fire(
            BuiltinRule.MALFORMED_ARGUMENTS,
            "cannot build the required scopes of "
                + tool.name()
                + " "
                + tool.sources()
                + ": "
                + String.join("; ", built.problems()));
      }
      if (required != null && enabled(BuiltinRule.APPROVAL_REQUIRED)) {
        approvalRequired(required);
      }
      String credentialId = call.getCredentialId();
      CredentialRecord cred = credentialId == null ? null : view.credential(credentialId);
      boolean expired = false;
      if (credentialId != null) {
        if (cred == null) {
          fire(
              BuiltinRule.CREDENTIAL_UNKNOWN,
              "credential " + credentialId + " was never recorded in this session",
              credentialId);
        } else {
          if (!actor.equals(cred.subject)) {
            fire(
                BuiltinRule.CREDENTIAL_REUSE,
                "credential " + credentialId + " is held by " + cred.subject + ", presented by " + actor,
                credentialId);
          }
          expired = cred.expiredAt(t);
          if (expired) {
            fire(
                BuiltinRule.CREDENTIAL_EXPIRED,
                "credential " + credentialId + " expired at " + Instant.ofEpochMilli(cred.expiresAt),
                credentialId);
          }
          if (cred.revokedAt(t)) {
            fire(
                BuiltinRule.CREDENTIAL_REVOKED,
                "credential "
                    + credentialId
                    + " was revoked at "
                    + Instant.ofEpochMilli(cred.revokedAt)
                    + " by "
                    + cred.revokedBy,
                credentialId);
          }
          if (required != null && enabled(BuiltinRule.CREDENTIAL_SCOPE_EXCEEDED)) {
            List<Scope> held = scopes.parseAll(cred.scopes);
            List<String> uncovered = null; // made for the first uncovered scope: most calls have none
            for (int i = 0; i < required.size(); i++) {
              Scope r = required.get(i);
              if (!lattice.coversAny(held, r)) {
                if (uncovered == null) {
                  uncovered = new ArrayList<>(2);
                }
                uncovered.add(r.toString());
              }
            }
            if (uncovered != null) {
              fire(
                  BuiltinRule.CREDENTIAL_SCOPE_EXCEEDED,
                  "required scopes not covered by credential "
                      + credentialId
                      + ": "
                      + String.join(", ", uncovered),
                  credentialId);
            }
          }
        }
      }
      if (sink != CredentialStorage.SECRETS_MANAGER && enabled(BuiltinRule.SECRET_IN_ARGUMENTS)) {
        String hits = secretPatterns.hits(args);
        if (hits != null) {
          fire(BuiltinRule.SECRET_IN_ARGUMENTS, "secret in arguments: " + hits);
        }
      }
      if ((sink == CredentialStorage.REPOSITORY || sink == CredentialStorage.CONFIG_FILE)
          && enabled(BuiltinRule.LONG_LIVED_SECRET_IN_CODE)) {
        String hits = codePatterns.hits(args);
        if (hits != null) {
          fire(
              BuiltinRule.LONG_LIVED_SECRET_IN_CODE,
              "long-lived credential in code bound for " + sink + ": " + hits);
        }
      }
      this.tool = tool;
      this.toolName = call.getTool();
      this.required = required == null ? List.of() : required;
      this.credential = cred;
      if (cred == null) {
        return Effect.NONE;
      }
      boolean foundExpired = expired;
      return new Effect() {
        @Override
        public void apply() {
          cred.useCount++;
          cred.lastUsedAt = t;
          cred.reported = inventoryStatus(cred, t);
          view.putCredential(cred);
          changes.add(credentialState(sessionId, cred, t));
        }

        @Override
        public void whenBlocked() {
          // Reported, not stored: a blocked step changes no state; the upsert is idempotent.
          if (foundExpired && cred.reported == CredentialStatus.ACTIVE) {
            CredentialState s = credentialState(sessionId, cred, t);
            s.setStatus(CredentialStatus.EXPIRED);
            changes.add(s);
          }
        }
      };
    }

    private Effect revoked() {
      String credentialId = event.getRevocation().getCredentialId();
      CredentialRecord cred = view.credential(credentialId);
      if (cred == null) {
        fire(
            BuiltinRule.REVOCATION_UNKNOWN,
            "credential " + credentialId + " was never recorded in this session",
            credentialId);
      } else if (!actor.equals(cred.issuer)
          && !actor.equals(cred.subject)
          && !isAncestor(actor, cred.issuer)
          && !isAncestor(actor, cred.subject)) {
        fire(
            BuiltinRule.REVOCATION_UNAUTHORIZED,
            actor
                + " may not revoke credential "
                + credentialId
                + ": it is not the issuer "
                + cred.issuer
                + ", the subject "
                + cred.subject
                + ", or an ancestor of either",
            credentialId);
      }
      credential = cred;
      return () -> {
        if (cred != null && cred.revokedAt == null) {
          cred.revokedAt = t;
          cred.revokedBy = actor;
          cred.reported = CredentialStatus.REVOKED;
          view.putCredential(cred);
          changes.add(credentialState(sessionId, cred, t));
        }
      };
    }

    private Effect approval() {
      ApprovalGranted a = event.getApproval();
      if (view.agent(a.getApprover()) != null) {
        fire(
            BuiltinRule.SELF_APPROVAL,
            "approval " + a.getApprovalId() + ": approver " + a.getApprover() + " is an agent of this session's chain");
      }
      return () -> {
        view.addApproval(
            new Approval(
                a.getApprovalId(),
                a.getApprover(),
                actor,
                t,
                t + a.getTtlSeconds() * 1000L,
                List.copyOf(a.getScopes())));
        view.meta().approvalCount++;
        view.metaChanged();
      };
    }

    private Effect ended() {
      List<CredentialRecord> all = view.allCredentials();
      for (Finding f : notRevoked(all, t)) {
        addFinding(f);
      }
      return () -> {
        close(view, t, all, changes, engineMeta);
      };
    }

    // ---- shared rule pieces

    private void scopeWidening(List<Scope> requested) {
      List<String> uncovered = null; // made for the first uncovered scope: most steps have none
      for (int i = 0; i < requested.size(); i++) {
        Scope r = requested.get(i);
        if (!effectiveCovers(r)) {
          if (uncovered == null) {
            uncovered = new ArrayList<>(2);
          }
          uncovered.add(r.toString());
        }
      }
      if (uncovered != null) {
        fire(
            BuiltinRule.SCOPE_WIDENING,
            "not within the effective scopes of " + actor + ": " + String.join(", ", uncovered));
      }
    }

    /** Whether {@code r} is within the actor's effective scopes (contract section 1). */
    private boolean effectiveCovers(Scope r) {
      SessionMeta m = view.meta();
      if (m.parsedGranted == null) {
        m.parsedGranted = scopes.parseAll(m.grantedScopes);
      }
      if (!lattice.coversAny(m.parsedGranted, r)) {
        return false;
      }
      for (int i = 1; i < path.size(); i++) {
        AgentNode n = path.get(i);
        if (n.parsedScopes == null) {
          n.parsedScopes = scopes.parseAll(n.scopes);
        }
        if (!lattice.coversAny(n.parsedScopes, r)) {
          return false;
        }
      }
      return true;
    }

    /** Whether {@code ancestor} is a strict ancestor of {@code agentId} in the chain. */
    private boolean isAncestor(String ancestor, String agentId) {
      AgentNode n = view.agent(agentId);
      int guard = 0;
      while (n != null && n.parent != null) {
        if (n.parent.equals(ancestor)) {
          return true;
        }
        n = view.agent(n.parent);
        if (++guard > 1_000_000) {
          throw new IllegalStateException("broken parent chain in session " + sessionId);
        }
      }
      return false;
    }

    private void approvalRequired(List<Scope> required) {
      List<String> unapproved = null; // made for the first unapproved scope: most steps have none
      for (int i = 0; i < required.size(); i++) {
        Scope r = required.get(i);
        Scope sensitive = sensitiveMatch(r);
        if (sensitive != null && !approved(r)) {
          if (unapproved == null) {
            unapproved = new ArrayList<>(2);
          }
          unapproved.add(r + " (sensitive " + sensitive + ")");
        }
      }
      if (unapproved != null) {
        fire(
            BuiltinRule.APPROVAL_REQUIRED,
            "no approval valid at occurredAt covers " + String.join(", ", unapproved));
      }
    }

    private boolean approved(Scope r) {
      for (Approval a : view.approvals()) {
        if (a.validAt(t) && lattice.coversAny(scopes.parseAll(a.scopes()), r)) {
          return true;
        }
      }
      return false;
    }

    /** Records this step for the actor's fan-out and fires when the window holds too many. */
    private void fanOut() {
      long[] old = view.fanOut(actor);
      if (old == null) {
        old = new long[0];
      }
      long latest = t;
      int count = 1;
      for (long x : old) {
        latest = Math.max(latest, x);
        if (t - windowMillis < x && x <= t) {
          count++;
        }
      }
      // Keep what a step at the latest time can still count; a step arriving a whole window late
      // sees a lower bound.
      long[] kept = new long[old.length + 1];
      int n = 0;
      for (long x : old) {
        if (x > latest - windowMillis) {
          kept[n++] = x;
        }
      }
      if (t > latest - windowMillis) {
        kept[n++] = t;
      }
      if (n > fanOutKept) {
        // Thousands of steps in one window would make every step rewrite them all. The latest
        // fanOut.max + 1 tell an in-order step whether the window holds more than fanOut.max; a
        // step arriving late already sees a lower bound, now one from the latest kept only.
        Arrays.sort(kept, 0, n);
        System.arraycopy(kept, n - fanOutKept, kept, 0, fanOutKept);
        n = fanOutKept;
      }
      view.writeFanOut(actor, kept, n);
      if (count > settings.fanOutMax()) {
        fire(
            BuiltinRule.FAN_OUT,
            actor
                + " made "
                + count
                + " delegations and credential issuances within "
                + settings.fanOutWindowSeconds()
                + "s, above fanOut.max "
                + settings.fanOutMax());
      }
    }

    private void restartTimer() {
      SessionMeta m = view.meta();
      if (m == null || m.closed) {
        return;
      }
      if (m.timer != t) {
        // A session's index entries are lower bounds of its timer: one moving forward (nearly
        // every step) is left in place and moved when found due (closeIdleSessions); only a
        // timer set back by an earlier-stamped step needs an entry now.
        if (t < m.timer) {
          store.put(StateKeys.timeIndex(StateKeys.TIMER_INDEX, t, sessionId), EMPTY);
          engineMeta.indexedTimer(t);
        }
        m.timer = t;
        view.timerChanged();
      }
    }

    // ---- custom rules

    private void evaluateCustomRules() {
      CustomRuleContext.Facts facts = new CustomRuleContext.Facts();
      facts.event = event;
      facts.occurredAt = t;
      facts.tool = tool;
      facts.toolName = toolName;
      facts.required = required;
      facts.credential = credential;
      Map<String, Object> context =
          CustomRuleContext.build(facts, view, path, actor, scopes, lattice);
      for (CustomRule rule : policy.customRules()) {
        RuleSettings rs = rule.settings();
        if (!rs.enabled()) {
          continue;
        }
        String message;
        try {
          if (!rule.matches(context)) {
            continue;
          }
          message = rule.description() == null ? rs.ruleId() : rule.description();
        } catch (RuntimeException e) {
          // Fail closed: a rule that can't be evaluated reports its configured action.
          LOGGER.debug("custom rule {} failed on {}/{}", rs.ruleId(), sessionId, event.getEventId(), e);
          message = "evaluation failed: " + e.getMessage();
        }
        addFinding(
            new Finding(rs.ruleId(), rs.action(), rs.mode(), rs.severity(), message, rs.references(), null));
      }
    }
  }

  /** A step's deferred effect: applied unless the verdict is BLOCK. */
  private interface Effect {
    Effect NONE = () -> {};

    void apply();

    /** What a blocked step still reports (it changes no state); nothing by default. */
    default void whenBlocked() {}
  }

  // ---------------------------------------------------------------- shared helpers

  private Finding finding(BuiltinRule rule, String message, String credentialId) {
    RuleSettings rs = builtins[rule.ordinal()];
    if (!rs.enabled()) {
      return null;
    }
    return new Finding(rule.id(), rs.action(), rs.mode(), rs.severity(), message, rs.references(), credentialId);
  }

  /** The sensitive pattern {@code r} matches (no lattice: equal action or {@code *}), or null. */
  private Scope sensitiveMatch(Scope r) {
    for (Scope s : settings.sensitiveScopes()) {
      boolean action = s.action().equals(Scope.ANY) || s.action().equals(r.action());
      if (action && Scope.resourceCovers(s.segments(), r.segments())) {
        return s;
      }
    }
    return null;
  }

  /** One credential-not-revoked finding per credential live at {@code t}, in issuance order. */
  private List<Finding> notRevoked(List<CredentialRecord> credentials, long t) {
    List<Finding> out = new ArrayList<>(0);
    for (CredentialRecord c : credentials) {
      if (!c.revokedAt(t) && !c.expiredAt(t)) {
        Finding f =
            finding(
                BuiltinRule.CREDENTIAL_NOT_REVOKED,
                "credential "
                    + c.id
                    + " (issued by "
                    + c.issuer
                    + " to "
                    + c.subject
                    + ") is neither revoked nor expired at session end",
                c.id);
        if (f != null) {
          out.add(f);
        }
      }
    }
    return out;
  }

  /** Closes a session at {@code t}: status, indexes, and EXPIRED for credentials that ran out. */
  private void close(
      SessionView view,
      long t,
      List<CredentialRecord> credentials,
      List<CredentialState> changes,
      EngineMeta engineMeta) {
    SessionMeta m = view.meta();
    if (!m.closed) {
      view.store().delete(StateKeys.timeIndex(StateKeys.TIMER_INDEX, m.timer, view.sessionId));
    }
    m.closed = true;
    m.closedAt = t;
    view.metaChanged();
    view.store().put(StateKeys.timeIndex(StateKeys.CLOSED_INDEX, t, view.sessionId), EMPTY);
    engineMeta.indexedClosed(t);
    for (CredentialRecord c : credentials) {
      if (c.reported == CredentialStatus.ACTIVE && c.revokedAt == null && c.expiredAt(t)) {
        c.reported = CredentialStatus.EXPIRED;
        view.putCredential(c);
        changes.add(credentialState(view.sessionId, c, t));
      }
    }
  }

  /** The inventory status: revoked once revoked (in arrival order), expired once seen expired. */
  private static CredentialStatus inventoryStatus(CredentialRecord c, long t) {
    if (c.revokedAt != null) {
      return CredentialStatus.REVOKED;
    }
    if (c.reported == CredentialStatus.EXPIRED || c.expiredAt(t)) {
      return CredentialStatus.EXPIRED;
    }
    return CredentialStatus.ACTIVE;
  }

  /**
   * The lifecycle record of {@code c} at {@code t}. Every field is set, and none of the required
   * ones can be null here, so the plain setters give what the (much costlier) validating builder
   * would.
   */
  private CredentialState credentialState(String sessionId, CredentialRecord c, long t) {
    CredentialState s = new CredentialState();
    s.setCredentialId(c.id);
    s.setSessionId(sessionId);
    s.setIssuerAgentId(c.issuer);
    s.setSubjectAgentId(c.subject);
    s.setScopes(List.copyOf(c.scopes));
    s.setKind(c.kind);
    s.setStorage(c.storage);
    s.setStatus(c.reported);
    s.setIssuedAt(Instant.ofEpochMilli(c.issuedAt));
    s.setExpiresAt(c.expiresAt == null ? null : Instant.ofEpochMilli(c.expiresAt));
    s.setRevokedAt(c.revokedAt == null ? null : Instant.ofEpochMilli(c.revokedAt));
    s.setRevokedBy(c.revokedBy);
    s.setLastUsedAt(c.lastUsedAt == null ? null : Instant.ofEpochMilli(c.lastUsedAt));
    s.setUseCount(c.useCount);
    s.setLastEventAt(Instant.ofEpochMilli(t));
    s.setPolicy(identity);
    return s;
  }

  // ---------------------------------------------------------------- idle timeout and retention

  private List<Decision> closeIdleSessions(
      StateStore store, EngineMeta engineMeta, List<CredentialState> changes) {
    long streamTime = engineMeta.streamTime;
    if (streamTime < Long.MIN_VALUE + idleMillis) {
      return List.of();
    }
    long cutoff = streamTime - idleMillis; // timers strictly below are idle
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
    idle.sort(
        Comparator.<SessionView>comparingLong(v -> v.meta().timer).thenComparing(v -> v.sessionId));
    List<Decision> out = new ArrayList<>(idle.size());
    for (SessionView view : idle) {
      String sessionId = view.sessionId;
      SessionMeta m = view.meta();
      List<CredentialRecord> all = view.allCredentials();
      List<Finding> findings = notRevoked(all, streamTime);
      close(view, streamTime, all, changes, engineMeta);
      view.flush();
      out.add(
          new Decision(
              sessionId + IDLE_TIMEOUT_SUFFIX,
              sessionId,
              m.rootAgentId,
              EventType.SESSION_ENDED,
              streamTime,
              Decision.verdictOf(findings),
              findings,
              identity,
              List.of(m.rootAgentId)));
    }
    return out;
  }

  private void purgeClosedSessions(StateStore store, EngineMeta engineMeta) {
    long streamTime = engineMeta.streamTime;
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
      if (m != null) {
        // The tombstone: what the gate rules need to keep the id closed, and no scopes.
        m.grantedScopes = List.of();
        m.parsedGranted = null;
        store.put(StateKeys.session(sessionId), StateCodec.encodeSession(m));
      }
      LOGGER.debug("purged session {} closed at {}", sessionId, closedAt);
    }
  }

  /**
   * Adds to {@code due} the keys of index {@code kind} with a time below {@code before}, and returns
   * the time of the first entry left (the index's new floor), {@link Long#MAX_VALUE} when none.
   */
  private static long collectDue(StateStore store, byte kind, long before, List<byte[]> due) {
    byte[] start = StateKeys.kindStart(kind);
    try (StateStore.RangeIterator it = store.range(start, StateKeys.prefixEnd(start))) {
      while (it.hasNext()) {
        byte[] key = it.next().getKey();
        long time = StateKeys.indexTime(key);
        if (time >= before) {
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
