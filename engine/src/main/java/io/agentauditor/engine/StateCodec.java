package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import io.agentauditor.engine.StateRecords.Approval;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.engine.StateRecords.SessionMeta;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Decision;
import io.agentauditor.model.EventType;
import io.agentauditor.model.Finding;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary format of every state record (documented in {@code package-info}): a version byte,
 * then fields in a fixed order as varints, zig-zag varints (timestamps) and length-prefixed UTF-8.
 * Enums are stored as their stable {@link io.agentauditor.model.Coded#code() code} (the ordinal of
 * the Avro symbol in the first release, so older stores read unchanged).
 * Decoding a record of an unknown version throws {@link IllegalStateException}: state written by a
 * newer engine is never misread.
 */
final class StateCodec {

  static final int VERSION = 1;

  /**
   * Version of the compact decision record (its key holds sessionId and eventId; the policy identity
   * is a number named in an engine meta record) and of the engine meta that numbers identities.
   */
  static final int VERSION_2 = 2;

  /**
   * Version of the decision record that also holds the fingerprint of the decided event's content
   * ({@link StepFingerprint}), so a repeat with other content is told from a retry (contract
   * section 4, v2). A version 1 or 2 record has none: a repeat of it is a retry whatever its
   * content, as before.
   */
  static final int VERSION_3 = 3;


  private StateCodec() {}

  private static ByteReader open(byte[] bytes, String what) {
    return open(bytes, what, VERSION);
  }

  /** A reader past the version byte, which must be 1 to {@code newest}. */
  private static ByteReader open(byte[] bytes, String what, int newest) {
    ByteReader r = new ByteReader(bytes, 0);
    int v = r.readByte();
    if (v < VERSION || v > newest) {
      throw new IllegalStateException("unsupported " + what + " record version " + v);
    }
    return r;
  }

