package io.agentauditor.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The schema evolution rule of {@code schemas/README.md}, as a check: every named type of a released
 * version that still exists must stay FULL compatible with the current one, that is
 *
 * <ul>
 *   <li><b>backward</b>: the current schema, as reader, resolves data written with the released one;
 *   <li><b>forward</b>: the released schema, as reader, resolves data written with the current one
 *       (an auditor or SIEM consumer not yet upgraded reads what an upgraded producer writes).
 * </ul>
 *
 * <p>Avro's resolution rules are weaker than ours where a reader default hides a loss, so two rules
 * of the README are checked on top of them:
 *
 * <ul>
 *   <li>an enum keeps every released symbol, in place (new symbols are appended): Avro would
 *       silently map a removed symbol to the reader's default. Its default stays, or moves to a
 *       symbol appended after the released ones (a sentinel the reader refuses, like {@code
 *       UNRECOGNIZED}): that changes only how a reader treats symbols it doesn't know, never how
 *       it reads a released symbol; moving it to another released symbol would change what a
 *       newer writer's symbols silently become;
 *   <li>a record keeps every released field, under its name or as an alias of a renamed field: Avro
 *       would silently fill a renamed field that has a default with that default.
 * </ul>
 *
 * <p>A released type that no longer exists at all is reported too: its records would be unreadable.
 *
 * <p>Key types ({@link #KEY_TYPES}) are frozen: once released, any change, compatible or not, its
 * {@code doc} included, is reported. A compacted topic keeps one record per key <em>bytes</em>, and
 * a changed schema registers under a new id, which the Confluent frame carries: the same key
 * would then be two keys, and compaction would keep a stale value beside the current one.
 */
final class CompatibilityCheck {

  /** The record types used as Kafka keys. */
  static final java.util.Set<String> KEY_TYPES = java.util.Set.of("io.agentauditor.schema.CredentialKey");

  private CompatibilityCheck() {}

  /** One broken pair: which type, which direction, and Avro's reasons. */
  record Violation(String version, String type, String direction, List<String> reasons) {
    @Override
    public String toString() {
      return version + " " + type + " (" + direction + "): " + String.join("; ", reasons);
    }
  }

  /** Every violation of {@code current} against the released set of {@code version}; empty when none. */
  static List<Violation> violations(String version, SchemaSet released, SchemaSet current) {
    List<Violation> out = new ArrayList<>();
    for (Map.Entry<String, Schema> old : released.types().entrySet()) {
      Schema now = current.types().get(old.getKey());
      if (now == null) {
        out.add(new Violation(version, old.getKey(), "removed", List.of("type no longer defined")));
        continue;
      }
      check(version, old.getKey(), "backward: current reads " + version, now, old.getValue(), out);
      check(version, old.getKey(), "forward: " + version + " reads current", old.getValue(), now, out);
      checkHouseRules(version, old.getKey(), old.getValue(), now, out);
    }
    return out;
  }

  private static void checkHouseRules(
      String version, String type, Schema old, Schema now, List<Violation> out) {
    List<String> reasons = new ArrayList<>();
    if (KEY_TYPES.contains(type) && !old.toString().equals(now.toString())) {
      reasons.add("key type changed: a key schema is frozen once released (compaction compares key bytes)");
    }
    if (old.getType() != now.getType()) {
      if (!reasons.isEmpty()) {
        out.add(new Violation(version, type, "house rules", reasons));
      }
      return; // Avro's own check already reports the type change
    }
    if (old.getType() == Schema.Type.ENUM) {
      List<String> before = old.getEnumSymbols();
      List<String> after = now.getEnumSymbols();
      if (after.size() < before.size() || !after.subList(0, before.size()).equals(before)) {
        reasons.add("enum symbols " + before + " must stay, in order, at the start of " + after);
      }
      boolean defaultKept = java.util.Objects.equals(old.getEnumDefault(), now.getEnumDefault());
      boolean toAppendedSentinel =
          old.getEnumDefault() != null && now.getEnumDefault() != null && !before.contains(now.getEnumDefault());
      if (!defaultKept && !toAppendedSentinel) {
        reasons.add("enum default changed from " + old.getEnumDefault() + " to " + now.getEnumDefault()
            + " (it may only move to a symbol appended after the released ones)");
      }
    } else if (old.getType() == Schema.Type.RECORD) {
      for (Schema.Field field : old.getFields()) {
        boolean kept = now.getFields().stream()
            .anyMatch(f -> f.name().equals(field.name()) || f.aliases().contains(field.name()));
        if (!kept) {
          reasons.add("field " + field.name() + " removed or renamed without an alias");
        }
      }
    }
    if (!reasons.isEmpty()) {
      out.add(new Violation(version, type, "house rules", reasons));
    }
  }

  private static void check(
      String version, String type, String direction, Schema reader, Schema writer, List<Violation> out) {
    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
      List<String> reasons = new ArrayList<>();
      for (Incompatibility i : result.getResult().getIncompatibilities()) {
        reasons.add(i.getType() + " at " + i.getLocation() + ": " + i.getMessage());
      }
      out.add(new Violation(version, type, direction, reasons));
    }
  }
}
