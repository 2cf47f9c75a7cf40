package io.agentauditor.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every current schema against every released version under {@code src/test/resources/released/}
 * (the rule is in {@code schemas/README.md}). Runs from the module directory, as surefire does.
 */
class SchemaCompatibilityTest {

  private static final Path CURRENT = Path.of("src/main/avro");
  private static final Path RELEASED = Path.of("src/test/resources/released");

  @TestFactory
  Stream<DynamicTest> currentSchemasShouldBeFullCompatibleWithEveryReleasedVersion() throws IOException {
    // Given
    SchemaSet current = SchemaSet.load(CURRENT);
    List<Path> versions = releasedVersions();
    assertThat(versions).as("released versions under %s", RELEASED).isNotEmpty();

    // When / Then: one test per released version, naming every broken type
    return versions.stream()
        .map(dir -> DynamicTest.dynamicTest(
            "current schemas are compatible with released " + dir.getFileName(),
            () -> assertThat(CompatibilityCheck.violations(
                    dir.getFileName().toString(), SchemaSet.load(dir), current))
                .as("incompatibilities with %s", dir)
                .isEmpty()));
  }

  @Test
  void shouldLoadEveryNamedTypeOfTheCurrentModel() {
    // When
    SchemaSet current = SchemaSet.load(CURRENT);

    // Then: a loader that silently skipped files would make the compatibility test vacuous
    assertThat(current.types().keySet())
        .contains(
            "io.agentauditor.schema.AgentEvent",
            "io.agentauditor.schema.Decision",
            "io.agentauditor.schema.CredentialState",
            "io.agentauditor.schema.CredentialKey",
            "io.agentauditor.schema.ToolCall",
            "io.agentauditor.schema.EventType",
            "io.agentauditor.schema.Verdict")
        .hasSize(18);
  }

  @Test
  void shouldKeyTheCredentialLedgerByTheSessionAndCredentialIdsAsARecordOfTwoStrings() {
    // Given
    Schema key = SchemaSet.load(CURRENT).types().get("io.agentauditor.schema.CredentialKey");

    // When
    List<String> fields = key.getFields().stream().map(f -> f.name() + ":" + f.schema().getType()).toList();

    // Then: contract 9.5, both ids required, no defaults, nothing else
    assertThat(key.getType()).isEqualTo(Schema.Type.RECORD);
    assertThat(fields).containsExactly("sessionId:STRING", "credentialId:STRING");
    assertThat(key.getFields()).noneMatch(Schema.Field::hasDefaultValue);
    assertThat(CompatibilityCheck.KEY_TYPES).contains(key.getFullName());
  }

  @Test
  void shouldEncodePairsThatAJoinedStringWouldConfuseAsDifferentKeys() throws IOException {
    // Given: ("a:b", "c") and ("a", "b:c") would both be "a:b:c" joined with ':'
    Schema key = SchemaSet.load(CURRENT).types().get("io.agentauditor.schema.CredentialKey");

    // When
    byte[] first = encode(key, "a:b", "c");
    byte[] second = encode(key, "a", "b:c");

    // Then
    assertThat(first).isNotEqualTo(second);
    assertThat(encode(key, "a:b", "c")).isEqualTo(first);
  }