  /** The constant numbered {@code code}; a number no constant has is a record of a newer release. */
  static <E> E pick(java.util.function.IntFunction<E> ofCode, int code) {
    try {
      return ofCode.apply(code);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  // --- engine meta (see EngineMeta) ---

  static ByteReader openMeta(byte[] bytes) {
    return open(bytes, "engine meta");
  }

  // --- session meta ---

  /**
   * The session meta: version 2 (version 1 followed by the handle and its flags) when the session
   * has a handle, else version 1 as older engines wrote it.
   */
  static byte[] encodeSession(SessionMeta s) {
    ByteWriter w = ByteWriter.scratch();
    w.writeByte(s.handle != 0 ? VERSION_2 : VERSION)
        .writeString(s.rootAgentId)
        .writeString(s.initiator)
        .writeStrings(s.grantedScopes)
        .writeByte(s.closed ? 1 : 0)
        .writeZigZag(s.startedAt)
        .writeZigZag(s.timer)
        .writeZigZag(s.closedAt)
        .writeVarLong(s.agentCount)
        .writeVarLong(s.credentialCount)
        .writeVarLong(s.approvalCount);
    if (s.handle != 0) {
      w.writeVarLong(s.handle).writeByte(s.decisionsBeforeStart ? DECISIONS_BEFORE_START : 0);
    }
    return w.toByteArray();
  }

  private static final int DECISIONS_BEFORE_START = 1;

  static SessionMeta decodeSession(byte[] bytes) {
    ByteReader r = open(bytes, "session", VERSION_2);
    SessionMeta s = new SessionMeta();
    s.rootAgentId = r.readString();
    s.initiator = r.readString();
    // Decoded when first read: a check whose path is marked never asks the grant (up to 64 KiB).
    s.grantedScopes = r.readStringsLazily();
    s.closed = r.readByte() != 0;
    s.startedAt = r.readZigZag();
    s.timer = r.readZigZag();
    s.closedAt = r.readZigZag();
    s.agentCount = r.readVarLong();
    s.credentialCount = r.readVarLong();
    s.approvalCount = r.readVarLong();
    if (bytes[0] == VERSION_2) {
      s.handle = r.readVarLong();
      s.decisionsBeforeStart = (r.readByte() & DECISIONS_BEFORE_START) != 0;
    }
    return s;
  }

  /** The idle timer alone, rewritten by nearly every step (the session meta is not). */
  static byte[] encodeTimer(long timer) {
    return ByteWriter.scratch().writeByte(VERSION).writeZigZag(timer).toByteArray();
  }

  static long decodeTimer(byte[] bytes) {
    return open(bytes, "timer").readZigZag();
  }

  // --- agent node ---

  /**
   * Version 3: the parent and depth of version 1, then the agent's number in its session plus one
   * (0: unknown), the list's generation plus one (0: none), the parent's generation the list was
   * found within plus one (0: no mark) and, with a mark, the coverage stamp it holds for (4 bytes);
   * the delegated scopes last, so reading a record finds where each scope starts only when the list
   * is first read (a path of marked agents reads the actor's list alone). See {@link
   * AgentNode#withinParent}.
   */
  static byte[] encodeAgent(AgentNode a) {
    ByteWriter w = ByteWriter.scratch().writeByte(VERSION_3);
    w.writeString(a.parent == null ? "" : a.parent).writeVarLong(a.depth).writeVarLong(a.number + 1L);
    w.writeVarLong(a.generation + 1L);
    if (a.withinParent < 0) {
      w.writeByte(0);
    } else {
      int stamp = a.withinStamp;
      w.writeVarLong(a.withinParent + 1L)
          .writeByte(stamp >>> 24)
          .writeByte(stamp >>> 16)
          .writeByte(stamp >>> 8)
          .writeByte(stamp);
    }
    return w.writeStrings(a.scopes).toByteArray();
  }

  /**
   * Version 2 (version 1 followed by the agent's number in its session plus one, 0: unknown), as
   * older engines wrote it: no generation, no mark. Written only by tests of reading such state.
   */
  static byte[] encodeAgentVersion2(AgentNode a) {
    ByteWriter w = ByteWriter.scratch().writeByte(VERSION_2);
    w.writeString(a.parent == null ? "" : a.parent).writeVarLong(a.depth);
    return w.writeStrings(a.scopes).writeVarLong(a.number + 1L).toByteArray();
  }

  static AgentNode decodeAgent(String id, byte[] bytes) {
    ByteReader r = open(bytes, "agent", VERSION_3);
    AgentNode a = new AgentNode(id);
    String parent = r.readString();
    // Agent ids are never empty (contract section 2), so "" safely means "no parent".
    a.parent = parent.isEmpty() ? null : parent;
    a.depth = (int) r.readVarLong();
    if (bytes[0] == VERSION_3) {
      a.number = (int) r.readVarLong() - 1;
      a.generation = r.readVarLong() - 1;
      a.withinParent = r.readVarLong() - 1;
      if (a.withinParent >= 0) {
        a.withinStamp = r.readByte() << 24 | r.readByte() << 16 | r.readByte() << 8 | r.readByte();
      }
      a.scopes = r.readLastStrings();
      return a;
    }
    // Decoded when first read: a check asks the lists of the path from the actor up and may stop
    // at the first, and the path of an agent at depth 16 holds 16 lists of up to 64 KiB.
    a.scopes = r.readStringsLazily();
    if (bytes[0] == VERSION_2) {
      a.number = (int) r.readVarLong() - 1;
    }
    return a;
  }

  // --- credential ---

  private static final int HAS_EXPIRY = 1;
  private static final int REVOKED = 2;
  private static final int USED = 4;

  static byte[] encodeCredential(CredentialRecord c) {
    ByteWriter w = ByteWriter.scratch();
    int flags =
        (c.expiresAt != null ? HAS_EXPIRY : 0)
            | (c.revokedAt != null ? REVOKED : 0)
            | (c.lastUsedAt != null ? USED : 0);
    w.writeByte(VERSION)
        .writeByte(flags)
        .writeString(c.issuer)
        .writeString(c.subject)
        .writeStrings(c.scopes)
        .writeByte(c.kind.code())
        .writeByte(c.storage.code())
        .writeZigZag(c.issuedAt)
        .writeVarLong(c.sequence)
        .writeVarLong(c.useCount)
        .writeByte(c.reported.code());
    if (c.expiresAt != null) {
      w.writeZigZag(c.expiresAt);
    }
    if (c.revokedAt != null) {
      w.writeZigZag(c.revokedAt).writeString(c.revokedBy);
    }
    if (c.lastUsedAt != null) {
      w.writeZigZag(c.lastUsedAt);
    }
    return w.toByteArray();
  }

  static CredentialRecord decodeCredential(String id, byte[] bytes) {
    ByteReader r = open(bytes, "credential");
    CredentialRecord c = new CredentialRecord(id);
    int flags = r.readByte();
    c.issuer = r.readString();
    c.subject = r.readString();
    c.scopes = r.readStrings();
    c.kind = pick(CredentialKind::ofCode, r.readByte());
    c.storage = pick(CredentialStorage::ofCode, r.readByte());
    c.issuedAt = r.readZigZag();
    c.sequence = r.readVarLong();
    c.useCount = r.readVarLong();
    c.reported = pick(CredentialStatus::ofCode, r.readByte());
    if ((flags & HAS_EXPIRY) != 0) {
      c.expiresAt = r.readZigZag();
    }
    if ((flags & REVOKED) != 0) {
      c.revokedAt = r.readZigZag();
      c.revokedBy = r.readString();
    }
    if ((flags & USED) != 0) {
      c.lastUsedAt = r.readZigZag();
    }
    return c;
  }

  /**
   * A credential's use count and last use, a record of its own: a step presenting the credential
   * writes this, not the credential record (up to 64 KB of scopes).
   */
  static byte[] encodeCredentialUse(CredentialRecord c) {
    return ByteWriter.scratch()
        .writeByte(VERSION)
        .writeVarLong(c.useCount)
        .writeZigZag(c.lastUsedAt)
        .toByteArray();
  }

  /** Overrides {@code c}'s use count and last use with those of its use record. */
  static CredentialRecord applyCredentialUse(CredentialRecord c, byte[] use) {
    ByteReader r = open(use, "credential use");
    c.useCount = r.readVarLong();
    c.lastUsedAt = r.readZigZag();
    return c;
  }

  // --- approvals of a session ---

  /**
   * One approval, a record of its own: a step adding one writes it alone, never the others. Version
   * 2 writes the first segments of its scopes ({@link FirstSegments}) ahead of them, so a call
   * needing an approval reads each record's head and decodes the scopes of those that may cover
   * what it needs only; version 1 (the same without them) is still read.
   */
  static byte[] encodeApproval(Approval a) {
    FirstSegments first = a.firstSegments();
    ByteWriter w = ByteWriter.scratch().writeByte(VERSION_2);
    writeApprovalHead(w, a).writeStrings(first.literals()).writeByte(first.wildcard() ? 1 : 0);
    return w.writeStrings(a.scopes()).toByteArray();
  }

  /** An approval record of version 1, as older engines wrote it; written only by tests of reading such state. */
  static byte[] encodeApprovalVersion1(Approval a) {
    return writeApproval(ByteWriter.scratch().writeByte(VERSION), a).toByteArray();
  }

  static Approval decodeApproval(byte[] bytes) {
    ByteReader r = open(bytes, "approval", VERSION_2);
    if (bytes[0] != VERSION_2) {
      return readApproval(r);
    }
    String id = r.readString();
    String approver = r.readString();
    String requester = r.readString();
    long from = r.readZigZag();
    long until = r.readZigZag();
    List<String> literals = r.readStrings();
    boolean wildcard = r.readByte() != 0;
    // The scopes end the record: where each starts is read only when they are first read.
    Approval a = new Approval(id, approver, requester, from, until, r.readLastStrings());
    a.firstSegments(FirstSegments.of(literals, wildcard));
    return a;
  }

  private static ByteWriter writeApprovalHead(ByteWriter w, Approval a) {
    return w.writeString(a.approvalId())
        .writeString(a.approver())
        .writeString(a.requester())
        .writeZigZag(a.from())
        .writeZigZag(a.until());
  }

  private static ByteWriter writeApproval(ByteWriter w, Approval a) {
    return writeApprovalHead(w, a).writeStrings(a.scopes());
  }

  private static Approval readApproval(ByteReader r) {
    // The scopes are decoded when first read: most calls needing an approval read only their first
    // segments (FirstSegments), and a session may hold 256 approvals of 128 scopes of 512 bytes.
    return new Approval(
        r.readString(), r.readString(), r.readString(), r.readZigZag(), r.readZigZag(), r.readStringsLazily());
  }

  /**
   * The list of a session's approvals as older engines wrote it, one record rewritten whole by each
   * approval; read, and written only by tests of reading such state.
   */
  static byte[] encodeApprovals(List<Approval> approvals) {
    ByteWriter w = ByteWriter.scratch();
    w.writeByte(VERSION).writeVarLong(approvals.size());
    for (Approval a : approvals) {
      writeApproval(w, a);
    }
    return w.toByteArray();
  }

  static List<Approval> decodeApprovals(byte[] bytes) {
    ByteReader r = open(bytes, "approvals");
    int n = r.readCount();
    List<Approval> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readApproval(r));
    }
    return out;
  }

