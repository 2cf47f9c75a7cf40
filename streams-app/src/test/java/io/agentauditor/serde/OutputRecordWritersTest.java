package io.agentauditor.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialState;
import io.agentauditor.schema.CredentialStatus;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.EventType;
import io.agentauditor.schema.Finding;
import io.agentauditor.schema.RuleMode;
import io.agentauditor.schema.Severity;
import io.agentauditor.schema.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The field-by-field writers of the decisions and credentials records write what Avro's own
 * writer writes, byte for byte, for any record; a schema of another shape falls back to Avro's.
 */
class OutputRecordWritersTest {

  @Property(tries = 500)
  void shouldWriteADecisionAsAvrosWriterDoes(@ForAll("decisions") Decision decision)
      throws IOException {
    assertSameBytes(Decision.class, decision);
  }

  @Property(tries = 500)
  void shouldWriteACredentialStateAsAvrosWriterDoes(
      @ForAll("credentials") CredentialState credential) throws IOException {
    assertSameBytes(CredentialState.class, credential);
  }

  @Test
  void shouldUseTheDirectWritersForTheSchemasTheyWereWrittenFor() {
    assertThat(writerOf(Decision.class, Decision.getClassSchema()))
        .isNotInstanceOf(SpecificDatumWriter.class);
    assertThat(writerOf(CredentialState.class, CredentialState.getClassSchema()))
        .isNotInstanceOf(SpecificDatumWriter.class);
  }

  @Test
  void shouldFallBackToAvrosWriterWhenTheSchemaHasAnotherShape() {
    // Given the decision's schema with one field more
    Schema widened =
        SchemaBuilder.record("Decision")
            .namespace("io.agentauditor.schema")
            .fields()
            .requiredString("eventId")
            .requiredString("extra")
            .endRecord();

    // When / Then
    assertThat(writerOf(Decision.class, widened)).isInstanceOf(SpecificDatumWriter.class);
  }

  private static <T> DatumWriter<T> writerOf(Class<T> type, Schema schema) {
    return OutputRecordWriters.of(type, schema, SpecificData.getForClass(type));
  }

  private static <T extends SpecificRecord> void assertSameBytes(Class<T> type, T record)
      throws IOException {
    SpecificData data = SpecificData.getForClass(type);
    Schema schema = data.getSchema(type);
    assertThat(encode(OutputRecordWriters.of(type, schema, data), record))
        .as("%s", record)
        .isEqualTo(encode(new SpecificDatumWriter<>(schema, data), record));
  }

  private static <T> byte[] encode(DatumWriter<T> writer, T record) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
    writer.write(record, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }

  @Provide
  Arbitrary<Decision> decisions() {
    Arbitrary<Finding> findings =
        Combinators.combine(
                texts(),
                Arbitraries.of(Verdict.class),
                Arbitraries.of(RuleMode.class),
                Arbitraries.of(Severity.class),
                texts(),
                texts().list().ofMaxSize(3),
                texts().injectNull(0.5))
            .as(Finding::new);
    return Combinators.combine(
            texts(),
            texts(),
            texts(),
            Arbitraries.of(EventType.class),
            instants(),
            Arbitraries.of(Verdict.class),
            findings.list().ofMaxSize(4),
            Combinators.combine(texts(), texts().list().ofMaxSize(4)).as(Tail::new))
        .as(
            (eventId, sessionId, agentId, type, occurredAt, verdict, found, tail) ->
                new Decision(
                    eventId,
                    sessionId,
                    agentId,
                    type,
                    occurredAt,
                    verdict,
                    found,
                    tail.text(),
                    tail.texts()));
  }

  @Provide
  Arbitrary<CredentialState> credentials() {
    Arbitrary<CredentialState> first =
        Combinators.combine(
                texts(),
                texts(),
                texts(),
                texts(),
                texts().list().ofMaxSize(4),
                Arbitraries.of(CredentialKind.class),
                Arbitraries.of(CredentialStorage.class),
                Arbitraries.of(CredentialStatus.class))
            .as(
                (credentialId, sessionId, issuer, subject, scopes, kind, storage, status) -> {
                  CredentialState c = new CredentialState();
                  c.setCredentialId(credentialId);
                  c.setSessionId(sessionId);
                  c.setIssuerAgentId(issuer);
                  c.setSubjectAgentId(subject);
                  c.setScopes(scopes);
                  c.setKind(kind);
                  c.setStorage(storage);
                  c.setStatus(status);
                  return c;
                });
    return Combinators.combine(
            first,
            instants(),
            instants().injectNull(0.5),
            instants().injectNull(0.5),
            texts().injectNull(0.5),
            instants().injectNull(0.5),
            Arbitraries.longs(),
            Combinators.combine(instants(), texts()).as(Last::new))
        .as(
            (c, issuedAt, expiresAt, revokedAt, revokedBy, lastUsedAt, useCount, last) -> {
              c.setIssuedAt(issuedAt);
              c.setExpiresAt(expiresAt);
              c.setRevokedAt(revokedAt);
              c.setRevokedBy(revokedBy);
              c.setLastUsedAt(lastUsedAt);
              c.setUseCount(useCount);
              c.setLastEventAt(last.at());
              c.setPolicy(last.policy());
              return c;
            });
  }

  /** The decision's last two fields (combinations take eight values at most). */
  private record Tail(String text, List<String> texts) {}

  /** The credential's last two fields. */
  private record Last(Instant at, String policy) {}

  /** Any text, non-ASCII and surrogate pairs included. */
  private static Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20),
        Arbitraries.strings().all().ofMaxLength(8),
        Arbitraries.of("", "s-1", "na\u00efve \u00e9t\u00e9", "\ud83d\ude00 emoji"));
  }

  /** Instants before and after 1970, at millisecond and finer precision. */
  private static Arbitrary<Instant> instants() {
    return Combinators.combine(
            Arbitraries.longs().between(-10_000_000_000L, 10_000_000_000L),
            Arbitraries.integers().between(0, 999_999_999))
        .as(Instant::ofEpochSecond);
  }
}
