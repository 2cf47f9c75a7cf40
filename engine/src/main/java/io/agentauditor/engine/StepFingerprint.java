package io.agentauditor.engine;

import io.agentauditor.model.Step;
import io.agentauditor.text.Utf8;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The fingerprint of a step's content (contract section 4, Retries): what a repeat of a decided
 * ({@code sessionId}, {@code eventId}) must match to be a retry rather than an {@code event-id-reuse}.
 *
 * <p>The content is every field of section 2 but {@code occurredAt}, taken from the {@link Step}
 * (so already as values: JSON key order, escapes and white space, unknown fields and an absent
 * optional field versus {@code null} are gone by then). The fingerprint is the first 16 bytes of
 * SHA-256 over this canonical encoding, in this order:
 *
 * <pre>
 * "agent-auditor/step-content/1" 0x00
 * str(type name)  str(eventId)  str(sessionId)  str(agentId)
 * then the payload's fields in section 2's table order:
 *   SESSION_STARTED     str(initiator)  list(grantedScopes)  opt(intent)
 *   AGENT_DELEGATED     str(childAgentId)  list(scopes)  opt(purpose)
 *   TOOL_CALL           str(tool)  map(arguments)  opt(credentialId)
 *   CREDENTIAL_ISSUED   str(credentialId)  str(subjectAgentId)  list(scopes)  str(kind name)
 *                       optInt(ttlSeconds)  str(storage name)
 *   CREDENTIAL_REVOKED  str(credentialId)  opt(reason)
 *   APPROVAL_GRANTED    str(approvalId)  str(approver)  list(scopes)  int(ttlSeconds)
 *   SESSION_ENDED       (nothing)
 *
 * str(s)     = 'S' u32(byte length) UTF-8 bytes
 * opt(s)     = 'N' when null, else str(s)
 * int(i)     = 'I' u32(i)            optInt(i) = 'N' when null, else int(i)
 * list(xs)   = 'L' u32(count) str(x)*          (in order: lists compare in order)
 * map(m)     = 'M' u32(count) { str(key) str(value) }*   (keys sorted as UTF-8 bytes)
 * u32        = 4 bytes, big-endian
 * </pre>
 *
 * <p>Every variable-length part is tagged and length-prefixed, so two different contents never
 * encode alike; SHA-256 truncated to 128 bits keeps a forged collision out of reach (about 2^64
 * work for a generic collision, 2^128 to match one given event). Enums are hashed by their
 * contract name, not their state code. A change to this encoding must change the leading tag.
 *
 * <p>Not thread-safe: one per engine, which is single-threaded.
 */
final class StepFingerprint {

  /** Bytes kept of the SHA-256 digest. */
  static final int LENGTH = 16;

  private static final byte[] DOMAIN =
      "agent-auditor/step-content/1\0".getBytes(StandardCharsets.US_ASCII);

  /** Bytes gathered before one {@link MessageDigest#update}: a call per field costs more than the hash. */
  private static final int BUFFER = 8192;

  /**
   * Fields of at least this many characters are copied by the JDK's vectorised routines (to
   * characters, then to ISO 8859-1 bytes, then checked for ASCII eight bytes at a time); shorter
   * ones a character at a time, which costs less than the encoder's call.
   */
  static final int WIDE = 48;

  private final MessageDigest sha;
  private final byte[] buf = new byte[BUFFER];
  private final byte[] digest = new byte[32];
  private final char[] chars = new char[BUFFER];
  private final CharBuffer charView = CharBuffer.wrap(chars);
  private final ByteBuffer byteView = ByteBuffer.wrap(buf);
  private final CharsetEncoder latin1 = StandardCharsets.ISO_8859_1.newEncoder();
  /** A map's keys and values being sorted by key; emptied after each use. */
  private String[] keys = new String[16];
  private String[] values = new String[16];
  private int entryCount;
  /** Adds an argument to {@link #keys} in key order; made once (a method reference is an object). */
  private final BiConsumer<String, String> sortIn = this::sortIn;
  private int n;

