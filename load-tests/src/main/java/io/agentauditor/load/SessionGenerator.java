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
 * load runs: many interleaved sessions; mostly allowed tool calls (file writes carry 300 B to 4 KB
 * of content); some delegations, credential issues and revocations; a few approvals; and a small
 * share of deliberate violations (widening delegations, long-lived keys in CI variables, secrets in
 * arguments, revoked credentials presented again). Sessions grow to {@code maxAgents} agents and
 * {@code maxCredentials} issued credentials, then end and are replaced.
 *
 * <p>The generator tracks what the default policy will decide, so honest steps stay honest: a child
 * whose delegation is blocked never acts, a blocked credential is never presented, and only live
 * (unrevoked, unexpired) credentials are presented, by their subject, to calls they cover. Workers
 * call the repository tools their delegation covers; the root also triggers pipelines and reads dev
 * secrets. Not thread-safe.
 */
public final class SessionGenerator implements Iterator<AgentEvent> {

  private static final String[] FILLER = {
    "def handler(event, context):\n",
    "    body = event.get('body', '')\n",
    "    if not body:\n        return {'status': 400}\n",
    "    items = [parse(line) for line in body.splitlines() if line.strip()]\n",
    "    LOGGER.info('handled %d items for %s', len(items), context.request_id)\n",
    "    return {'status': 200, 'body': json.dumps(items)}\n",
    "# retry with backoff: the upstream throttles above 50 requests per second\n",
    "class Settings:\n    region = 'eu-west-1'\n    timeout_seconds = 30\n",
  };
  private static final int CONTENT_POOL = 256;
  private static final long TTL_SECONDS = 900;

  private final SplittableRandom random;
  private final int concurrentSessions;
  private final int maxAgents;
  private final int maxCredentials;
  private final int maxStepMillis;
  private final List<SessionSim> live = new ArrayList<>();
  // File contents are drawn from a pool so that a few hundred thousand pre-generated events fit in
  // memory; the engine scans every value in full either way.
  private final String[] contents;
  /** The event time of the first event, 2026-11-18, in epoch milliseconds. */
  public static final long START_MILLIS = 1_795_000_000_000L;

  private long clock = START_MILLIS;
  private boolean started;
  private int sessionCounter;

  /**
   * @param seed the stream is a function of the seed
   * @param concurrentSessions sessions interleaved at any time
   * @param maxAgents agents a session grows to before it ends
   * @param maxCredentials credentials a session records (allowed issuances) before it ends
   * @param minContentBytes smallest content of a file write (ASCII, so bytes = chars)
   * @param maxContentBytes largest content of a file write, at least {@code minContentBytes}
   */
  public SessionGenerator(
      long seed,
      int concurrentSessions,
      int maxAgents,
      int maxCredentials,
      int minContentBytes,
      int maxContentBytes) {
    this(seed, concurrentSessions, maxAgents, maxCredentials, minContentBytes, maxContentBytes, 20);
  }

  /**
   * As the other constructor, with event time advancing 1 to {@code maxStepMillis} ms per event
   * (20 there): a larger step spreads the same events over more days of event time, for runs that
   * must see retention at work.
   */
  public SessionGenerator(
      long seed,
      int concurrentSessions,
      int maxAgents,
      int maxCredentials,
      int minContentBytes,
      int maxContentBytes,
      int maxStepMillis) {
    if (maxStepMillis < 1) {
      throw new IllegalArgumentException("maxStepMillis must be at least 1, got " + maxStepMillis);
    }
    this.maxStepMillis = maxStepMillis;
    if (minContentBytes < 1 || maxContentBytes < minContentBytes) {
      throw new IllegalArgumentException(
          "content bytes must satisfy 1 <= min <= max, got " + minContentBytes + ".." + maxContentBytes);
    }
    this.random = new SplittableRandom(seed);
    this.concurrentSessions = concurrentSessions;
    this.maxAgents = maxAgents;
    this.maxCredentials = maxCredentials;
    this.contents = new String[CONTENT_POOL];
    for (int i = 0; i < CONTENT_POOL; i++) {
      contents[i] = filler(minContentBytes + random.nextInt(maxContentBytes - minContentBytes + 1));
    }
  }

  /**
   * Starts the stream's event time at {@code epochMillis} instead of {@link #START_MILLIS}. A run
   * whose events reach the present must start early enough: a broker refuses a record stamped
   * more than {@code message.timestamp.after.max.ms} (an hour by default since Kafka 4.0) ahead of
   * its own clock.
   *
   * @throws IllegalStateException once an event was generated
   */
  public SessionGenerator startingAt(long epochMillis) {
    if (started) {
      throw new IllegalStateException("the stream has started; its start can no longer move");
    }
    clock = epochMillis;
    return this;
  }

  /**
   * The default mix: 100 interleaved sessions growing to 50 agents and 200 credentials, file
   * writes of 300 B to 4 KB.
   */
  public static SessionGenerator realistic(long seed) {
    return new SessionGenerator(seed, 100, 50, 200, 300, 4000);
  }

