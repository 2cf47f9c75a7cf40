package io.agentauditor.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds the byte keys of the engine's state (layout in {@code package-info}). Every per-session key
 * is {@code KIND, varint(len(sessionId)), sessionId UTF-8} followed by the record's own id (raw UTF-8,
 * the last component), so one session's records of a kind are one contiguous key range.
 */
final class StateKeys {

  static final byte ENGINE_META = 0x01;
  static final byte SESSION = 0x02;
  static final byte AGENT = 0x03;
  static final byte CREDENTIAL = 0x04;
  static final byte APPROVALS = 0x05;
  static final byte FAN_OUT = 0x06;
  static final byte DEDUPE = 0x07;
  static final byte TIMER_INDEX = 0x08;
  static final byte CLOSED_INDEX = 0x09;
  static final byte TIMER = 0x0A;
  static final byte DECISION_INDEX = 0x0B;
  static final byte FOLDED_AGENT = 0x0C;
  /** A stored decision keyed by its session's handle and a hash of its eventId (package-info). */
  static final byte DECISION = 0x0D;
  /** The retention index of {@link #DECISION} records, grouped by time and session handle. */
  static final byte DECISION_GROUP = 0x0E;
  /** A credential's use count and last use, apart from the credential record. */
  static final byte CREDENTIAL_USE = 0x0F;

  /** Kinds holding per-session records (keyed by session id), purged together at retention. */
  static final byte[] SESSION_KINDS = {
    SESSION, AGENT, CREDENTIAL, APPROVALS, FAN_OUT, DEDUPE, TIMER, FOLDED_AGENT, CREDENTIAL_USE
  };

  static final byte[] STREAM_TIME =
      new ByteWriter(16).writeByte(ENGINE_META).writeRawString("stream-time").toByteArray();

  private StateKeys() {}

  /** {@code ENGINE_META, "policy/", uv(n)}: the policy identity numbered {@code n}. */
  static byte[] policyIdentity(long n) {
    return ByteWriter.scratch().writeByte(ENGINE_META).writeRawString("policy/").writeVarLong(n).toByteArray();
  }

  static byte[] sessionPrefix(byte kind, String sessionId) {
    return ByteWriter.scratch().writeByte(kind).writeString(sessionId).toByteArray();
  }

  /** The key of a per-session record: with {@code id} for the kinds that have one, else null. */
  static byte[] record(byte kind, String sessionId, String id) {
    return id == null ? sessionPrefix(kind, sessionId) : child(kind, sessionId, id);
  }

  static byte[] session(String sessionId) {
    return sessionPrefix(SESSION, sessionId);
  }

  static byte[] timer(String sessionId) {
    return sessionPrefix(TIMER, sessionId);
  }

  /** The list of a session's approvals written by older engines, and the prefix of its approvals. */
  static byte[] approvals(String sessionId) {
    return sessionPrefix(APPROVALS, sessionId);
  }

  /**
   * {@code APPROVALS, sid, be64(n)}: the session's approval numbered {@code n}, in the order they
   * were applied (after the older engines' list, whose key is the bare prefix).
   */
  static byte[] approval(String sessionId, long n) {
    return ByteWriter.scratch()
        .writeByte(APPROVALS)
        .writeString(sessionId)
        .writeOrderedLong(n)
        .toByteArray();
  }

  static byte[] child(byte kind, String sessionId, String id) {
    return ByteWriter.scratch()
        .writeByte(kind)
        .writeString(sessionId)
        .writeRawString(id)
        .toByteArray();
  }

  static byte[] agent(String sessionId, String agentId) {
    return child(AGENT, sessionId, agentId);
  }

  /** The agent of the chain whose id, trimmed and ASCII-folded ({@code Fold.identity}), is {@code folded}. */
  static byte[] foldedAgent(String sessionId, String folded) {
    return child(FOLDED_AGENT, sessionId, folded);
  }

  static byte[] credential(String sessionId, String credentialId) {
    return child(CREDENTIAL, sessionId, credentialId);
  }

  static byte[] fanOut(String sessionId, String agentId) {
    return child(FAN_OUT, sessionId, agentId);
  }

  static byte[] dedupe(String sessionId, String eventId) {
    return child(DEDUPE, sessionId, eventId);
  }

  static byte[] credentialUse(String sessionId, String credentialId) {
    return child(CREDENTIAL_USE, sessionId, credentialId);
  }

