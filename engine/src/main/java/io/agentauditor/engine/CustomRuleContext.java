package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.policy.ActionLattice;
import io.agentauditor.model.Scope;
import io.agentauditor.model.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the variables a custom (CEL) rule sees. Values are {@code Map<String, Object>}, {@code
 * List}, {@code String}, {@code Long} (never {@code Integer}) and {@code Boolean}; an absent value's
 * key is omitted, never null. Everything reflects the state the earlier steps built, before this
 * step's own effect.
 *
 * <ul>
 *   <li>{@code step}: {@code eventId}, {@code sessionId}, {@code agentId}, {@code type} (string),
 *       {@code occurredAt} (epoch millis), {@code payload}: the type's payload fields as in the JSON
 *       form ({@code initiator}, {@code grantedScopes}, {@code intent}; {@code childAgentId}, {@code
 *       scopes}, {@code purpose}; {@code tool}, {@code arguments} (map string to string), {@code
 *       credentialId}; {@code credentialId}, {@code subjectAgentId}, {@code scopes}, {@code kind},
 *       {@code ttlSeconds} (omitted when null), {@code storage}; {@code credentialId}, {@code
 *       reason}; {@code approvalId}, {@code approver}, {@code scopes}, {@code ttlSeconds}); an empty
 *       map for {@code SESSION_ENDED}.
 *   <li>{@code actor}: {@code id}, {@code path} (agent ids root to actor), {@code depth} (root = 0),
 *       {@code isRoot}, {@code effectiveScopes}: for the root the session's granted scopes, otherwise
 *       the patterns of what the granted scopes and the delegated scopes of every hop all cover
 *       (contract section 1), none covered by another.
 *   <li>{@code session}: {@code id}, {@code rootAgentId}, {@code initiator}, {@code grantedScopes},
 *       {@code startedAt}, {@code agentCount}, {@code credentialCount}.
 *   <li>{@code tool}: for {@code TOOL_CALL}: {@code name}, {@code known}, {@code requiredScopes} (the
 *       built scopes; empty when none can be built), {@code sink} ("" when none); otherwise empty.
 *   <li>{@code credential}: the presented credential ({@code TOOL_CALL}), the revoked one ({@code
 *       CREDENTIAL_REVOKED}) or the one being issued ({@code CREDENTIAL_ISSUED}), when recorded or
 *       known: {@code id}, {@code issuerAgentId}, {@code subjectAgentId}, {@code scopes}, {@code kind},
 *       {@code storage}, {@code issuedAt}, {@code expiresAt} (omitted when it never expires), {@code
 *       revoked} (revoked at or before the step's occurredAt); otherwise empty.
 * </ul>
 *
 * <p>For {@code SESSION_STARTED}, where no chain exists yet, {@code actor} is the root-to-be and
 * {@code session} is the session the step would create ({@code agentCount} 1, {@code
 * credentialCount} 0).
 */
final class CustomRuleContext {

  private CustomRuleContext() {}

  /** The context of the step {@code f} is deciding, as its rule families left it. */
  static Map<String, Object> build(StepContext f) {
    Step e = f.step;
    SessionView view = f.view;
    List<AgentNode> path = f.path;
    String actor = f.actor;
    ScopeCache scopes = f.rules.scopes;
    ActionLattice lattice = f.rules.lattice;
    Map<String, Object> ctx = new LinkedHashMap<>();
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("eventId", e.eventId());
    step.put("sessionId", e.sessionId());
    step.put("agentId", e.agentId());
    step.put("type", e.type().name());
    step.put("occurredAt", f.t);
    step.put("payload", payload(e));
    ctx.put("step", step);

    SessionMeta meta = view.meta();
    Map<String, Object> session = new LinkedHashMap<>();
    Map<String, Object> actorMap = new LinkedHashMap<>();
    actorMap.put("id", actor);
    if (meta == null) {
      Step.SessionStarted s = (Step.SessionStarted) e;
      session.put("id", e.sessionId());
      session.put("rootAgentId", actor);
      session.put("initiator", s.initiator());
      session.put("grantedScopes", s.grantedScopes());
      session.put("startedAt", f.t);
      session.put("agentCount", 1L);
      session.put("credentialCount", 0L);
      actorMap.put("path", List.of(actor));
      actorMap.put("depth", 0L);
      actorMap.put("isRoot", true);
      actorMap.put("effectiveScopes", s.grantedScopes());
    } else {
      session.put("id", e.sessionId());
      session.put("rootAgentId", meta.rootAgentId);
      session.put("initiator", meta.initiator);
      session.put("grantedScopes", meta.grantedScopes);
      session.put("startedAt", meta.startedAt);
      session.put("agentCount", meta.agentCount);
      session.put("credentialCount", meta.credentialCount);
      List<String> ids = new ArrayList<>(path.size());
      for (AgentNode n : path) {
        ids.add(n.id);
      }
      actorMap.put("path", ids);
      actorMap.put("depth", (long) (path.size() - 1));
      actorMap.put("isRoot", path.size() == 1);
      List<String> effective = effectiveScopes(meta, path, scopes, lattice);
      if (effective != null) {
        actorMap.put("effectiveScopes", effective);
      }
    }
    ctx.put("actor", actorMap);
    ctx.put("session", session);

    Map<String, Object> tool = new LinkedHashMap<>();
    if (e instanceof Step.ToolCall call) {
      tool.put("name", call.tool());
      tool.put("known", f.tool != null);
      List<String> required = new ArrayList<>(f.required.size());
      for (Scope s : f.required) {
        required.add(s.toString());
      }
      tool.put("requiredScopes", required);
      tool.put("sink", f.tool == null || f.tool.sink() == null ? "" : f.tool.sink().name());
    }
    ctx.put("tool", tool);

    Map<String, Object> credential = new LinkedHashMap<>();
    CredentialRecord c = f.credential;
    if (c != null) {
      credential.put("id", c.id);
      credential.put("issuerAgentId", c.issuer);
      credential.put("subjectAgentId", c.subject);
      credential.put("scopes", c.scopes);
      credential.put("kind", c.kind.name());
      credential.put("storage", c.storage.name());
      credential.put("issuedAt", c.issuedAt);
      if (c.expiresAt != null) {
        credential.put("expiresAt", c.expiresAt);
      }
      credential.put("revoked", c.revoked());
    }
    ctx.put("credential", credential);
    return ctx;
  }

  /** Pairs of scopes one hop may meet; beyond, {@code effectiveScopes} is omitted (see below). */
  static final int MAX_SCOPE_PAIRS = 1_000;

  /**
   * The actor's effective scopes (contract section 1) as patterns: the granted scopes met with the
   * delegated scopes of every hop below the root ({@link ActionLattice#intersect}, which
   * distributes over the lists), then without the patterns another one covers. Null when a hop
   * would meet more than {@value #MAX_SCOPE_PAIRS} pairs of scopes: scope lists come from the
   * events, and their product must not cost a step unbounded time; a rule that reads the key
   * without {@code has()} then fails to evaluate, and fails closed.
   */
  private static List<String> effectiveScopes(
      SessionMeta meta, List<AgentNode> path, ScopeCache scopes, ActionLattice lattice) {
    if (path.size() == 1) {
      return meta.grantedScopes;
    }
    List<Scope> effective = scopes.parseAll(meta.grantedScopes);
    for (int i = 1; i < path.size() && !effective.isEmpty(); i++) {
      List<Scope> hop = scopes.parseAll(path.get(i).scopes);
      if ((long) effective.size() * hop.size() > MAX_SCOPE_PAIRS) {
        return null;
      }
      List<Scope> met = new ArrayList<>();
      for (Scope g : effective) {
        for (Scope d : hop) {
          met.addAll(lattice.intersect(g, d));
        }
      }
      effective = minimal(met, lattice);
    }
    List<String> out = new ArrayList<>(effective.size());
    for (Scope s : effective) {
      out.add(s.toString());
    }
    return out;
  }

  /** {@code scopes} without those another one covers (of two equal ones, the first stays). */
  private static List<Scope> minimal(List<Scope> scopes, ActionLattice lattice) {
    List<Scope> out = new ArrayList<>(scopes.size());
    for (int i = 0; i < scopes.size(); i++) {
      Scope s = scopes.get(i);
      boolean redundant = false;
      for (int j = 0; j < scopes.size() && !redundant; j++) {
        Scope o = scopes.get(j);
        redundant = j != i && lattice.covers(o, s) && (!lattice.covers(s, o) || j < i);
      }
      if (!redundant) {
        out.add(s);
      }
    }
    return out;
  }

  private static Map<String, Object> payload(Step e) {
    Map<String, Object> p = new LinkedHashMap<>();
    if (e instanceof Step.SessionStarted s) {
      p.put("initiator", s.initiator());
      p.put("grantedScopes", s.grantedScopes());
      putIfPresent(p, "intent", s.intent());
    } else if (e instanceof Step.AgentDelegated d) {
      p.put("childAgentId", d.childAgentId());
      p.put("scopes", d.scopes());
      putIfPresent(p, "purpose", d.purpose());
    } else if (e instanceof Step.ToolCall t) {
      p.put("tool", t.tool());
      p.put("arguments", new TreeMap<>(t.arguments()));
      putIfPresent(p, "credentialId", t.credentialId());
    } else if (e instanceof Step.CredentialIssued c) {
      p.put("credentialId", c.credentialId());
      p.put("subjectAgentId", c.subjectAgentId());
      p.put("scopes", c.scopes());
      p.put("kind", c.kind().name());
      if (c.ttlSeconds() != null) {
        p.put("ttlSeconds", c.ttlSeconds().longValue());
      }
      p.put("storage", c.storage().name());
    } else if (e instanceof Step.CredentialRevoked r) {
      p.put("credentialId", r.credentialId());
      putIfPresent(p, "reason", r.reason());
    } else if (e instanceof Step.ApprovalGranted a) {
      p.put("approvalId", a.approvalId());
      p.put("approver", a.approver());
      p.put("scopes", a.scopes());
      p.put("ttlSeconds", (long) a.ttlSeconds());
    }
    // SESSION_ENDED carries no payload.
    return p;
  }

  private static void putIfPresent(Map<String, Object> map, String key, String value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
