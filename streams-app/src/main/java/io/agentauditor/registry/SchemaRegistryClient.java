package io.agentauditor.registry;

import java.io.Closeable;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API that the serde needs, spoken the same way to
 * Confluent Schema Registry, Apicurio Registry's ccompat API, Karapace and Redpanda.
 *
 * <p>Implementations are thread-safe and cache what they learn in both directions (schema to id per
 * subject, id to schema), so a repeated call makes no request. Every method throws {@link
 * SchemaRegistryException} on failure, after the implementation's bounded retries.
 *
 * <p>{@link #create(Map)} picks the implementation from {@code schema.registry.url}: {@code
 * mock://NAME} gives the {@link InMemorySchemaRegistry} shared within the JVM under NAME; http(s)
 * URLs give a {@link RestSchemaRegistryClient}.
 */
public interface SchemaRegistryClient extends Closeable {

  /**
   * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}) and
   * returns its global id; registering a schema the subject already has returns the existing id.
   *
   * @throws SchemaRegistryException e.g. {@link SchemaRegistryException#isIncompatible()} when the
   *     subject's compatibility rule rejects it, status 422 when the registry finds it invalid
   */
  int register(String subject, Schema schema);

  /**
   * The schema with global id {@code id} ({@code GET /schemas/ids/{id}}).
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#isNotFound()} for an unknown id
   */
  Schema getById(int id);

  /**
   * The id of {@code schema} as already registered under {@code subject} ({@code POST
   * /subjects/{subject}}); registers nothing.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#isNotFound()} when the subject or
   *     the schema within it is unknown
   */
  int getId(String subject, Schema schema);

  /**
   * The latest version of {@code subject} ({@code GET /subjects/{subject}/versions/latest}). Not
   * cached: the latest version may change at any time.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#isNotFound()} when the subject is
   *     unknown
   */
  RegisteredSchema getLatest(String subject);

  /** Releases connections; the in-memory registry keeps its state. */
  @Override
  default void close() {}

  /**
   * The client that {@code configs} ask for (keys of {@link SchemaRegistryClientConfig}).
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key and the bad value
   */
  static SchemaRegistryClient create(Map<String, ?> configs) {
    return create(new SchemaRegistryClientConfig(configs));
  }

  /** The client that {@code config} asks for. */
  static SchemaRegistryClient create(SchemaRegistryClientConfig config) {
    String mockScope = config.mockScope();
    return mockScope != null ? InMemorySchemaRegistry.named(mockScope) : new RestSchemaRegistryClient(config);
  }
}
