package io.agentauditor.engine;

import io.agentauditor.model.Scope;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.CredentialStorage;
import java.util.List;

/**
 * The mutable in-step views of the records the engine keeps per session. They live for one step
 * (or one idle close); {@link StateCodec} turns them into bytes.
 */
final class StateRecords {

  private StateRecords() {}

  /** Session meta: one per session. */
  static final class SessionMeta {
    String rootAgentId;
    String initiator;
    List<String> grantedScopes;
    boolean closed;
    long startedAt;
    /** occurredAt of the last step past the gate rules (contract 9.3). */
    long timer;
    /** When the session closed; meaningful only when {@link #closed}. */
    long closedAt;
    long agentCount;
    /** Credentials recorded so far; the next one gets this as its issuance sequence number. */
    long credentialCount;
    long approvalCount;
    /**
     * The session's number in its store (from 1), which keys its stored decisions; 0 for a session
     * started by an older engine, whose decisions stay keyed by its id.
     */
    long handle;
    /**
     * Whether decisions were stored under the session's id before it started (steps gated by
     * {@code unknown-session}): a retry not found under the handle is looked for there too.
     */
    boolean decisionsBeforeStart;
    /** {@link #grantedScopes} parsed; filled on first use, never stored. */
    List<Scope> parsedGranted;
  }

  /** One agent of the chain. */
  static final class AgentNode {
    final String id;
    /** Null for the root agent. */
    String parent;
    int depth;
    /**
     * The agent's number in its session (the root 0, then in the order agents were added; the
     * session's agent count before it), by which a stored decision names its actor; -1 for an
     * agent recorded by an older engine.
     */
    int number = -1;
    /** Delegated scopes; the root's are empty (it holds the session's granted scopes). */
    List<String> scopes;
    /** {@link #scopes} parsed; filled on first use, never stored. */
    List<Scope> parsedScopes;
    /**
     * Which of the agent's delegated lists {@link #scopes} is: 0 for the first, one more each time a
     * delegation replaces it (agents are never removed from a session's chain, so the agent's id and
     * this name one list for good); -1 for an agent recorded by an older engine, whose list has no
     * such name.
     */
    long generation = -1;
    /**
     * The mark of a delegation whose {@code scope-widening} check found every scope of {@link
     * #scopes} within the parent's effective scopes: the parent's {@link #generation} then, so the
     * mark holds while the parent keeps that list; -1 when there is none (an older record, a check
     * that fired or did not run, a parent whose list has no generation).
     */
    long withinParent = -1;
    /** The {@link CompiledPolicy#coverageStamp} the mark was found through; meaningful with it. */
    int withinStamp;
    /**
     * The path from the root to this agent as a {@link CachingStateStore.Session} keeping this
     * record built it (never stored): current only while {@link #pathOwner} is that session and
     * its path generation is still {@link #pathGeneration} (see {@link
     * CachingStateStore.Session#path}).
     */
    List<AgentNode> keptPath;
    CachingStateStore.Session pathOwner;
    long pathGeneration;

    AgentNode(String id) {
      this.id = id;
    }
  }

  /** One recorded credential. */
  static final class CredentialRecord {
    final String id;
    String issuer;
    String subject;
    List<String> scopes;
    CredentialKind kind;
    CredentialStorage storage;
    long issuedAt;
    /** Null when it never expires. */
    Long expiresAt;
    /**
     * Null while not revoked; otherwise the occurredAt of the first revocation to arrive, which is
     * only what is reported: the revocation is in effect for every step arriving after it, whatever
     * either is stamped (contract section 4, v2).
     */
    Long revokedAt;
    String revokedBy;
    long sequence;
    long useCount;
    Long lastUsedAt;
    /** The status last reported in a credential change, so EXPIRED is reported once. */
    CredentialStatus reported;

    CredentialRecord(String id) {
      this.id = id;
    }

    /** Whether a revocation arrived before the step asking (the log's order, not the stamps). */
    boolean revoked() {
      return revokedAt != null;
    }

    boolean expiredAt(long t) {
      return expiresAt != null && t >= expiresAt;
    }

    /** The lifecycle status at {@code t}: revocation (on arrival) wins over expiry (by the stamp). */
    CredentialStatus statusAt(long t) {
      if (revoked()) {
        return CredentialStatus.REVOKED;
      }
      return expiredAt(t) ? CredentialStatus.EXPIRED : CredentialStatus.ACTIVE;
    }
  }

  /** One approval; valid on {@code [from, until)}. */
  static final class Approval {
    private final String approvalId;
    private final String approver;
    private final String requester;
    private final long from;
    private final long until;
    private final List<String> scopes;
    /**
     * {@link #scopes} parsed; filled on first use, never stored. Kept with the decoded approvals, so
     * a session's 256 approvals of 128 scopes are not parsed again by every call that needs one.
     */
    List<Scope> parsedScopes;
    /** The first segments of {@link #scopes}; read with the record, or filled on first use. */
    private FirstSegments firstSegments;

    Approval(String approvalId, String approver, String requester, long from, long until, List<String> scopes) {
      this.approvalId = approvalId;
      this.approver = approver;
      this.requester = requester;
      this.from = from;
      this.until = until;
      this.scopes = scopes;
    }

    String approvalId() {
      return approvalId;
    }

    String approver() {
      return approver;
    }

    String requester() {
      return requester;
    }

    long from() {
      return from;
    }

    long until() {
      return until;
    }

    List<String> scopes() {
      return scopes;
    }

    boolean validAt(long t) {
      return from <= t && t < until;
    }

    /**
     * False only when no scope of this approval can cover {@code r}: told from the first segments
     * of its scope texts, so an approval that can't apply is never parsed.
     */
    boolean mayCover(Scope r) {
      return firstSegments().mayCover(r);
    }

    /** The first segments of {@link #scopes}, as the record held them or read from the scopes. */
    FirstSegments firstSegments() {
      if (firstSegments == null) {
        firstSegments = FirstSegments.of(scopes);
      }
      return firstSegments;
    }

    /** Sets what {@link #firstSegments} answers, as read from the record. */
    void firstSegments(FirstSegments first) {
      this.firstSegments = first;
    }
  }
}
