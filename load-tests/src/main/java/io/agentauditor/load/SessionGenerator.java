package io.agentauditor.load;

import io.agentauditor.schema.AgentDelegated;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.ApprovalGranted;
import io.agentauditor.schema.CredentialIssued;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialRevoked;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.SessionStarted;
import io.agentauditor.schema.ToolCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An endless, deterministic (seeded) stream of realistic, valid agent events for benchmarks and
 * load runs: many interleaved sessions; mostly allowed tool calls with arguments from a few hundred
 * bytes to a few KB; some delegations, credential issues and revocations; a few approvals; and a
 * small share of violations (widening, long-lived keys, secrets in arguments). Sessions grow to
 * {@code maxAgents} agents and {@code maxCredentials} credentials, then end and are replaced.
 */
public final class SessionGenerator implements Iterator<AgentEvent> {

  private static final String[] TOOLS_READ = {"repo.read_file", "secrets.get"};
  private static final String FILLER =
      "def handler(event, context):\n    return {'status': 200, 'body': event.get('body', '')}\n";

  private final SplittableRandom random;
  private final int concurrentSessions;
  private final int maxAgents;
  private final int maxCredentials;
  private final List<SessionSim> live = new ArrayList<>();
  private long clock = 1_795_000_000_000L; // 2026-11-18, in event time
  private int sessionCounter;

  /**
   * @param seed the stream is a function of the seed
   * @param concurrentSessions sessions interleaved at any time
   * @param maxAgents agents a session grows to before it ends
   * @param maxCredentials credentials a session grows to before it ends
   */
  public SessionGenerator(long seed, int concurrentSessions, int maxAgents, int maxCredentials) {
    this.random = new SplittableRandom(seed);
    this.concurrentSessions = concurrentSessions;
    this.maxAgents = maxAgents;
    this.maxCredentials = maxCredentials;
  }

