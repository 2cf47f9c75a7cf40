package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.Approval;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.text.Fold;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's records as one step sees them: loaded lazily from the store on first use (through
 * the decoded records of a {@link CachingStateStore} when the store is one), cached for the step,
 * and written back by {@link #flush()} only when marked changed. Rules only read;
 * the engine marks changes after the verdict is known, so a BLOCK step flushes nothing but the
 * idle timer.
 */
final class SessionView {

  private final StateStore store;
  final String sessionId;
  /** The session's decoded records when the store caches them, else null. */
  private final CachingStateStore.Session cached;

  private boolean metaLoaded;
  private SessionMeta meta;
  private boolean metaDirty;
  private boolean timerDirty;

  // A null value caches "not in the store". Used only when the store doesn't cache, and like the
  // other maps created on first use: most steps change no agent and touch no credential.
  private Map<String, AgentNode> agents;
  private Map<String, AgentNode> dirtyAgents;
  private Map<String, CredentialRecord> credentials;
  private Map<String, CredentialRecord> dirtyCredentials;
  /** Credentials whose use alone changed: only their use record is written. */
  private Map<String, CredentialRecord> usedCredentials;
  private List<Approval> approvals;
  /** Approvals added by this step, each written as a record of its own at {@link #flush()}. */
  private List<Approval> newApprovals;
  /**
   * The id instance last asked of {@link #agent} and the kept record it got, while the kept
   * session's path generation is still {@link #lastAgentGeneration}: no agent record was replaced
   * or dropped since, so asking the same id instance again (a delegation's child, asked by the
   * gates and by its rules) needs no lookup.
   */
  private String lastAgentId;
  private AgentNode lastAgent;
  private long lastAgentGeneration;

  SessionView(StateStore store, String sessionId) {
    this.store = store;
    this.sessionId = sessionId;
    DecodedRecords decoded = store.decoded();
    this.cached = decoded == null ? null : decoded.session(sessionId);
  }

  StateStore store() {
    return store;
  }

  /** The session's decoded records kept by the store, or null when the store keeps none. */
  CachingStateStore.Session cached() {
    return cached;
  }

  /** The session meta, or null when the session was never started (or was purged). */
  SessionMeta meta() {
    if (!metaLoaded) {
      // The kept meta first: the method reference below is an object made on every call.
      Object kept = cached == null ? null : cached.hit(StateKeys.SESSION, null);
      meta = kept != null ? (SessionMeta) kept : read(StateKeys.SESSION, null, this::decodeWithTimer);
      metaLoaded = true;
    }
    return meta;
  }

  /** The meta record, its timer replaced by the timer record's when there is one. */
  private SessionMeta decodeWithTimer(byte[] metaBytes) {
    SessionMeta m = StateCodec.decodeSession(metaBytes);
    byte[] timer = store.get(StateKeys.timer(sessionId));
    if (timer != null) {
      m.timer = StateCodec.decodeTimer(timer);
    }
    return m;
  }

  /** Marks the idle timer changed: it is written on its own, the rest of the meta only when changed. */
  void timerChanged() {
    timerDirty = true;
  }

  void setMeta(SessionMeta m) {
    meta = m;
    metaLoaded = true;
    metaDirty = true;
    if (cached != null) {
      cached.keep(StateKeys.SESSION, null, m);
    }
  }

  private <T> T read(byte kind, String id, java.util.function.Function<byte[], T> decode) {
    if (cached != null) {
      return cached.read(kind, id, decode);
    }
    byte[] b = store.get(StateKeys.record(kind, sessionId, id));
    return b == null ? null : decode.apply(b);
  }

  private void write(byte kind, String id, byte[] bytes, Object value) {
    if (cached != null) {
      cached.write(kind, id, bytes, value);
    } else {
      store.put(StateKeys.record(kind, sessionId, id), bytes);
    }
  }

  void metaChanged() {
    metaDirty = true;
  }

  /** The agent node, or null when the agent is not in the chain. */
  AgentNode agent(String agentId) {
    if (cached != null) {
      long generation = cached.pathGeneration();
      if (lastAgent != null && agentId == lastAgentId && generation == lastAgentGeneration) {
        cached.countHit();
        return lastAgent;
      }
      Object kept = cached.hit(StateKeys.AGENT, agentId);
      AgentNode a =
          kept != null
              ? (AgentNode) kept
              : cached.read(StateKeys.AGENT, agentId, b -> StateCodec.decodeAgent(agentId, b));
      if (a != null) {
        lastAgentId = agentId;
        lastAgent = a;
        lastAgentGeneration = cached.pathGeneration();
      }
      return a;
    }
    if (agents == null) {
      agents = new HashMap<>();
    }
    AgentNode a = agents.get(agentId);
    if (a == null && !agents.containsKey(agentId)) {
      byte[] b = store.get(StateKeys.agent(sessionId, agentId));
      a = b == null ? null : StateCodec.decodeAgent(agentId, b);
      agents.put(agentId, a);
    }
    return a;
  }

  void putAgent(AgentNode a) {
    if (cached != null) {
      cached.keep(StateKeys.AGENT, a.id, a);
    } else {
      if (agents == null) {
        agents = new HashMap<>();
      }
      agents.put(a.id, a);
    }
    if (dirtyAgents == null) {
      dirtyAgents = new LinkedHashMap<>();
    }
    dirtyAgents.put(a.id, a);
  }

  /**
   * The path root to {@code agentId}, or null when it is not in the chain.
   *
   * @throws IllegalStateException when parent links loop (corrupt state)
   */
  List<AgentNode> path(String agentId) {
    AgentNode node;
    if (cached != null) {
      // One lookup gives the agent's record and the path kept on it.
      Object kept = cached.peek(StateKeys.AGENT, agentId);
      if (kept == null) {
        node = cached.read(StateKeys.AGENT, agentId, b -> StateCodec.decodeAgent(agentId, b));
      } else {
        node = (AgentNode) kept;
        List<AgentNode> path = cached.path(node);
        if (path != null) {
          return path;
        }
        cached.countHit(); // as the agent's own lookup counted it before a path was kept
      }
    } else {
      node = agent(agentId);
    }
    if (node == null) {
      return null;
    }
    ArrayList<AgentNode> up = new ArrayList<>(node.depth + 1);
    up.add(node);
    while (node.parent != null) {
      node = agent(node.parent);
      if (node == null || up.size() > 1_000_000) {
        throw new IllegalStateException("broken parent chain in session " + sessionId);
      }
      up.add(node);
    }
    AgentNode[] down = new AgentNode[up.size()];
    for (int i = 0; i < down.length; i++) {
      down[i] = up.get(down.length - 1 - i);
    }
    List<AgentNode> path = List.of(down);
    if (cached != null) {
      cached.keepPath(path);
    }
    return path;
  }

  /**
   * The agent of the chain whose id equals {@code approver} once both are trimmed of white space
   * and ASCII case folded (contract section 5), or null when none is. Looked up in the folded-id
   * index; a session started before the index existed (its root has no entry) is scanned.
   */
  String agentMatching(String approver) {
    String folded = Fold.identity(approver);
    byte[] b = store.get(StateKeys.foldedAgent(sessionId, folded));
    if (b != null) {
      return new String(b, StandardCharsets.UTF_8);
    }
    SessionMeta m = meta();
    if (m == null || store.get(StateKeys.foldedAgent(sessionId, Fold.identity(m.rootAgentId))) != null) {
      return null;
    }
    byte[] prefix = StateKeys.sessionPrefix(StateKeys.AGENT, sessionId);
    try (StateStore.RangeIterator it = store.range(prefix, StateKeys.prefixEnd(prefix))) {
      while (it.hasNext()) {
        String id = StateKeys.childId(it.next().getKey(), prefix.length);
        if (Fold.identity(id).equals(folded)) {
          return id;
        }
      }
    }
    return null;
  }

  /** The credential, or null when this session never recorded it. */
  CredentialRecord credential(String credentialId) {
    if (cached != null) {
      Object kept = cached.hit(StateKeys.CREDENTIAL, credentialId);
      return kept != null
          ? (CredentialRecord) kept
          : cached.read(StateKeys.CREDENTIAL, credentialId, b -> decodeCredential(credentialId, b));
    }
    if (credentials == null) {
      credentials = new HashMap<>();
    }
    CredentialRecord c = credentials.get(credentialId);
    if (c == null && !credentials.containsKey(credentialId)) {
      byte[] b = store.get(StateKeys.credential(sessionId, credentialId));
      c = b == null ? null : decodeCredential(credentialId, b);
      credentials.put(credentialId, c);
    }
    return c;
  }

  /** The credential record, its use count and last use replaced by its use record's when there is one. */
  private CredentialRecord decodeCredential(String credentialId, byte[] bytes) {
    CredentialRecord c = StateCodec.decodeCredential(credentialId, bytes);
    byte[] use = store.get(StateKeys.credentialUse(sessionId, credentialId));
    return use == null ? c : StateCodec.applyCredentialUse(c, use);
  }

  /**
   * Marks the use count and last use of {@code c}, a credential read in this step, changed: its
   * use record is written at {@link #flush()}, not the credential record.
   */
  void credentialUsed(CredentialRecord c) {
    if (usedCredentials == null) {
      usedCredentials = new LinkedHashMap<>();
    }
    usedCredentials.put(c.id, c);
  }

  void putCredential(CredentialRecord c) {
    if (cached != null) {
      cached.keep(StateKeys.CREDENTIAL, c.id, c);
    } else {
      if (credentials == null) {
        credentials = new HashMap<>();
      }
      credentials.put(c.id, c);
    }
    if (dirtyCredentials == null) {
      dirtyCredentials = new LinkedHashMap<>();
    }
    dirtyCredentials.put(c.id, c);
  }

  /** Every credential of the session, in issuance order. */
  List<CredentialRecord> allCredentials() {
    byte[] prefix = StateKeys.sessionPrefix(StateKeys.CREDENTIAL, sessionId);
    Map<String, CredentialRecord> byId = new HashMap<>();
    try (StateStore.RangeIterator it = store.range(prefix, StateKeys.prefixEnd(prefix))) {
      while (it.hasNext()) {
        Map.Entry<byte[], byte[]> e = it.next();
        String id = StateKeys.childId(e.getKey(), prefix.length);
        Object known =
            cached != null
                ? cached.peek(StateKeys.CREDENTIAL, id)
                : credentials == null ? null : credentials.get(id);
        byId.put(id, known != null ? (CredentialRecord) known : decodeCredential(id, e.getValue()));
      }
    }
    if (dirtyCredentials != null) {
      byId.putAll(dirtyCredentials);
    }
    List<CredentialRecord> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparingLong(c -> c.sequence));
    return out;
  }

  /**
   * The session's approvals in the order they were applied: kept decoded as one list when the
   * store caches, read from their records otherwise (one each, after the list of an older engine).
   */
  @SuppressWarnings("unchecked")
  List<Approval> approvals() {
    if (approvals == null && cached != null) {
      approvals = (List<Approval>) cached.peek(StateKeys.APPROVALS, null);
    }
    if (approvals == null) {
      approvals = new ArrayList<>();
      byte[] prefix = StateKeys.approvals(sessionId);
      try (StateStore.RangeIterator it = store.range(prefix, StateKeys.prefixEnd(prefix))) {
        while (it.hasNext()) {
          Map.Entry<byte[], byte[]> e = it.next();
          if (e.getKey().length == prefix.length) {
            approvals.addAll(StateCodec.decodeApprovals(e.getValue()));
          } else {
            approvals.add(StateCodec.decodeApproval(e.getValue()));
          }
        }
      }
      if (cached != null && !approvals.isEmpty()) {
        cached.keep(StateKeys.APPROVALS, null, approvals);
      }
    }
    return approvals;
  }

  /** The actor's delegation and issuance times still in the fan-out window, or null. */
  long[] fanOut(String agentId) {
    return read(StateKeys.FAN_OUT, agentId, StateCodec::decodeTimes);
  }

  /** Writes the actor's fan-out times at once (not at {@link #flush()}: a blocked step keeps them too). */
  void writeFanOut(String agentId, long[] times, int n) {
    write(StateKeys.FAN_OUT, agentId, StateCodec.encodeTimes(times, n), Arrays.copyOf(times, n));
  }

  /** Adds the approval numbered {@code n} (the session's count of approvals before it). */
  void addApproval(Approval a) {
    approvals().add(a);
    if (newApprovals == null) {
      newApprovals = new ArrayList<>(1);
    }
    newApprovals.add(a);
  }

  /** Writes every changed record to the store. */
  void flush() {
    if (metaDirty && meta != null) {
      write(StateKeys.SESSION, null, StateCodec.encodeSession(meta), meta);
    }
    if (timerDirty && meta != null) {
      // Written whenever the timer moves, so when present it is the current one (the meta's own
      // timer field is only as recent as the meta's last write). Not a raw put, which would drop
      // the cached meta the timer belongs to.
      write(StateKeys.TIMER, null, StateCodec.encodeTimer(meta.timer), null);
    }
    if (dirtyAgents != null) {
      for (AgentNode a : dirtyAgents.values()) {
        write(StateKeys.AGENT, a.id, StateCodec.encodeAgent(a), a);
        // The folded-id index names the first agent with that folded id; an agent is never
        // removed from its chain, so an entry never goes stale.
        byte[] folded = StateKeys.foldedAgent(sessionId, Fold.identity(a.id));
        if (store.get(folded) == null) {
          store.put(folded, a.id.getBytes(StandardCharsets.UTF_8));
        }
      }
      dirtyAgents.clear();
    }
    if (dirtyCredentials != null) {
      for (CredentialRecord c : dirtyCredentials.values()) {
        write(StateKeys.CREDENTIAL, c.id, StateCodec.encodeCredential(c), c);
        if (c.lastUsedAt != null) {
          // A use record, when there is one, overrides the credential record's use fields.
          write(StateKeys.CREDENTIAL_USE, c.id, StateCodec.encodeCredentialUse(c), null);
        }
        if (usedCredentials != null) {
          usedCredentials.remove(c.id);
        }
      }
      dirtyCredentials.clear();
    }
    if (usedCredentials != null) {
      for (CredentialRecord c : usedCredentials.values()) {
        // Not a raw put, which would drop the cached credential the use belongs to.
        write(StateKeys.CREDENTIAL_USE, c.id, StateCodec.encodeCredentialUse(c), null);
      }
      usedCredentials.clear();
    }
    if (newApprovals != null) {
      // Numbered from the count before this step's: the meta counts every applied approval.
      long n = meta.approvalCount - newApprovals.size();
      for (Approval a : newApprovals) {
        byte[] key = StateKeys.approval(sessionId, n++);
        byte[] bytes = StateCodec.encodeApproval(a);
        if (cached != null) {
          cached.writeBeside(key, bytes);
        } else {
          store.put(key, bytes);
        }
      }
      if (cached != null) {
        cached.keep(StateKeys.APPROVALS, null, approvals);
      }
      newApprovals = null;
    }
    metaDirty = false;
    timerDirty = false;
  }
}
