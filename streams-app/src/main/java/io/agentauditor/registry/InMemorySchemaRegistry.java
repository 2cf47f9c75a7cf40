package io.agentauditor.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * A schema registry held in memory, behaving like Confluent's for the calls of {@link
 * SchemaRegistryClient}: one global id per distinct schema, assigned 1, 2, 3… in registration order
 * and shared across subjects; each subject a list of versions from 1; registering a schema the subject
 * already has returns its id and adds no version; a new version must pass the BACKWARD check against
 * the subject's latest version (Confluent's default), else 409. Errors carry the codes Confluent uses.
 *
 * <p>Selected by {@code schema.registry.url=mock://NAME}: every client configured with the same NAME
 * in this JVM shares one instance, which is how a test's producer and consumer, or the zero-setup
 * demo, see the same ids. Thread-safe. State lives until {@link #drop(String)} or the JVM ends.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

  private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

  private final String name;
  private final Map<String, Integer> idsByCanonical = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
  /**
   * Ids already known per subject and schema, so a serializer's call per record does not print the
   * schema to JSON again: nothing is ever deleted, so a (subject, schema) pair once resolved keeps
   * its id. Keyed by instance (every serializer passes its one reader schema), not by {@link
   * Schema#equals}, which ignores docs that the canonical form, hence the id, includes.
   */
  private final Map<String, Map<Schema, Integer>> knownIds = new HashMap<>();

  private InMemorySchemaRegistry(String name) {
    this.name = name;
  }

  /** The registry of scope {@code name}, created empty on first use. */
  public static InMemorySchemaRegistry named(String name) {
    Objects.requireNonNull(name, "name");
    return SCOPES.computeIfAbsent(name, InMemorySchemaRegistry::new);
  }

  /** Forgets scope {@code name}: the next {@link #named} gives an empty registry. */
  public static void drop(String name) {
    SCOPES.remove(name);
  }

  /** The scope name. */
  public String name() {
    return name;
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    Integer known = known(subject, schema);
    if (known != null) {
      return known;
    }
    String canonical = schema.toString();
    List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
    Integer existing = idsByCanonical.get(canonical);
    if (existing != null && versions.contains(existing)) {
      remember(subject, schema, existing);
      return existing;
    }
    if (!versions.isEmpty()) {
      Schema latest = schemasById.get(versions.get(versions.size() - 1));
      var result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest);
      if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
        throw new SchemaRegistryException("Schema being registered is incompatible with an earlier schema for subject \""
            + subject + "\": " + result.getDescription(), 409, SchemaRegistryException.INCOMPATIBLE);
      }
    }
    int id = existing != null ? existing : idsByCanonical.size() + 1;
    idsByCanonical.put(canonical, id);
    schemasById.put(id, schema);
    versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
    remember(subject, schema, id);
    return id;
  }

  @Override
  public synchronized Schema getById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException("Schema " + id + " not found", 404, SchemaRegistryException.SCHEMA_NOT_FOUND);
    }
    return schema;
  }

  @Override
  public synchronized int getId(String subject, Schema schema) {
    Integer known = known(subject, schema);
    if (known != null) {
      return known;
    }
    List<Integer> versions = versionsOf(subject);
    Integer id = idsByCanonical.get(schema.toString());
    if (id == null || !versions.contains(id)) {
      throw new SchemaRegistryException("Schema not found under subject " + subject, 404,
          SchemaRegistryException.SCHEMA_NOT_FOUND);
    }
    remember(subject, schema, id);
    return id;
  }

  @Override
  public synchronized RegisteredSchema getLatest(String subject) {
    List<Integer> versions = versionsOf(subject);
    int id = versions.get(versions.size() - 1);
    return new RegisteredSchema(subject, versions.size(), id, schemasById.get(id));
  }

  /** The subjects registered so far, in no particular order. */
  public synchronized List<String> subjects() {
    return List.copyOf(versionsBySubject.keySet());
  }

  private Integer known(String subject, Schema schema) {
    Map<Schema, Integer> ids = knownIds.get(subject);
    return ids == null ? null : ids.get(schema);
  }

  private void remember(String subject, Schema schema, int id) {
    knownIds.computeIfAbsent(subject, s -> new IdentityHashMap<>()).put(schema, id);
  }

  private List<Integer> versionsOf(String subject) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null) {
      throw new SchemaRegistryException("Subject '" + subject + "' not found.", 404,
          SchemaRegistryException.SUBJECT_NOT_FOUND);
    }
    return versions;
  }
}