  @Test
  void shouldReportAnyChangeOfAReleasedKeyTypeEvenACompatibleOne() {
    // Given: a release that holds the current key, and a current key whose only change is a doc
    SchemaSet current = SchemaSet.load(CURRENT);
    Schema key = current.types().get("io.agentauditor.schema.CredentialKey");
    SchemaSet released = SchemaSet.load(RELEASED.resolve("0.1.0")).with(key);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : key.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    Schema redocumented = Schema.createRecord(key.getName(), "another doc", key.getNamespace(), false, fields);

    // When
    List<CompatibilityCheck.Violation> same = CompatibilityCheck.violations("0.1.0+key", released, current);
    List<CompatibilityCheck.Violation> changed =
        CompatibilityCheck.violations("0.1.0+key", released, current.with(redocumented));

    // Then
    assertThat(same).isEmpty();
    assertThat(changed)
        .singleElement()
        .satisfies(v -> {
          assertThat(v.type()).isEqualTo("io.agentauditor.schema.CredentialKey");
          assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("key type changed"));
        });
  }

  private static byte[] encode(Schema key, String sessionId, String credentialId) throws IOException {
    org.apache.avro.generic.GenericRecord r = new org.apache.avro.generic.GenericData.Record(key);
    r.put("sessionId", sessionId);
    r.put("credentialId", credentialId);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(key).write(r, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @Test
  void shouldReportANewFieldWithoutDefault() {
    // Given: the baseline, and a current model whose ToolCall gained a required field
    SchemaSet released = SchemaSet.load(RELEASED.resolve("0.1.0"));
    Schema toolCall = released.types().get("io.agentauditor.schema.ToolCall");
    SchemaSet broken = released.with(withExtraField(toolCall, "sink", Schema.create(Schema.Type.STRING), null));

    // When
    List<CompatibilityCheck.Violation> violations = CompatibilityCheck.violations("0.1.0", released, broken);

    // Then: the current reader cannot fill the field from old data (backward); old readers are fine
    assertThat(violations)
        .singleElement()
        .satisfies(v -> {
          assertThat(v.type()).isEqualTo("io.agentauditor.schema.ToolCall");
          assertThat(v.direction()).startsWith("backward");
          assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("sink"));
        });
  }

  @Test
  void shouldAcceptANewFieldWithDefault() {
    // Given
    SchemaSet released = SchemaSet.load(RELEASED.resolve("0.1.0"));
    Schema toolCall = released.types().get("io.agentauditor.schema.ToolCall");
    Schema optional = SchemaBuilder.unionOf().nullType().and().stringType().endUnion();
    SchemaSet evolved = released.with(withExtraField(toolCall, "sink", optional, Schema.Field.NULL_DEFAULT_VALUE));

    // When / Then
    assertThat(CompatibilityCheck.violations("0.1.0", released, evolved)).isEmpty();
  }

  @Test
  void shouldReportAnEnumSymbolAddedToAnEnumWithoutDefault() {
    // Given: Verdict deliberately has no default, so a new verdict breaks old readers
    SchemaSet released = SchemaSet.load(RELEASED.resolve("0.1.0"));
    Schema verdict = released.types().get("io.agentauditor.schema.Verdict");
    List<String> symbols = new ArrayList<>(verdict.getEnumSymbols());
    symbols.add("QUARANTINE");
    Schema widened = Schema.createEnum(verdict.getName(), verdict.getDoc(), verdict.getNamespace(), symbols);

    // When
    List<CompatibilityCheck.Violation> violations = CompatibilityCheck.violations("0.1.0", released, released.with(widened));

    // Then
    assertThat(violations)
        .anySatisfy(v -> {
          assertThat(v.type()).isEqualTo("io.agentauditor.schema.Verdict");
          assertThat(v.direction()).startsWith("forward");
          assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("MISSING_ENUM_SYMBOLS"));
        });
  }

  @Test
  void shouldReportAnEnumDefaultMovedToAReleasedSymbolButAcceptOneMovedToAnAppendedSentinel() {
    // Given CredentialKind of 0.1.0 (default UNRECOGNIZED), its default moved to a released symbol,
    // and CredentialStorage of 0.1.0 (default UNKNOWN), its default moved to an appended symbol
    SchemaSet released = SchemaSet.load(RELEASED.resolve("0.1.0"));
    Schema kind = released.types().get("io.agentauditor.schema.CredentialKind");
    Schema kindToReleased = Schema.createEnum(
        kind.getName(), kind.getDoc(), kind.getNamespace(), kind.getEnumSymbols(), "API_KEY");
    Schema storage = released.types().get("io.agentauditor.schema.CredentialStorage");
    List<String> symbols = new ArrayList<>(storage.getEnumSymbols());
    symbols.add("SENTINEL");
    Schema storageToSentinel = Schema.createEnum(
        storage.getName(), storage.getDoc(), storage.getNamespace(), symbols, "SENTINEL");

    // When
    List<CompatibilityCheck.Violation> violations = CompatibilityCheck.violations(
        "0.1.0", released, released.with(kindToReleased).with(storageToSentinel));

    // Then
    assertThat(violations)
        .singleElement()
        .satisfies(v -> {
          assertThat(v.type()).isEqualTo("io.agentauditor.schema.CredentialKind");
          assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("enum default changed"));
        });
  }

  @Test
  void shouldReportARemovedEnumSymbolAndARemovedType() {
    // Given
    SchemaSet released = SchemaSet.load(RELEASED.resolve("0.1.0"));
    Schema storage = released.types().get("io.agentauditor.schema.CredentialStorage");
    List<String> symbols = new ArrayList<>(storage.getEnumSymbols());
    symbols.remove("ENV");
    Schema narrowed = Schema.createEnum(
        storage.getName(), storage.getDoc(), storage.getNamespace(), symbols, storage.getEnumDefault());

    // When
    List<CompatibilityCheck.Violation> violations =
        CompatibilityCheck.violations("0.1.0", released.with(Schema.createEnum(
            "Retired", null, "io.agentauditor.schema", List.of("A"))), released.with(narrowed));

    // Then: Avro alone accepts the removed symbol (ENV would silently read as the default UNKNOWN);
    // the house rule reports it
    assertThat(violations).extracting(CompatibilityCheck.Violation::type)
        .contains("io.agentauditor.schema.Retired");
    assertThat(violations)
        .filteredOn(v -> v.type().endsWith("CredentialStorage"))
        .singleElement()
        .satisfies(v -> assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("ENV")));
  }

  @Test
  void shouldReportAFieldRenamedWithoutAlias() {
    // Given: Finding.message renamed to text, with a default so that Avro alone would accept it
    SchemaSet released = SchemaSet.load(RELEASED.resolve("0.1.0"));
    Schema finding = released.types().get("io.agentauditor.schema.Finding");
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : finding.getFields()) {
      fields.add(f.name().equals("message")
          ? new Schema.Field("text", f.schema(), f.doc(), "")
          : new Schema.Field(f, f.schema()));
    }
    Schema renamed = Schema.createRecord(finding.getName(), finding.getDoc(), finding.getNamespace(), false, fields);

    // When
    List<CompatibilityCheck.Violation> violations =
        CompatibilityCheck.violations("0.1.0", released, released.with(renamed));

    // Then
    assertThat(violations)
        .anySatisfy(v -> {
          assertThat(v.type()).isEqualTo("io.agentauditor.schema.Finding");
          assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("field message removed or renamed"));
        });
  }

  @Test
  void shouldAcceptARenameWithAliasBackwardButReportItForwardWhenTheOldFieldHadNoDefault() {
    // Given
    SchemaSet released = SchemaSet.load(RELEASED.resolve("0.1.0"));
    Schema finding = released.types().get("io.agentauditor.schema.Finding");
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : finding.getFields()) {
      Schema.Field copy = f.name().equals("message")
          ? new Schema.Field("text", f.schema(), f.doc(), "")
          : new Schema.Field(f, f.schema());
      if (f.name().equals("message")) {
        copy.addAlias("message");
      }
      fields.add(copy);
    }
    Schema renamed = Schema.createRecord(finding.getName(), finding.getDoc(), finding.getNamespace(), false, fields);

    // When
    List<CompatibilityCheck.Violation> violations =
        CompatibilityCheck.violations("0.1.0", released, released.with(renamed));

    // Then: the alias lets the current reader find the old field, but a 0.1.0 reader knows no alias
    // and message had no default there, so new data is unreadable to it: a rename of a required
    // field is not a FULL-compatible change
    assertThat(violations)
        .filteredOn(v -> v.type().endsWith("Finding"))
        .singleElement()
        .satisfies(v -> {
          assertThat(v.direction()).startsWith("forward");
          assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
        });
  }

  private static List<Path> releasedVersions() throws IOException {
    try (Stream<Path> dirs = Files.list(RELEASED)) {
      return dirs.filter(Files::isDirectory).sorted().toList();
    }
  }

  private static Schema withExtraField(Schema record, String name, Schema type, Object defaultValue) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : record.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field(name, type, null, defaultValue));
    return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }
}
