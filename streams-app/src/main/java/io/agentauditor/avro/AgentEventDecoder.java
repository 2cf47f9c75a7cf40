package io.agentauditor.avro;

import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.InvalidStepException;
import io.agentauditor.model.Step;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.EventType;
import io.agentauditor.text.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificData;

/**
 * Reads the Avro binary encoding of an {@link AgentEvent} written with exactly the schema of the
 * generated class ({@link AgentEvent#getClassSchema()}) straight into the engine's {@link Step},
 * without building the {@code AgentEvent} first. It is the fast path of the events topic's
 * decoder, not a second definition of what a valid event is: it takes only what it is sure of and
 * declines (returns null) the rest, and the general path (Avro's resolving reader, then {@link
 * EventMapper#toStep}) decides those, refusal reasons included.
 *
 * <p>Contract: when {@link #decode} returns a step, Avro's reader (with the strict UTF-8 check of
 * {@code io.agentauditor.serde.StrictUtf8Decoder}) decodes the same bytes into an event {@code e},
 * with no bytes left over, and {@code EventMapper.toStep(e)} returns an equal step, whose
 * arguments iterate in the same order. It declines bytes that end early or go on after the
 * record, a number that is not in its shortest varint form or does not fit its type, a negative
 * length, a negative item count (Avro's block form with byte sizes, which no encoder of this
 * project writes), a count larger than the bytes left, an enum or union index out of range, a string that is not well-formed UTF-8, a type
 * or enum value {@code UNRECOGNIZED}, a payload of another type or a missing one, and every event
 * a {@link Step} constructor refuses. So it can only agree with the general path or leave the
 * answer to it. Stateless and thread-safe.
 */
public final class AgentEventDecoder {

  /** The specific data Avro's readers of {@link AgentEvent} use. */
  private static final SpecificData SPECIFIC = SpecificData.getForClass(AgentEvent.class);
  private static final EventType[] TYPES = EventType.values();
  private static final io.agentauditor.schema.CredentialKind[] KINDS =
      io.agentauditor.schema.CredentialKind.values();
  private static final io.agentauditor.schema.CredentialStorage[] STORAGES =
      io.agentauditor.schema.CredentialStorage.values();

