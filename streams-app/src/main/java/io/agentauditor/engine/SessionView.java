package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.Approval;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import java.util.ArrayList;
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

  private boolean metaLoaded;
  private SessionMeta meta;
  private boolean metaDirty;
  private boolean timerDirty;

  // A null value caches "not in the store".
  private final Map<String, AgentNode> agents = new HashMap<>();
  // Created on first use: most steps change no agent and touch no credential.
  private Map<String, AgentNode> dirtyAgents;
  private Map<String, CredentialRecord> credentials;
  private Map<String, CredentialRecord> dirtyCredentials;
  private List<Approval> approvals;
  private boolean approvalsDirty;

  SessionView(StateStore store, String sessionId) {
    this.store = store;
    this.sessionId = sessionId;
  }

  StateStore store() {
    return store;
  }

  /** The session meta, or null when the session was never started (or was purged). */
  SessionMeta meta() {
    if (!metaLoaded) {
      meta = CachingStateStore.read(store, StateKeys.SESSION, sessionId, null, this::decodeWithTimer);
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
  }

  void metaChanged() {
    metaDirty = true;
  }

  /** The agent node, or null when the agent is not in the chain. */
  AgentNode agent(String agentId) {
    AgentNode a = agents.get(agentId);
    if (a == null && !agents.containsKey(agentId)) {
      a = CachingStateStore.read(
              store, StateKeys.AGENT, sessionId, agentId, b -> StateCodec.decodeAgent(agentId, b));
      agents.put(agentId, a);
    }
    return a;
  }

  void putAgent(AgentNode a) {
    agents.put(a.id, a);
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
    AgentNode node = agent(agentId);
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
    List<AgentNode> down = new ArrayList<>(up.size());
    for (int i = up.size() - 1; i >= 0; i--) {
      down.add(up.get(i));
    }
    return down;
  }

  /** The credential, or null when this session never recorded it. */
  CredentialRecord credential(String credentialId) {
    if (credentials == null) {
      credentials = new HashMap<>();
    }
    CredentialRecord c = credentials.get(credentialId);
    if (c == null && !credentials.containsKey(credentialId)) {
      c =
          CachingStateStore.read(
              store,
              StateKeys.CREDENTIAL,
              sessionId,
              credentialId,
              b -> StateCodec.decodeCredential(credentialId, b));
      credentials.put(credentialId, c);
    }
    return c;
  }

  void putCredential(CredentialRecord c) {
    if (credentials == null) {
      credentials = new HashMap<>();
    }
    credentials.put(c.id, c);
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
        CredentialRecord cached = credentials == null ? null : credentials.get(id);
        byId.put(id, cached != null ? cached : StateCodec.decodeCredential(id, e.getValue()));
      }
    }
    if (dirtyCredentials != null) {
      byId.putAll(dirtyCredentials);
    }
    List<CredentialRecord> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparingLong(c -> c.sequence));
    return out;
  }

  List<Approval> approvals() {
    if (approvals == null) {
      approvals =
          CachingStateStore.read(
              store,
              StateKeys.APPROVALS,
              sessionId,
              null,
              b -> new ArrayList<>(StateCodec.decodeApprovals(b)));
      if (approvals == null) {
        approvals = new ArrayList<>();
      }
    }
    return approvals;
  }

  void addApproval(Approval a) {
    approvals().add(a);
    approvalsDirty = true;
  }

  /** Writes every changed record to the store. */
  void flush() {
    if (metaDirty && meta != null) {
      CachingStateStore.write(store, StateKeys.SESSION, sessionId, null, StateCodec.encodeSession(meta), meta);
    }
    if (timerDirty && meta != null) {
      // Written whenever the timer moves, so when present it is the current one (the meta's own
      // timer field is only as recent as the meta's last write). Not a raw put, which would drop
      // the cached meta the timer belongs to.
      CachingStateStore.write(store, StateKeys.TIMER, sessionId, null, StateCodec.encodeTimer(meta.timer), null);
    }
    if (dirtyAgents != null) {
      for (AgentNode a : dirtyAgents.values()) {
        CachingStateStore.write(store, StateKeys.AGENT, sessionId, a.id, StateCodec.encodeAgent(a), a);
      }
      dirtyAgents.clear();
    }
    if (dirtyCredentials != null) {
      for (CredentialRecord c : dirtyCredentials.values()) {
        CachingStateStore.write(
            store, StateKeys.CREDENTIAL, sessionId, c.id, StateCodec.encodeCredential(c), c);
      }
      dirtyCredentials.clear();
    }
    if (approvalsDirty) {
      CachingStateStore.write(
          store, StateKeys.APPROVALS, sessionId, null, StateCodec.encodeApprovals(approvals), approvals);
    }
    metaDirty = false;
    timerDirty = false;
    approvalsDirty = false;
  }
}
