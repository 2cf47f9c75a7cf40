package io.agentauditor.serde;

import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.Finding;
import java.io.IOException;
import java.time.Instant;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writers of the two records the topology writes on every step, field by field, in place of
 * {@link SpecificDatumWriter}: {@code Decision} and {@code CredentialState} have timestamp fields,
 * so Avro generates no custom coder for them, and its generic path (a schema walk, a field lookup
 * and a logical-type conversion per field) was most of their encoding cost. The bytes are the
 * same as Avro's writer gives ({@code OutputRecordWritersTest} compares them on generated records):
 * each field in schema order, enums by ordinal, timestamps as epoch milliseconds, unions as the
 * branch index then the value, arrays as one block and its end. A nested {@code Finding} has
 * Avro's generated coder and writes itself.
 *
 * <p>Each writer names the schema it was written for ({@link #shape(Schema)}); a class whose
 * schema has another shape (a field added, moved or retyped) gets Avro's writer instead, with a
 * warning, so a schema change can cost speed but never corrupt records.
 */
final class OutputRecordWriters {

  private static final Logger LOGGER = LoggerFactory.getLogger(OutputRecordWriters.class);

  static final String DECISION_SHAPE =
      "eventId:string,sessionId:string,agentId:string,type:io.agentauditor.schema.EventType,"
          + "occurredAt:long/timestamp-millis,verdict:io.agentauditor.schema.Verdict,"
          + "findings:array<io.agentauditor.schema.Finding>,policy:string,path:array<string>";

  static final String CREDENTIAL_STATE_SHAPE =
      "credentialId:string,sessionId:string,issuerAgentId:string,subjectAgentId:string,"
          + "scopes:array<string>,kind:io.agentauditor.schema.CredentialKind,"
          + "storage:io.agentauditor.schema.CredentialStorage,"
          + "status:io.agentauditor.schema.CredentialStatus,issuedAt:long/timestamp-millis,"
          + "expiresAt:[null|long/timestamp-millis],revokedAt:[null|long/timestamp-millis],"
          + "revokedBy:[null|string],lastUsedAt:[null|long/timestamp-millis],useCount:long,"
          + "lastEventAt:long/timestamp-millis,policy:string";

  private OutputRecordWriters() {}

  /**
   * The writer of {@code type}'s records: the field-by-field one when there is one for it and its
   * schema still has the shape it was written for, else Avro's.
   */
  @SuppressWarnings("unchecked")
  static <T> DatumWriter<T> of(Class<T> type, Schema schema, SpecificData data) {
    if (type == Decision.class && fits(type, schema, DECISION_SHAPE)) {
      return (DatumWriter<T>) new DecisionWriter();
    }
    if (type == CredentialState.class && fits(type, schema, CREDENTIAL_STATE_SHAPE)) {
      return (DatumWriter<T>) new CredentialStateWriter();
    }
    return new SpecificDatumWriter<>(schema, data);
  }

  private static boolean fits(Class<?> type, Schema schema, String shape) {
    String actual = shape(schema);
    if (actual.equals(shape)) {
      return true;
    }
    LOGGER.warn(
        "The schema of {} has changed shape ({}; the direct writer knows {}): written by Avro's"
            + " generic writer",
        type.getName(),
        actual,
        shape);
    return false;
  }

  /** A record schema's fields, in order, with what decides their encoding. */
  static String shape(Schema record) {
    return record.getFields().stream()
        .map(f -> f.name() + ":" + type(f.schema()))
        .collect(Collectors.joining(","));
  }

  private static String type(Schema s) {
    return switch (s.getType()) {
      case UNION -> s.getTypes().stream()
          .map(OutputRecordWriters::type)
          .collect(Collectors.joining("|", "[", "]"));
      case ARRAY -> "array<" + type(s.getElementType()) + ">";
      case MAP -> "map<" + type(s.getValueType()) + ">";
      case RECORD, ENUM, FIXED -> s.getFullName();
      default -> {
        LogicalType logical = s.getLogicalType();
        yield s.getName() + (logical == null ? "" : "/" + logical.getName());
      }
    };
  }

  /** Writes one array item. */
  @FunctionalInterface
  private interface ItemWriter<E> {
    void write(E item, Encoder out) throws IOException;
  }

  /** An array as Avro's writer writes it: one block of all the items, then the end. */
  private static <E> void writeArray(List<E> items, Encoder out, ItemWriter<E> item)
      throws IOException {
    int size = items.size();
    out.writeArrayStart();
    out.setItemCount(size);
    int written = 0;
    for (E e : items) {
      out.startItem();
      item.write(e, out);
      written++;
    }
    out.writeArrayEnd();
    if (written != size) {
      throw new ConcurrentModificationException(
          "array of " + size + " items had " + written + " when written");
    }
  }

  private static void writeString(String value, Encoder out) throws IOException {
    out.writeString(value);
  }

  private static void writeFinding(Finding finding, Encoder out) throws IOException {
    finding.customEncode(out);
  }

  private static void writeOptional(Instant value, Encoder out) throws IOException {
    if (value == null) {
      out.writeIndex(0);
      out.writeNull();
    } else {
      out.writeIndex(1);
      out.writeLong(value.toEpochMilli());
    }
  }

  private abstract static class Direct<T> implements DatumWriter<T> {
    @Override
    public void setSchema(Schema schema) {
      throw new UnsupportedOperationException("written for the class's own schema only");
    }
  }

  /** {@code Decision} in the field order of {@link #DECISION_SHAPE}. */
  private static final class DecisionWriter extends Direct<Decision> {
    @Override
    public void write(Decision d, Encoder out) throws IOException {
      out.writeString(d.getEventId());
      out.writeString(d.getSessionId());
      out.writeString(d.getAgentId());
      out.writeEnum(d.getType().ordinal());
      out.writeLong(d.getOccurredAt().toEpochMilli());
      out.writeEnum(d.getVerdict().ordinal());
      writeArray(d.getFindings(), out, OutputRecordWriters::writeFinding);
      out.writeString(d.getPolicy());
      writeArray(d.getPath(), out, OutputRecordWriters::writeString);
    }
  }

  /** {@code CredentialState} in the field order of {@link #CREDENTIAL_STATE_SHAPE}. */
  private static final class CredentialStateWriter extends Direct<CredentialState> {
    @Override
    public void write(CredentialState c, Encoder out) throws IOException {
      out.writeString(c.getCredentialId());
      out.writeString(c.getSessionId());
      out.writeString(c.getIssuerAgentId());
      out.writeString(c.getSubjectAgentId());
      writeArray(c.getScopes(), out, OutputRecordWriters::writeString);
      out.writeEnum(c.getKind().ordinal());
      out.writeEnum(c.getStorage().ordinal());
      out.writeEnum(c.getStatus().ordinal());
      out.writeLong(c.getIssuedAt().toEpochMilli());
      writeOptional(c.getExpiresAt(), out);
      writeOptional(c.getRevokedAt(), out);
      if (c.getRevokedBy() == null) {
        out.writeIndex(0);
        out.writeNull();
      } else {
        out.writeIndex(1);
        out.writeString(c.getRevokedBy());
      }
      writeOptional(c.getLastUsedAt(), out);
      out.writeLong(c.getUseCount());
      out.writeLong(c.getLastEventAt().toEpochMilli());
      out.writeString(c.getPolicy());
    }
  }
}