  /** Thrown to decline: no stack trace, since declined input is handed on, not reported. */
  private static final class Declined extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Declined() {
      super("declined", null, false, false);
    }
  }

  private static final Declined DECLINED = new Declined();

  private AgentEventDecoder() {}

  /**
   * The step encoded in {@code data[offset, offset + length)}, the Avro binary encoding of an
   * {@link AgentEvent} in the class's own schema (the bytes after a registry header); null when
   * this decoder declines them (see the class comment), never an exception for bad input.
   *
   * @throws IndexOutOfBoundsException when the range is not within {@code data}
   */
  public static Step decode(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, data.length);
    try {
      return new Cursor(data, offset, offset + length).event();
    } catch (Declined | InvalidStepException e) {
      return null;
    }
  }

  /** A position in the bytes of one record, read field by field in the schema's order. */
  private static final class Cursor {
    private final byte[] buf;
    private final int end;
    private int pos;

    Cursor(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    Step event() {
      String eventId = string();
      String sessionId = string();
      String agentId = string();
      long occurredAt = varLong();
      if (occurredAt < Step.MIN_OCCURRED_AT || occurredAt > Step.MAX_OCCURRED_AT) {
        throw DECLINED; // the general path refuses an Instant out of the model's range
      }
      EventType type = TYPES[index(TYPES.length)];
      if (type == EventType.UNRECOGNIZED) {
        throw DECLINED;
      }
      int payload = type.ordinal(); // the payload unions follow in EventType's order
      for (int i = 0; i < payload && i < 6; i++) {
        absent();
      }
      Step step =
          switch (type) {
            case SESSION_STARTED -> {
              present();
              String initiator = string();
              List<String> scopes = strings();
              String intent = optionalString();
              trailingAbsent(payload);
              yield new Step.SessionStarted(
                  eventId, sessionId, agentId, occurredAt, initiator, scopes, intent);
            }
            case AGENT_DELEGATED -> {
              present();
              String child = string();
              List<String> scopes = strings();
              String purpose = optionalString();
              trailingAbsent(payload);
              yield new Step.AgentDelegated(
                  eventId, sessionId, agentId, occurredAt, child, scopes, purpose);
            }
            case TOOL_CALL -> {
              present();
              String tool = string();
              Map<String, String> arguments = arguments();
              String credentialId = optionalString();
              trailingAbsent(payload);
              yield new Step.ToolCall(
                  eventId, sessionId, agentId, occurredAt, tool, arguments, credentialId);
            }
            case CREDENTIAL_ISSUED -> {
              present();
              String credentialId = string();
              String subject = string();
              List<String> scopes = strings();
              io.agentauditor.schema.CredentialKind kind = KINDS[index(KINDS.length)];
              Integer ttl = unionIndex() == 0 ? null : varInt();
              io.agentauditor.schema.CredentialStorage storage = STORAGES[index(STORAGES.length)];
              if (kind == io.agentauditor.schema.CredentialKind.UNRECOGNIZED
                  || storage == io.agentauditor.schema.CredentialStorage.UNRECOGNIZED) {
                throw DECLINED;
              }
              trailingAbsent(payload);
              yield new Step.CredentialIssued(
                  eventId, sessionId, agentId, occurredAt, credentialId, subject, scopes,
                  Symbols.map(kind, CredentialKind.class), ttl,
                  Symbols.map(storage, CredentialStorage.class));
            }
            case CREDENTIAL_REVOKED -> {
              present();
              String credentialId = string();
              String reason = optionalString();
              trailingAbsent(payload);
              yield new Step.CredentialRevoked(
                  eventId, sessionId, agentId, occurredAt, credentialId, reason);
            }
            case APPROVAL_GRANTED -> {
              present();
              String approvalId = string();
              String approver = string();
              List<String> scopes = strings();
              int ttl = varInt();
              trailingAbsent(payload);
              yield new Step.ApprovalGranted(
                  eventId, sessionId, agentId, occurredAt, approvalId, approver, scopes, ttl);
            }
            case SESSION_ENDED -> {
              trailingAbsent(payload - 1);
              yield new Step.SessionEnded(eventId, sessionId, agentId, occurredAt);
            }
            default -> throw DECLINED;
          };
      if (pos != end) {
        throw DECLINED;
      }
      return step;
    }

    /** The payload unions after the one of ordinal {@code payload}: all must be null. */
    private void trailingAbsent(int payload) {
      for (int i = payload + 1; i < 6; i++) {
        absent();
      }
    }

    private void absent() {
      if (unionIndex() != 0) {
        throw DECLINED; // a payload of another type
      }
    }

    private void present() {
      if (unionIndex() != 1) {
        throw DECLINED; // the type's payload is missing
      }
    }

    /** The branch of a {@code ["null", T]} union. */
    private int unionIndex() {
      return index(2);
    }

    private int index(int count) {
      int i = varInt();
      if (i < 0 || i >= count) {
        throw DECLINED;
      }
      return i;
    }

    private String optionalString() {
      return unionIndex() == 0 ? null : string();
    }

    private String string() {
      long length = varLong();
      if (length < 0 || length > end - pos) {
        throw DECLINED;
      }
      int n = (int) length;
      if (Utf8.firstInvalid(buf, pos, n, false) >= 0) {
        throw DECLINED;
      }
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    private List<String> strings() {
      long count = itemCount();
      List<String> list = new ArrayList<>((int) Math.min(count, 16));
      while (count > 0) {
        for (long i = 0; i < count; i++) {
          list.add(string());
        }
        count = itemCount();
      }
      return list;
    }

    /**
     * The map as Avro's reader builds it, so that it iterates in the same order (the step keeps
     * that order): a {@link HashMap} filled in encoding order, of the default size when the
     * specific data's fast reader is on (Avro's default), else sized by the first block's count.
     */
    private Map<String, String> arguments() {
      long count = itemCount();
      Map<String, String> map =
          SPECIFIC.isFastReaderEnabled() ? new HashMap<>() : new HashMap<>((int) count);
      while (count > 0) {
        for (long i = 0; i < count; i++) {
          String key = string();
          map.put(key, string());
        }
        count = itemCount();
      }
      return map;
    }

    /** A block's item count: each item takes a byte at least, so a larger count is declined. */
    private long itemCount() {
      long count = varLong();
      if (count < 0 || count > end - pos) {
        throw DECLINED;
      }
      return count;
    }

    /** A zigzag varint of at most 5 bytes, in its shortest form, that fits in an int. */
    private int varInt() {
      long n = unsignedVarint(5);
      if (n > 0xFFFF_FFFFL) {
        throw DECLINED;
      }
      return (int) ((n >>> 1) ^ -(n & 1));
    }

    /** A zigzag varint of at most 10 bytes, in its shortest form, that fits in a long. */
    private long varLong() {
      long n = unsignedVarint(10);
      return (n >>> 1) ^ -(n & 1);
    }

    /**
     * The value of a varint of at most {@code maxBytes} bytes, whose last byte is not zero (but
     * for the number 0) and whose bits fit in 64.
     */
    private long unsignedVarint(int maxBytes) {
      long n = 0;
      for (int i = 0, shift = 0; i < maxBytes && pos < end; i++, shift += 7) {
        int b = buf[pos++] & 0xff;
        n |= (long) (b & 0x7f) << shift;
        if (b < 0x80) {
          if (b == 0 && i > 0 || i == 9 && b > 1) {
            throw DECLINED;
          }
          return n;
        }
      }
      throw DECLINED;
    }
  }
}