  StepFingerprint() {
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The fingerprint of {@code step}'s content: {@value #LENGTH} bytes. */
  byte[] of(Step step) {
    sha.reset();
    n = 0;
    bytes(DOMAIN);
    str(step.type().name());
    str(step.eventId());
    str(step.sessionId());
    str(step.agentId());
    if (step instanceof Step.SessionStarted s) {
      str(s.initiator());
      list(s.grantedScopes());
      opt(s.intent());
    } else if (step instanceof Step.AgentDelegated d) {
      str(d.childAgentId());
      list(d.scopes());
      opt(d.purpose());
    } else if (step instanceof Step.ToolCall c) {
      str(c.tool());
      map(c.arguments());
      opt(c.credentialId());
    } else if (step instanceof Step.CredentialIssued i) {
      str(i.credentialId());
      str(i.subjectAgentId());
      list(i.scopes());
      str(i.kind().name());
      if (i.ttlSeconds() == null) {
        put('N');
      } else {
        integer(i.ttlSeconds());
      }
      str(i.storage().name());
    } else if (step instanceof Step.CredentialRevoked r) {
      str(r.credentialId());
      opt(r.reason());
    } else if (step instanceof Step.ApprovalGranted a) {
      str(a.approvalId());
      str(a.approver());
      list(a.scopes());
      integer(a.ttlSeconds());
    } else if (!(step instanceof Step.SessionEnded)) {
      throw new IllegalArgumentException("no fingerprint for " + step.type());
    }
    sha.update(buf, 0, n);
    try {
      sha.digest(digest, 0, digest.length);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
    }
    return Arrays.copyOf(digest, LENGTH);
  }

  /** Hands the gathered bytes to the digest when fewer than {@code room} are left. */
  private void room(int room) {
    if (BUFFER - n < room) {
      sha.update(buf, 0, n);
      n = 0;
    }
  }

  private void put(char tag) {
    room(1);
    buf[n++] = (byte) tag;
  }

  private void bytes(byte[] b) {
    if (b.length > BUFFER) {
      sha.update(buf, 0, n);
      n = 0;
      sha.update(b);
      return;
    }
    room(b.length);
    System.arraycopy(b, 0, buf, n, b.length);
    n += b.length;
  }

  private void u32(int v) {
    room(4);
    buf[n++] = (byte) (v >>> 24);
    buf[n++] = (byte) (v >>> 16);
    buf[n++] = (byte) (v >>> 8);
    buf[n++] = (byte) v;
  }

  private void str(String s) {
    int length = s.length();
    if (length <= BUFFER - 5) {
      // ASCII, nearly every field: its UTF-8 bytes are its characters, copied after room for the
      // tag and length, which are written once the copy found no other character.
      room(5 + length);
      if (asciiCopy(s, 0, length, n + 5)) {
        put('S');
        u32(length);
        n += length;
        return;
      }
    } else if (ascii(s)) {
      // ASCII longer than the buffer: copied a buffer at a time, without a byte array.
      put('S');
      u32(length);
      int from = 0;
      while (from < length) {
        room(Math.min(BUFFER, length - from));
        int to = Math.min(length, from + BUFFER - n);
        asciiCopy(s, from, to, n);
        n += to - from;
        from = to;
      }
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    put('S');
    u32(b.length);
    bytes(b);
  }

  /**
   * Whether {@code s}, longer than the buffer, is ASCII: checked a buffer's worth at a time in the
   * buffer's room past the bytes gathered, which are handed to the digest first.
   */
  private boolean ascii(String s) {
    room(BUFFER);
    for (int from = 0; from < s.length(); from += BUFFER) {
      if (!asciiCopy(s, from, Math.min(s.length(), from + BUFFER), 0)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies the characters {@code s[from, to)} (at most {@value #BUFFER}) into {@link #buf} at
   * {@code at}, a byte each; whether all were ASCII (when not, the bytes copied mean nothing).
   */
  private boolean asciiCopy(String s, int from, int to, int at) {
    int length = to - from;
    if (length < WIDE) {
      for (int k = from; k < to; k++) {
        char ch = s.charAt(k);
        if (ch >= 0x80) {
          return false;
        }
        buf[at++] = (byte) ch;
      }
      return true;
    }
    s.getChars(from, to, chars, 0);
    charView.limit(length).position(0);
    byteView.limit(at + length).position(at);
    latin1.reset();
    latin1.encode(charView, byteView, true);
    if (charView.hasRemaining()) {
      return false; // stopped at a character past ISO 8859-1, or a lone surrogate
    }
    // ISO 8859-1 bytes: ASCII when no byte has its high bit set.
    return Utf8.isAscii(buf, at, length);
  }

  private void opt(String s) {
    if (s == null) {
      put('N');
    } else {
      str(s);
    }
  }

  private void integer(int v) {
    put('I');
    u32(v);
  }

  private void list(List<String> xs) {
    put('L');
    u32(xs.size());
    for (int i = 0; i < xs.size(); i++) {
      str(xs.get(i));
    }
  }

  private void map(Map<String, String> m) {
    int size = m.size();
    if (keys.length < size) {
      keys = new String[Math.max(size, 2 * keys.length)];
      values = new String[keys.length];
    }
    // forEach, not entrySet(): an unmodifiable map's entry set makes an iterator and a wrapper
    // per entry.
    entryCount = 0;
    m.forEach(sortIn);
    put('M');
    u32(size);
    for (int i = 0; i < size; i++) {
      str(keys[i]);
      str(values[i]);
      keys[i] = null;
      values[i] = null;
    }
  }

  /** Inserts an argument by key: a tool call has a few (at most Limits.MAX_ARGUMENTS). */
  private void sortIn(String key, String value) {
    int at = entryCount++;
    while (at > 0 && Utf8.compare(keys[at - 1], key) > 0) {
      keys[at] = keys[at - 1];
      values[at] = values[at - 1];
      at--;
    }
    keys[at] = key;
    values[at] = value;
  }
}
