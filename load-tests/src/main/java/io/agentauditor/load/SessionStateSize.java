package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.EventType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Measures the serialized state of generated sessions as the engine stores it: the sum of key and
 * value bytes of every record of a session, by record kind, taken right after the session's
 * {@code SESSION_ENDED} step (when it is largest: nothing of a session is deleted before retention).
 *
 * <p>Reads the store through the key layout the engine documents in {@code
 * io.agentauditor.engine} ({@code kind, varint(len), sessionId, id}); the closed-index entry of the
 * session (one key of about 30 bytes, no value) is not counted.
 */
public final class SessionStateSize {

  /** Per-session record kinds of the engine's key layout, in key order. */
  enum Kind {
    SESSION(0x02),
    AGENT(0x03),
    CREDENTIAL(0x04),
    APPROVALS(0x05),
    FAN_OUT(0x06),
    DEDUPE(0x07),
    TIMER(0x0A);

    final byte code;

    Kind(int code) {
      this.code = (byte) code;
    }
  }

  /**
   * The size of one session's state.
   *
   * @param bytes key + value bytes per kind, indexed by {@link Kind#ordinal()}
   * @param records records per kind
   */
  public record Size(String sessionId, long[] bytes, int[] records) {

    /** Every record of the session, the dedupe records (stored decisions) included. */
    public long total() {
      return Arrays.stream(bytes).sum();
    }

    /** The chain state a step loads from: everything but the dedupe records. */
    public long chain() {
      return total() - bytes[Kind.DEDUPE.ordinal()];
    }

    public int agents() {
      return records[Kind.AGENT.ordinal()];
    }

    public int credentials() {
      return records[Kind.CREDENTIAL.ordinal()];
    }

    public int events() {
      return records[Kind.DEDUPE.ordinal()];
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(
          "session %s: %d agents, %d credentials, %d events; total %d B, chain (without dedupe) %d B%n",
          sessionId, agents(), credentials(), events(), total(), chain()));
      for (Kind k : Kind.values()) {
        sb.append(String.format(
            "  %-10s %6d records %9d B%n", k, records[k.ordinal()], bytes[k.ordinal()]));
      }
      return sb.toString();
    }
  }

  /** The largest sessions found by {@link #largest}: by total bytes and by chain bytes. */
  public record Largest(Size byTotal, Size byChain, int sessionsEnded, int fullSessions) {}

  private SessionStateSize() {}

  /**
   * Runs {@code events} events of {@code generator} through a fresh engine and store, and measures
   * every session right after its {@code SESSION_ENDED} step.
   *
   * @param maxAgents agents at which a session counts as full
   * @param maxCredentials credentials at which a session counts as full
   */
  public static Largest largest(
      Policy policy, SessionGenerator generator, int events, int maxAgents, int maxCredentials) {
    AuditEngine engine = new AuditEngine(policy);
    InMemoryStateStore store = new InMemoryStateStore();
    Size byTotal = null;
    Size byChain = null;
    int ended = 0;
    int full = 0;
    for (int i = 0; i < events; i++) {
      AgentEvent e = generator.next();
      engine.process(EventMapper.toStep(e), store);
      if (e.getType() == EventType.SESSION_ENDED) {
        Size s = of(store, e.getSessionId());
        ended++;
        if (s.agents() >= maxAgents && s.credentials() >= maxCredentials) {
          full++;
        }
        if (byTotal == null || s.total() > byTotal.total()) {
          byTotal = s;
        }
        if (byChain == null || s.chain() > byChain.chain()) {
          byChain = s;
        }
      }
    }
    return new Largest(byTotal, byChain, ended, full);
  }

  /** The size of {@code sessionId}'s records in {@code store}. */
  public static Size of(StateStore store, String sessionId) {
    Kind[] kinds = Kind.values();
    long[] bytes = new long[kinds.length];
    int[] records = new int[kinds.length];
    for (Kind k : kinds) {
      byte[] prefix = prefix(k.code, sessionId);
      byte[] end = prefixEnd(prefix);
      try (StateStore.RangeIterator it = store.range(prefix, end)) {
        while (it.hasNext()) {
          Map.Entry<byte[], byte[]> r = it.next();
          bytes[k.ordinal()] += r.getKey().length + r.getValue().length;
          records[k.ordinal()]++;
        }
      }
    }
    return new Size(sessionId, bytes, records);
  }

  static byte[] prefix(byte kind, String sessionId) {
    byte[] id = sessionId.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(id.length + 6);
    out.write(kind);
    long n = id.length;
    while ((n & ~0x7FL) != 0) {
      out.write((int) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.write((int) n);
    out.writeBytes(id);
    return out.toByteArray();
  }

  private static byte[] prefixEnd(byte[] prefix) {
    byte[] end = Arrays.copyOf(prefix, prefix.length);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    throw new IllegalArgumentException("prefix has no upper bound");
  }

  /** Usage: {@code SessionStateSize [EVENTS (default 600000)]}. */
  public static void main(String[] args) {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 600_000;
    Largest l =
        largest(Workload.defaultPolicy(), SessionGenerator.realistic(Workload.SEED), events, 50, 200);
    System.out.printf(
        "%d events: %d sessions ended, %d of them full (50 agents, 200 credentials)%n",
        events, l.sessionsEnded(), l.fullSessions());
    System.out.println("largest by total bytes:");
    System.out.print(l.byTotal());
    System.out.println("largest by chain bytes:");
    System.out.print(l.byChain());
  }
}
