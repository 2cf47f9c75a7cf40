package io.agentauditor.serde;

import io.agentauditor.registry.SchemaRegistryClientConfig;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Typed configuration of {@link AvroSerde}. Key names are exactly Confluent's, so a configuration
 * written for {@code KafkaAvroSerializer}/{@code KafkaAvroDeserializer} works unchanged. Besides the
 * keys below it takes every key of {@link SchemaRegistryClientConfig} ({@code schema.registry.url},
 * {@code basic.auth.credentials.source}, {@code basic.auth.user.info}, timeouts, retries,
 * {@code schema.registry.ssl.*}). Unknown keys are ignored.
 *
 * <p>Subjects follow Confluent's TopicNameStrategy: {@code <topic>-value}, or {@code <topic>-key}
 * for a key serde.
 */
public final class AvroSerdeConfig extends AbstractConfig {

  /** Serializer: register the record's schema under its subject on first use (default true). */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  /**
   * Serializer, when {@code auto.register.schemas=false}: take the id of the subject's latest
   * version instead of looking the record's schema up (default false). The latest version must then
   * be the record's very schema, else the record is refused ({@code SCHEMA_REJECTED}): writing with a
   * different schema than the record's class would silently drop or misplace fields.
   */
  public static final String USE_LATEST_VERSION = "use.latest.version";
  /**
   * Deserializer: decode into the generated class (default true). {@code AvroSerde} always does; the
   * key is accepted so Confluent-style configurations pass, and {@code false} is refused.
   */
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";

  public static final ConfigDef CONFIG_DEF = SchemaRegistryClientConfig.define(new ConfigDef())
      .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
          "Register the record's schema under <topic>-value (or -key) on first use; when false, look "
              + "its id up and refuse records whose schema is not registered.")
      .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.LOW,
          "With auto.register.schemas=false, use the id of the subject's latest version, which must "
              + "equal the record's schema.")
      .define(SPECIFIC_AVRO_READER, Type.BOOLEAN, true, Importance.LOW,
          "Decode into the generated SpecificRecord class; AvroSerde supports only true.");

  private final SchemaRegistryClientConfig registry;

  public AvroSerdeConfig(Map<String, ?> originals) {
    super(CONFIG_DEF, originals, false);
    if (!getBoolean(SPECIFIC_AVRO_READER)) {
      throw new ConfigException(SPECIFIC_AVRO_READER, false,
          "AvroSerde always decodes into the generated class; generic records are not supported");
    }
    this.registry = new SchemaRegistryClientConfig(originals);
  }

  public boolean autoRegisterSchemas() {
    return getBoolean(AUTO_REGISTER_SCHEMAS);
  }

  public boolean useLatestVersion() {
    return getBoolean(USE_LATEST_VERSION);
  }

  /** The registry client's part of this configuration. */
  public SchemaRegistryClientConfig registry() {
    return registry;
  }
}