  /** The default mix: 100 interleaved sessions growing to 50 agents and 200 credentials. */
  public static SessionGenerator realistic(long seed) {
    return new SessionGenerator(seed, 100, 50, 200);
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public AgentEvent next() {
    clock += 1 + random.nextInt(20);
    if (live.size() < concurrentSessions) {
      SessionSim s = new SessionSim("sess-" + (sessionCounter++));
      live.add(s);
      return s.start();
    }
    int i = random.nextInt(live.size());
    SessionSim s = live.get(i);
    AgentEvent e = s.step();
    if (s.ended) {
      live.set(i, live.get(live.size() - 1));
      live.remove(live.size() - 1);
    }
    return e;
  }

  /** The next {@code n} events. */
  public List<AgentEvent> take(int n) {
    List<AgentEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  private final class SessionSim {
    final String id;
    final String team = "team" + random.nextInt(20);
    final List<String> agents = new ArrayList<>();
    final Map<String, Integer> depth = new HashMap<>();
    final List<String[]> credentials = new ArrayList<>(); // {id, subject}
    int events;
    int credentialCounter;
    boolean ended;

    SessionSim(String id) {
      this.id = id;
    }

    AgentEvent start() {
      String root = "agent:" + id + ":planner";
      agents.add(root);
      depth.put(root, 0);
      List<String> granted =
          List.of(
              "read:repo/" + team + "/**",
              "write:repo/" + team + "/**",
              "write:ci/" + team + "/**",
              "read:secrets/dev/**",
              "write:deploy/staging/**");
      return event(root, EventType.SESSION_STARTED)
          .setSession(new SessionStarted("user:" + team + "@acme.io", granted, "generated load"))
          .build();
    }

    AgentEvent step() {
      int dice = random.nextInt(100);
      boolean full = agents.size() >= maxAgents && credentials.size() >= maxCredentials;
      if (full || (events > 50 && dice == 0 && random.nextInt(20) == 0)) {
        ended = true;
        return event(agents.get(0), EventType.SESSION_ENDED).build();
      }
      if (dice < 5 && agents.size() < maxAgents) {
        return delegate();
      }
      if (dice < 12 && credentials.size() < maxCredentials) {
        return issue();
      }
      if (dice < 16 && !credentials.isEmpty()) {
        return revoke();
      }
      if (dice < 17) {
        return approve();
      }
      return toolCall();
    }

    AgentEvent delegate() {
      String parent = pickAgentBelowDepth(3);
      String child = "agent:" + id + ":worker" + agents.size();
      agents.add(child);
      depth.put(child, depth.get(parent) + 1);
      List<String> scopes =
          random.nextInt(50) == 0
              ? List.of("admin:repo/" + team + "/**") // widening: blocked, the child stays unknown
              : List.of("read:repo/" + team + "/**", "write:repo/" + team + "/api");
      return event(parent, EventType.AGENT_DELEGATED)
          .setDelegation(new AgentDelegated(child, scopes, "subtask"))
          .build();
    }

    AgentEvent issue() {
      String issuer = agents.get(random.nextInt(agents.size()));
      String credentialId = id + "-cred-" + (credentialCounter++);
      credentials.add(new String[] {credentialId, issuer});
      boolean violation = random.nextInt(40) == 0;
      return event(issuer, EventType.CREDENTIAL_ISSUED)
          .setCredential(
              new CredentialIssued(
                  credentialId,
                  issuer,
                  List.of("read:repo/" + team + "/api"),
                  violation ? CredentialKind.API_KEY : CredentialKind.SHORT_LIVED_TOKEN,
                  violation ? null : 900,
                  violation ? CredentialStorage.CI_VARIABLE : CredentialStorage.MEMORY))
          .build();
    }

    AgentEvent revoke() {
      String[] c = credentials.get(random.nextInt(credentials.size()));
      return event(c[1], EventType.CREDENTIAL_REVOKED)
          .setRevocation(new CredentialRevoked(c[0], "task done"))
          .build();
    }

    AgentEvent approve() {
      return event(agents.get(0), EventType.APPROVAL_GRANTED)
          .setApproval(
              new ApprovalGranted(
                  id + "-appr-" + events, "user:lead@acme.io", List.of("write:deploy/prod/**"), 600))
          .build();
    }

    AgentEvent toolCall() {
      String actor = agents.get(random.nextInt(agents.size()));
      Map<String, String> args = new HashMap<>();
      String tool;
      int dice = random.nextInt(100);
      if (dice < 45) {
        tool = "repo.read_file";
        args.put("repo", team + "/api");
        args.put("path", "src/module" + random.nextInt(100) + ".py");
      } else if (dice < 85) {
        tool = "repo.write_file";
        args.put("repo", team + "/api");
        args.put("path", "src/module" + random.nextInt(100) + ".py");
        args.put("content", content(random.nextInt(100) == 0));
      } else if (dice < 95) {
        tool = "ci.trigger_pipeline";
        args.put("project", team + "/api");
        args.put("ref", "refs/heads/main");
      } else {
        tool = TOOLS_READ[1];
        args.put("path", "dev/" + team + "/db-password");
      }
      String presented = null;
      if (!credentials.isEmpty() && random.nextInt(3) == 0) {
        String[] c = credentials.get(random.nextInt(credentials.size()));
        presented = c[0];
        actor = c[1];
      }
      return event(actor, EventType.TOOL_CALL).setToolCall(new ToolCall(tool, args, presented)).build();
    }

    String content(boolean leakSecret) {
      int target = 300 + random.nextInt(3700);
      StringBuilder sb = new StringBuilder(target + 64);
      if (leakSecret) {
        sb.append("AWS_KEY = 'AKIA").append("ABCDEFGHIJKLMNOP").append("'\n");
      }
      while (sb.length() < target) {
        sb.append(FILLER);
      }
      return sb.toString();
    }

    String pickAgentBelowDepth(int maxDepth) {
      for (int tries = 0; tries < 8; tries++) {
        String a = agents.get(random.nextInt(agents.size()));
        if (depth.get(a) < maxDepth) {
          return a;
        }
      }
      return agents.get(0);
    }

    AgentEvent.Builder event(String actor, EventType type) {
      events++;
      return AgentEvent.newBuilder()
          .setEventId(id + "-e" + events)
          .setSessionId(id)
          .setAgentId(actor)
          .setOccurredAt(java.time.Instant.ofEpochMilli(clock))
          .setType(type);
    }
  }
}
