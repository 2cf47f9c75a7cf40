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
 * io.agentauditor.engine} ({@code kind, varint(len), sessionId, id}, and the stored decisions under
 * {@code 0x0D, varint(handle)}); the closed-index entry of the session (one key of about 30 bytes,
 * no value) and the retention index entries of its decisions are not counted here ({@link
 * #storedDecisions} counts those of a whole store).
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
    TIMER(0x0A),
    CREDENTIAL_USE(0x0F);

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

  /**
   * The stored decisions of a whole store: the records kept for retries (one per decided event)
   * and the retention index entries that name them, with their key and value bytes.
   */
  public record StoredDecisions(long records, long recordBytes, long indexEntries, long indexBytes) {

    /** Key and value bytes of the records and of the retention index, per stored decision. */
    public double bytesPerDecision() {
      return records == 0 ? 0 : (double) (recordBytes + indexBytes) / records;
    }

    @Override
    public String toString() {
      return String.format(
          "stored decisions: %d records, %d B; retention index: %d entries, %d B; %.1f B per decided event",
          records, recordBytes, indexEntries, indexBytes, bytesPerDecision());
    }
  }

  /**
   * Kinds of the engine's key layout holding stored decisions (by session id, then by session
   * handle since the grouped index) and their retention index entries (one per decision, then
   * grouped by time and session).
   */
  private static final byte[] DECISION_KINDS = {0x07, 0x0D};

  private static final byte[] DECISION_INDEX_KINDS = {0x0B, 0x0E};

  /** Counts the stored decisions of every session in {@code store} and their index entries. */
  public static StoredDecisions storedDecisions(StateStore store) {
    long[] records = count(store, DECISION_KINDS);
    long[] index = count(store, DECISION_INDEX_KINDS);
    return new StoredDecisions(records[0], records[1], index[0], index[1]);
  }

  private static long[] count(StateStore store, byte[] kinds) {
    long[] c = new long[2];
    for (byte kind : kinds) {
      try (StateStore.RangeIterator it = store.range(new byte[] {kind}, new byte[] {(byte) (kind + 1)})) {
        while (it.hasNext()) {
          Map.Entry<byte[], byte[]> r = it.next();
          c[0]++;
          c[1] += r.getKey().length + r.getValue().length;
        }
      }
    }
    return c;
  }

  /** The largest sessions found by {@link #largest}: by total bytes and by chain bytes. */
  public record Largest(
      Size byTotal, Size byChain, int sessionsEnded, int fullSessions, StoredDecisions decisions) {}

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
    return new Largest(byTotal, byChain, ended, full, storedDecisions(store));
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
    // Since the session handle, the stored decisions are keyed by it (0x0D, uv(handle), hash):
    // counted as the session's dedupe records.
    long handle = handle(store.get(prefix(Kind.SESSION.code, sessionId)));
    if (handle != 0) {
      byte[] prefix = varint(new ByteArrayOutputStream(11), 0x0D, handle).toByteArray();
      try (StateStore.RangeIterator it = store.range(prefix, prefixEnd(prefix))) {
        while (it.hasNext()) {
          Map.Entry<byte[], byte[]> r = it.next();
          bytes[Kind.DEDUPE.ordinal()] += r.getKey().length + r.getValue().length;
          records[Kind.DEDUPE.ordinal()]++;
        }
      }
    }
    return new Size(sessionId, bytes, records);
  }

  /**
   * The handle of a session meta record of version 2 (version 1, then {@code handle:uv
   * flags:byte}), 0 for version 1 or none: skips root, initiator, granted scopes, closed, three
   * timestamps and three counts.
   */
  static long handle(byte[] meta) {
    if (meta == null || meta[0] != 2) {
      return 0;
    }
    int[] at = {1};
    skipString(meta, at); // root
    skipString(meta, at); // initiator
    long scopes = readVarint(meta, at);
    for (long i = 0; i < scopes; i++) {
      skipString(meta, at);
    }
    at[0]++; // closed
    for (int i = 0; i < 6; i++) {
      readVarint(meta, at); // startedAt, timer, closedAt, agentCount, credentialCount, approvalCount
    }
    return readVarint(meta, at);
  }

  private static void skipString(byte[] b, int[] at) {
    int length = (int) readVarint(b, at);
    at[0] += length;
  }

  private static long readVarint(byte[] b, int[] at) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b[at[0]++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return v;
      }
    }
  }

  private static ByteArrayOutputStream varint(ByteArrayOutputStream out, int kind, long n) {
    out.write(kind);
    while ((n & ~0x7FL) != 0) {
      out.write((int) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.write((int) n);
    return out;
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
    System.out.println(l.decisions());
  }
}