  /** {@code DECISION, uv(handle), hash64(eventId)}: a stored decision of a session with a handle. */
  static byte[] decision(long handle, long eventHash) {
    return ByteWriter.scratch().writeByte(DECISION).writeVarLong(handle).writeFixedLong(eventHash).toByteArray();
  }

  /** {@code kind, uv(handle)}: the prefix of a session's records keyed by its handle. */
  static byte[] handlePrefix(byte kind, long handle) {
    return ByteWriter.scratch().writeByte(kind).writeVarLong(handle).toByteArray();
  }

  /**
   * {@code DECISION_GROUP, ordered(last), uv(handle)}: the open group of the stored decisions of a
   * session whose occurredAt falls in the time bucket ending at {@code last} (inclusive); with
   * {@code uv(n)} appended, the sealed group numbered {@code n} of that bucket.
   */
  static byte[] decisionGroup(long last, long handle) {
    return decisionGroup(last, handle, -1);
  }

  static byte[] sealedDecisionGroup(long last, long handle, long n) {
    return decisionGroup(last, handle, n);
  }

  private static byte[] decisionGroup(long last, long handle, long n) {
    ByteWriter w = ByteWriter.scratch().writeByte(DECISION_GROUP).writeOrderedLong(last).writeVarLong(handle);
    return (n < 0 ? w : w.writeVarLong(n)).toByteArray();
  }

  /** The session handle of a {@link #DECISION_GROUP} key. */
  static long groupHandle(byte[] key) {
    return new ByteReader(key, 9).readVarLong();
  }

  /**
   * The 64-bit hash of an eventId in a {@link #DECISION} key: FNV-1a over its UTF-16 chars, then
   * the MurmurHash3 finalizer so every input bit reaches every output bit. Not collision-resistant
   * against a chosen eventId; a collision is harmless (package-info: it reads as other content).
   */
  static long eventHash(String eventId) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < eventId.length(); i++) {
      h = (h ^ eventId.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** {@code kind, ordered(time), sessionId}: scans in time order, then session id byte order. */
  static byte[] timeIndex(byte kind, long time, String sessionId) {
    return ByteWriter.scratch()
        .writeByte(kind)
        .writeOrderedLong(time)
        .writeRawString(sessionId)
        .toByteArray();
  }

  /**
   * {@code DECISION_INDEX, ordered(occurredAt), sid, eventId}: a stored decision by its time; all
   * but the first 9 bytes are its dedupe key's after the kind byte.
   */
  static byte[] decisionIndex(long occurredAt, String sessionId, String eventId) {
    return ByteWriter.scratch()
        .writeByte(DECISION_INDEX)
        .writeOrderedLong(occurredAt)
        .writeString(sessionId)
        .writeRawString(eventId)
        .toByteArray();
  }

  /** The dedupe key a decision-index entry names. */
  static byte[] dedupeOfDecisionIndex(byte[] indexKey) {
    byte[] key = Arrays.copyOfRange(indexKey, 8, indexKey.length);
    key[0] = DEDUPE;
    return key;
  }

  /** The exclusive upper bound of index entries with time strictly below {@code time}. */
  static byte[] timeIndexBound(byte kind, long time) {
    return ByteWriter.scratch().writeByte(kind).writeOrderedLong(time).toByteArray();
  }

  static byte[] kindStart(byte kind) {
    return new byte[] {kind};
  }

  static long indexTime(byte[] key) {
    return new ByteReader(key, 1).readOrderedLong();
  }

  static String indexSession(byte[] key) {
    return new String(key, 9, key.length - 9, StandardCharsets.UTF_8);
  }

  /** The sessionId of a per-session key. */
  static String sessionOf(byte[] key) {
    ByteReader r = new ByteReader(key, 1);
    return r.readString();
  }

  /** The id after the sessionId of a per-session key of a kind that has one. */
  static String idOf(byte[] key) {
    ByteReader r = new ByteReader(key, 1);
    r.readString();
    return r.readRawString();
  }

  /** The id after {@code prefix} in a per-session key. */
  static String childId(byte[] key, int prefixLength) {
    return new String(key, prefixLength, key.length - prefixLength, StandardCharsets.UTF_8);
  }

  /** The smallest key greater than every key starting with {@code prefix}. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = Arrays.copyOf(prefix, prefix.length);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    throw new IllegalArgumentException("prefix has no upper bound");
  }
}