  /** The default mix with file writes of 20 to 60 bytes: isolates the cost of scanning arguments. */
  public static SessionGenerator smallArguments(long seed) {
    return new SessionGenerator(seed, 100, 50, 200, 20, 60);
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public AgentEvent next() {
    started = true;
    clock += 1 + random.nextInt(maxStepMillis);
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

  private String filler(int length) {
    StringBuilder sb = new StringBuilder(length + 128);
    while (sb.length() < length) {
      sb.append(FILLER[random.nextInt(FILLER.length)]);
    }
    sb.setLength(length);
    return sb.toString();
  }

  /** A credential the session holds, as the generator tracks it. */
  private record Held(String id, String subject, long expiresAt) {}

  private final class SessionSim {
    final String id;
    final String team = "team" + random.nextInt(20);
    final List<String> agents = new ArrayList<>();
    final Map<String, Integer> depth = new HashMap<>();
    final List<Held> credentials = new ArrayList<>(); // live: issued, allowed, not revoked
    final List<Held> revoked = new ArrayList<>();
    int events;
    int credentialCounter; // every issuance, blocked ones included: ids stay unique
    int credentialsRecorded; // issuances the policy allows: what the session's state holds
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
      boolean full = agents.size() >= maxAgents && credentialsRecorded >= maxCredentials;
      if (full || (events > 50 && dice == 0 && random.nextInt(20) == 0)) {
        ended = true;
        return event(agents.get(0), EventType.SESSION_ENDED).build();
      }
      if (dice < 5 && agents.size() < maxAgents) {
        return delegate();
      }
      if (dice < 12 && credentialsRecorded < maxCredentials) {
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
      String child = "agent:" + id + ":worker" + (events + 1);
      boolean widening = random.nextInt(50) == 0;
      List<String> scopes =
          widening
              ? List.of("admin:repo/" + team + "/**") // blocked: the child stays out of the chain
              : List.of("read:repo/" + team + "/**", "write:repo/" + team + "/api");
      if (!widening) {
        agents.add(child);
        depth.put(child, depth.get(parent) + 1);
      }
      return event(parent, EventType.AGENT_DELEGATED)
          .setDelegation(new AgentDelegated(child, scopes, "subtask"))
          .build();
    }

    AgentEvent issue() {
      String issuer = agents.get(random.nextInt(agents.size()));
      String credentialId = id + "-cred-" + (credentialCounter++);
      boolean violation = random.nextInt(40) == 0; // blocked: never presented
      if (!violation) {
        credentialsRecorded++;
        credentials.add(new Held(credentialId, issuer, clock + TTL_SECONDS * 1000));
      }
      return event(issuer, EventType.CREDENTIAL_ISSUED)
          .setCredential(
              new CredentialIssued(
                  credentialId,
                  issuer,
                  List.of("read:repo/" + team + "/api", "write:repo/" + team + "/api"),
                  violation ? CredentialKind.API_KEY : CredentialKind.SHORT_LIVED_TOKEN,
                  violation ? null : (int) TTL_SECONDS,
                  violation ? CredentialStorage.CI_VARIABLE : CredentialStorage.MEMORY))
          .build();
    }

    AgentEvent revoke() {
      Held c = credentials.remove(random.nextInt(credentials.size()));
      revoked.add(c);
      return event(c.subject(), EventType.CREDENTIAL_REVOKED)
          .setRevocation(new CredentialRevoked(c.id(), "task done"))
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
      boolean root = actor.equals(agents.get(0));
      Map<String, String> args = new HashMap<>();
      String tool;
      int dice = random.nextInt(100);
      if (root && dice >= 85) {
        if (dice < 95) {
          tool = "ci.trigger_pipeline";
          args.put("project", team + "/api");
          args.put("ref", "refs/heads/main");
        } else {
          tool = "secrets.get";
          args.put("path", "dev/" + team + "/db-password");
        }
        return event(actor, EventType.TOOL_CALL).setToolCall(new ToolCall(tool, args, null)).build();
      }
      String path = "src/module" + random.nextInt(100) + ".py";
      if (dice < 50) {
        tool = "repo.read_file";
        args.put("repo", team + "/api");
        args.put("path", path);
      } else {
        tool = "repo.write_file";
        args.put("repo", team + "/api");
        args.put("path", path);
        args.put("content", content(random.nextInt(200) == 0));
      }
      String presented = null;
      if (random.nextInt(3) == 0) {
        if (!revoked.isEmpty() && random.nextInt(200) == 0) {
          Held c = revoked.get(random.nextInt(revoked.size())); // blocked: credential-revoked
          presented = c.id();
          actor = c.subject();
        } else {
          Held c = liveCredential();
          if (c != null) {
            presented = c.id();
            actor = c.subject();
          }
        }
      }
      return event(actor, EventType.TOOL_CALL).setToolCall(new ToolCall(tool, args, presented)).build();
    }

    /** A random unexpired credential, dropping the expired ones it meets; null when none. */
    Held liveCredential() {
      while (!credentials.isEmpty()) {
        int i = random.nextInt(credentials.size());
        Held c = credentials.get(i);
        // A minute of margin: the step's own time is a few milliseconds ahead of clock.
        if (c.expiresAt() > clock + 60_000) {
          return c;
        }
        credentials.set(i, credentials.get(credentials.size() - 1));
        credentials.remove(credentials.size() - 1);
      }
      return null;
    }

    String content(boolean leakSecret) {
      String base = contents[random.nextInt(contents.length)];
      return leakSecret ? "AWS_KEY = 'AKIA" + "ABCDEFGHIJKLMNOP" + "'\n" + base : base;
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
