package io.agentauditor.streams;

import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.policy.Policy;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the auditor's Kafka Streams topology (contract sections 4 and 9) with the Processor API:
 *
 * <pre>
 * events-source (String key, Avro AgentEvent mapped to a valid Step, occurredAt as timestamp)
 *   -> audit (AuditProcessor, store chain-state)
 *        -> decisions-sink   (key sessionId, Avro Decision)
 *        -> violations-sink  (key sessionId, OCSF Detection Finding JSON)
 *        -> credentials-sink (key Avro CredentialKey: sessionId, credentialId; Avro CredentialState)
 * </pre>
 *
 * <p>The store {@value #CHAIN_STATE_STORE} is a persistent RocksDB key-value store with its
 * changelog ({@code <application.id>-chain-state-changelog}) and the record cache enabled; it holds
 * the chains, the eventId dedupe records and the engine's stream time of one task. Node and store
 * names are part of the deployed state: renaming one orphans its changelog, which is why {@code
 * AuditorTopologyDescriptionTest} pins {@code describe()}.
 *
 * <p>Every input record ends as exactly one decision or one dead letter: undecodable bytes and
 * contract-violating events fail in the source's deserializer ({@link ValidatingEventDeserializer})
 * and go through the deserialization handler to the dead-letter topic; records the processor
 * refuses or fails on go through the processing handler. Both handlers and {@code
 * errors.dead.letter.queue.topic.name} are Streams properties ({@link
 * DeadLetter#handlerProperties}, set by the runtime's {@code AuditorConfig.streamsProperties()}),
 * not part of the topology.
 *
 * <p>The sinks' value serializers refuse a value over {@link OutputLimits#MAX_VALUE_BYTES} (contract
 * 9.2): such a record goes to the production exception handler, and so to the dead letters, before
 * the producer sees it ({@link BoundedSerializer}).
 *
 * <p>{@link #build} is pure: it configures serdes but opens no connection and reads no file, so
 * production, {@code ./auditor demo} and the tests build the very same topology.
 */
public final class AuditorTopology {

  /** The events source node. */
  public static final String EVENTS_SOURCE = "events-source";

  /** The audit processor node. */
  public static final String AUDIT_PROCESSOR = "audit";

  /** The decisions sink node. */
  public static final String DECISIONS_SINK = "decisions-sink";

  /** The violations sink node. */
  public static final String VIOLATIONS_SINK = "violations-sink";

  /** The credentials sink node. */
  public static final String CREDENTIALS_SINK = "credentials-sink";

  /** The chain-state store; its changelog is {@code <application.id>-chain-state-changelog}. */
  public static final String CHAIN_STATE_STORE = "chain-state";

  private AuditorTopology() {}

  /**
   * The audit topology, each task keeping {@link CachingStateStore#DEFAULT_MAX_ENTRIES} decoded
   * records.
   *
   * @see #build(TopicNames, Map, Policy, int)
   */
  public static Topology build(
      TopicNames topics, Map<String, ?> serdeConfig, Policy policy) {
    return build(topics, serdeConfig, policy, CachingStateStore.DEFAULT_MAX_ENTRIES);
  }

  /**
   * The audit topology.
   *
   * @param topics the topic names (the dead-letter one is used by the handlers, not the topology)
   * @param serdeConfig configuration of the Avro serdes (the runtime's {@code AuditorConfig.serdeConfig()})
   * @param policy the loaded policy bundle every task decides with
   * @param cachedRecordsPerTask decoded chain-state records each task keeps ({@link
   *     CachingStateStore}), at least 1
   * @throws NullPointerException when an argument is null
   * @throws org.apache.kafka.common.config.ConfigException when the serde configuration is invalid
   */
  public static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      Policy policy,
      int cachedRecordsPerTask) {
    return build(topics, serdeConfig, policy, cachedRecordsPerTask, DecisionListener.NONE);
  }

  /**
   * The audit topology, telling {@code listener} of every event's decision (the decision API
   * waits on it).
   *
   * @see #build(TopicNames, Map, Policy, int)
   */
  public static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      Policy policy,
      int cachedRecordsPerTask,
      DecisionListener listener) {
    return build(topics, serdeConfig, policy, cachedRecordsPerTask, listener, OutputLimits.MAX_VALUE_BYTES);
  }

  /**
   * The audit topology deciding with whatever bundle {@code policy} gives before each step (the
   * runtime's hot reload). The timestamp extractor's clock-skew bound is read once, here, from the
   * bundle {@code policy} gives now.
   *
   * @see #build(TopicNames, Map, Policy, int)
   */
  public static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      PolicySource policy,
      int cachedRecordsPerTask,
      DecisionListener listener) {
    return build(
        topics, serdeConfig, policy, cachedRecordsPerTask, listener, OutputLimits.MAX_VALUE_BYTES);
  }

  /** As the public builder, with another bound on output values (for tests). */
  static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      Policy policy,
      int cachedRecordsPerTask,
      DecisionListener listener,
      int maxOutputValueBytes) {
    Objects.requireNonNull(policy, "policy");
    PolicySource fixed = PolicySource.fixed(policy);
    return build(topics, serdeConfig, fixed, cachedRecordsPerTask, listener, maxOutputValueBytes);
  }

  /**
   * The audit topology with another bound on output values than {@link
   * OutputLimits#MAX_VALUE_BYTES}: for tests that need an output too large without an event that
   * large.
   */
  private static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      PolicySource policy,
      int cachedRecordsPerTask,
      DecisionListener listener,
      int maxOutputValueBytes) {
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(listener, "listener");
    if (cachedRecordsPerTask < 1) {
      throw new IllegalArgumentException("cachedRecordsPerTask must be at least 1: " + cachedRecordsPerTask);
    }
    Objects.requireNonNull(serdeConfig, "serdeConfig");
    Objects.requireNonNull(policy, "policy");
    AuditorTopics declared = AuditorTopics.of(topics, serdeConfig);
    StoreBuilder<KeyValueStore<Bytes, byte[]>> store =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CHAIN_STATE_STORE),
                Serdes.Bytes(),
                Serdes.ByteArray())
            .withLoggingEnabled(Map.of())
            .withCachingEnabled();

    Topology topology = new Topology();
    topology.addSource(
        // A new application id audits the whole retained topic, not only what arrives later.
        AutoOffsetReset.earliest(),
        EVENTS_SOURCE,
        new OccurredAtTimestampExtractor(policy.current().settings().maxClockSkewSeconds()),
        declared.events().keySerde().deserializer(),
        new ValidatingEventDeserializer(declared.events().valueSerde().deserializer(), listener),
        declared.events().name());
    topology.addProcessor(
        AUDIT_PROCESSOR,
        new AuditProcessor.Supplier(
            policy,
            OcsfDetectionFindings.withInstalledVersion(),
            store,
            cachedRecordsPerTask,
            listener),
        EVENTS_SOURCE);
    topology.addSink(
        DECISIONS_SINK,
        declared.decisions().name(),
        declared.decisions().keySerde().serializer(),
        new BoundedSerializer<>(declared.decisions().valueSerde().serializer(), maxOutputValueBytes),
        AUDIT_PROCESSOR);
    topology.addSink(
        VIOLATIONS_SINK,
        declared.violations().name(),
        declared.violations().keySerde().serializer(),
        new BoundedSerializer<>(declared.violations().valueSerde().serializer(), maxOutputValueBytes),
        AUDIT_PROCESSOR);
    topology.addSink(
        CREDENTIALS_SINK,
        declared.credentials().name(),
        declared.credentials().keySerde().serializer(),
        new BoundedSerializer<>(declared.credentials().valueSerde().serializer(), maxOutputValueBytes),
        AUDIT_PROCESSOR);
    return topology;
  }
}