  // --- fan-out timestamps of one actor ---

  static byte[] encodeTimes(long[] times, int count) {
    ByteWriter w = ByteWriter.scratch();
    w.writeByte(VERSION).writeVarLong(count);
    for (int i = 0; i < count; i++) {
      w.writeZigZag(times[i]);
    }
    return w.toByteArray();
  }

  static long[] decodeTimes(byte[] bytes) {
    ByteReader r = open(bytes, "fan-out");
    int n = r.readCount();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = r.readZigZag();
    }
    return out;
  }

  // --- stored decision (dedupe) ---

  private static final int HAS_CREDENTIAL = 1;

  /**
   * A 64-bit FNV-1a hash of {@code identity}'s UTF-16 chars: tells whether the number engine meta
   * holds is this engine's identity (identities end in a sha256 digest of the bundle).
   */
  static long identityHash(String identity) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < identity.length(); i++) {
      h = (h ^ identity.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }

  /**
   * The record of {@code d} (version 3), stored under its dedupe key: the fingerprint of the
   * decided event's content, then the compact decision of version 2.
   *
   * @param fingerprint {@link StepFingerprint#LENGTH} bytes
   */
  static byte[] encodeDecision(Decision d, long policyNo, byte[] fingerprint) {
    if (fingerprint.length != StepFingerprint.LENGTH) {
      throw new IllegalArgumentException("fingerprint of " + fingerprint.length + " bytes");
    }
    ByteWriter w = ByteWriter.scratch();
    w.writeByte(VERSION_3).writeBytes(fingerprint);
    return writeCompact(w, d, policyNo).toByteArray();
  }

  /**
   * The compact (version 2) record of {@code d}, stored under its dedupe key: sessionId and eventId
   * are left to the key, the policy identity is written as {@code policyNo} (see {@link
   * EngineMeta#policyNumber}). Written by older engines; kept for tests of reading their state.
   */
  static byte[] encodeDecision(Decision d, long policyNo) {
    ByteWriter w = ByteWriter.scratch();
    w.writeByte(VERSION_2);
    return writeCompact(w, d, policyNo).toByteArray();
  }

  private static ByteWriter writeCompact(ByteWriter w, Decision d, long policyNo) {
    w.writeString(d.agentId())
        .writeByte(d.type().code())
        .writeZigZag(d.occurredAtMillis())
        .writeByte(d.verdict().code())
        .writeVarLong(policyNo)
        .writeStrings(d.path());
    return writeFindings(w, d);
  }

  /**
   * The content fingerprint a stored decision record holds, or null for a record of version 1 or
   * 2, which has none.
   *
   * @throws IllegalStateException for a record of an unknown version
   */
  static byte[] decisionFingerprint(byte[] bytes) {
    ByteReader r = new ByteReader(bytes, 0);
    int v = r.readByte();
    if (v == VERSION || v == VERSION_2) {
      return null;
    }
    if (v != VERSION_3) {
      throw new IllegalStateException("unsupported decision record version " + v);
    }
    if (bytes.length < 1 + StepFingerprint.LENGTH) {
      throw new IllegalStateException("truncated decision record");
    }
    return java.util.Arrays.copyOfRange(bytes, 1, 1 + StepFingerprint.LENGTH);
  }

  /** The version 1 record of {@code d} (kept for tests of reading state written by older engines). */
  static byte[] encodeDecision(Decision d) {
    ByteWriter w = ByteWriter.scratch();
    w.writeByte(VERSION)
        .writeString(d.eventId())
        .writeString(d.sessionId())
        .writeString(d.agentId())
        .writeByte(d.type().code())
        .writeZigZag(d.occurredAtMillis())
        .writeByte(d.verdict().code())
        .writeString(d.policy())
        .writeStrings(d.path());
    return writeFindings(w, d).toByteArray();
  }

  static ByteWriter writeFindings(ByteWriter w, Decision d) {
    List<Finding> findings = d.findings(); // immutable, so random access: no iterator per record
    w.writeVarLong(findings.size());
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      w.writeString(f.ruleId())
          .writeByte(f.action().code())
          .writeByte(f.mode().code())
          .writeByte(f.severity().code())
          .writeString(f.message())
          .writeStrings(f.references())
          .writeByte(f.credentialId() != null ? HAS_CREDENTIAL : 0);
      if (f.credentialId() != null) {
        w.writeString(f.credentialId());
      }
    }
    return w;
  }

  /**
   * Decodes a stored decision of version 1, 2 or 3; a version 2 or 3 record takes {@code sessionId}
   * and {@code eventId} from its key and its policy identity from {@code store}.
   */
  static Decision decodeDecision(byte[] bytes, String sessionId, String eventId, StateStore store) {
    int v = bytes.length == 0 ? -1 : bytes[0] & 0xFF;
    if (v == VERSION) {
      return decodeDecision(bytes);
    }
    if (v != VERSION_2 && v != VERSION_3) {
      throw new IllegalStateException("unsupported decision record version " + v);
    }
    ByteReader r = new ByteReader(bytes, v == VERSION_3 ? 1 + StepFingerprint.LENGTH : 1);
    String agentId = r.readString();
    EventType type = pick(EventType::ofCode, r.readByte());
    long occurredAt = r.readZigZag();
    Verdict verdict = pick(Verdict::ofCode, r.readByte());
    String policy = policyIdentity(store, r.readVarLong());
    List<String> path = r.readStrings();
    return new Decision(
        eventId, sessionId, agentId, type, occurredAt, verdict, readFindings(r), policy, path);
  }

  /** The policy identity numbered {@code policyNo} in {@code store} (see {@link EngineMeta#policyNumber}). */
  static String policyIdentity(StateStore store, long policyNo) {
    byte[] identity = store.get(StateKeys.policyIdentity(policyNo));
    if (identity == null) {
      throw new IllegalStateException("no policy identity numbered " + policyNo);
    }
    return new String(identity, StandardCharsets.UTF_8);
  }

  /** The occurredAt of a stored decision of any version, read without decoding the rest. */
  static long decisionOccurredAt(byte[] bytes) {
    ByteReader r = new ByteReader(bytes, 0);
    int v = r.readByte();
    if (v == VERSION) {
      r.readString(); // eventId
      r.readString(); // sessionId
    } else if (v == VERSION_3) {
      r = new ByteReader(bytes, 1 + StepFingerprint.LENGTH); // then as version 2
    } else if (v != VERSION_2) {
      throw new IllegalStateException("unsupported decision record version " + v);
    }
    r.readString(); // agentId
    r.readByte(); // type
    return r.readZigZag();
  }

  static Decision decodeDecision(byte[] bytes) {
    ByteReader r = open(bytes, "decision");
    String eventId = r.readString();
    String sessionId = r.readString();
    String agentId = r.readString();
    EventType type = pick(EventType::ofCode, r.readByte());
    long occurredAt = r.readZigZag();
    Verdict verdict = pick(Verdict::ofCode, r.readByte());
    String policy = r.readString();
    List<String> path = r.readStrings();
    return new Decision(eventId, sessionId, agentId, type, occurredAt, verdict, readFindings(r), policy, path);
  }

  static List<Finding> readFindings(ByteReader r) {
    int n = r.readCount();
    List<Finding> findings = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String ruleId = r.readString();
      Verdict action = pick(Verdict::ofCode, r.readByte());
      RuleMode mode = pick(RuleMode::ofCode, r.readByte());
      Severity severity = pick(Severity::ofCode, r.readByte());
      String message = r.readString();
      List<String> references = r.readStrings();
      String credentialId = (r.readByte() & HAS_CREDENTIAL) != 0 ? r.readString() : null;
      findings.add(new Finding(ruleId, action, mode, severity, message, references, credentialId));
    }
    return findings;
  }
}
