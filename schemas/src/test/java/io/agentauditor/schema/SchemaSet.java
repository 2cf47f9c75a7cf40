package io.agentauditor.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Every named Avro type defined by the {@code .avsc} files under one directory, by full name.
 *
 * <p>Files reference types of other files by name (as the avro-maven-plugin's {@code imports} allow),
 * so files are parsed into one shared parser, retrying those that name a type not defined yet until
 * no file makes progress. Immutable once loaded.
 */
final class SchemaSet {

  private final Path root;
  private final Map<String, Schema> types;

  private SchemaSet(Path root, Map<String, Schema> types) {
    this.root = root;
    this.types = Collections.unmodifiableMap(types);
  }

  /**
   * Loads every {@code *.avsc} file under {@code root}.
   *
   * @throws IllegalStateException when a file cannot be parsed even after every other file was
   *     (a syntax error or a reference to a type no file defines); the message names the file
   */
  static SchemaSet load(Path root) {
    List<Path> pending = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(p -> p.toString().endsWith(".avsc")).sorted().forEach(pending::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (pending.isEmpty()) {
      throw new IllegalStateException("no .avsc file under " + root);
    }
    Map<String, Schema> known = new TreeMap<>();
    while (!pending.isEmpty()) {
      List<Path> failed = new ArrayList<>();
      Map<Path, String> errors = new TreeMap<>();
      for (Path file : pending) {
        try {
          // A fresh parser per attempt, seeded with what is known: a failed parse must not leave
          // half-defined names behind in a shared parser.
          Schema.Parser parser = new Schema.Parser();
          parser.addTypes(known.values());
          Schema schema = parser.parse(Files.readString(file));
          collectNamed(schema, known);
        } catch (SchemaParseException | AvroTypeException e) {
          // 1.12 reports a name defined by a file not parsed yet as AvroTypeException
          failed.add(file);
          errors.put(file, e.getMessage());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      if (failed.size() == pending.size()) {
        throw new IllegalStateException("cannot parse schemas under " + root + ": " + errors);
      }
      pending = failed;
    }
    return new SchemaSet(root, known);
  }

  private static void collectNamed(Schema schema, Map<String, Schema> into) {
    switch (schema.getType()) {
      case RECORD -> {
        if (into.putIfAbsent(schema.getFullName(), schema) == null) {
          schema.getFields().forEach(f -> collectNamed(f.schema(), into));
        }
      }
      case ENUM, FIXED -> into.putIfAbsent(schema.getFullName(), schema);
      case ARRAY -> collectNamed(schema.getElementType(), into);
      case MAP -> collectNamed(schema.getValueType(), into);
      case UNION -> schema.getTypes().forEach(t -> collectNamed(t, into));
      default -> {
        // primitives name nothing
      }
    }
  }

  Path root() {
    return root;
  }

  /** Named types by full name, sorted. */
  Map<String, Schema> types() {
    return types;
  }

  /** A copy of this set with {@code schema} (and the types it defines) replacing same-named ones. */
  SchemaSet with(Schema schema) {
    Map<String, Schema> copy = new TreeMap<>(types);
    copy.remove(schema.getFullName());
    Map<String, Schema> added = new TreeMap<>();
    collectNamed(schema, added);
    copy.putAll(added);
    return new SchemaSet(root, copy);
  }
}
