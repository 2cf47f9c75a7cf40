package io.agentauditor.streams;

import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.serde.AvroSerde;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Builds the auditor's Kafka Streams topology (contract sections 4 and 9) with the Processor API:
 *
 * <pre>
 * events-source (String key, Avro AgentEvent mapped to a valid Step, occurredAt as timestamp)
 *   -> audit (AuditProcessor, store chain-state)
 *        -> decisions-sink   (key sessionId, Avro Decision)
 *        -> violations-sink  (key sessionId, OCSF Detection Finding JSON)
 *        -> credentials-sink (key Avro CredentialKey: sessionId, credentialId; Avro CredentialState)
 *        -> shadow (ShadowProcessor, store shadow-chain-state; only with a shadow bundle)
 *             -> shadow-decisions-sink (key sessionId, Avro Decision)
 *             -> disagreements-sink    (key sessionId, the diff line as JSON)
 * </pre>
 *
 * <p>The store {@value #CHAIN_STATE_STORE} is a persistent RocksDB key-value store with its
 * changelog ({@code <application.id>-chain-state-changelog}) behind a write-back layer ({@link
 * WriteBackStore}) in place of Streams' record cache; it holds the chains, the eventId dedupe records and the engine's stream time of one task. Node and store
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

  /** The shadow bundle's processor node (contract section 12). */
  public static final String SHADOW_PROCESSOR = "shadow";

  /** The shadow bundle's decisions sink node. */
  public static final String SHADOW_DECISIONS_SINK = "shadow-decisions-sink";

  /** The sink of the shadow bundle's disagreements with the live one. */
  public static final String DISAGREEMENTS_SINK = "disagreements-sink";

  /**
   * The shadow bundle's own chain-state store; its changelog is {@code
   * <application.id>-shadow-chain-state-changelog}.
   */
  public static final String SHADOW_CHAIN_STATE_STORE = "shadow-chain-state";

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
    return build(topics, serdeConfig, policy, cachedRecordsPerTask, listener, (ShadowBundle) null);
  }

  /**
   * The audit topology with, when {@code shadow} is not null, the shadow bundle deciding every
   * event too ({@link ShadowProcessor}: its own store, its decisions and its disagreements with the
   * live decisions to the bundle's two topics).
   *
   * @see #build(TopicNames, Map, Policy, int, DecisionListener)
   */
  public static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      Policy policy,
      int cachedRecordsPerTask,
      DecisionListener listener,
      ShadowBundle shadow) {
    return build(
        topics,
        serdeConfig,
        fixed(policy),
        cachedRecordsPerTask,
        listener,
        shadow,
        OutputLimits.MAX_VALUE_BYTES);
  }

  /**
   * The audit topology deciding with whatever bundle {@code policy} gives before each step (the
   * runtime's hot reload), with a shadow bundle when {@code shadow} is not null. The timestamp
   * extractor's clock-skew bound is read once, here, from the bundle {@code policy} gives now.
   *
   * @see #build(TopicNames, Map, Policy, int, DecisionListener, ShadowBundle)
   */
  public static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      PolicySource policy,
      int cachedRecordsPerTask,
      DecisionListener listener,
      ShadowBundle shadow) {
    return build(
        topics,
        serdeConfig,
        policy,
        cachedRecordsPerTask,
        listener,
        shadow,
        OutputLimits.MAX_VALUE_BYTES);
  }

  /**
   * The audit topology with another bound on output values than {@link
   * OutputLimits#MAX_VALUE_BYTES}: for tests that need an output too large without an event that
   * large.
   */
  static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      Policy policy,
      int cachedRecordsPerTask,
      DecisionListener listener,
      int maxOutputValueBytes) {
    return build(
        topics, serdeConfig, fixed(policy), cachedRecordsPerTask, listener, null, maxOutputValueBytes);
  }

  /** As {@link #build(TopicNames, Map, Policy, int, DecisionListener, int)}, with a shadow bundle. */
  static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      Policy policy,
      int cachedRecordsPerTask,
      DecisionListener listener,
      ShadowBundle shadow,
      int maxOutputValueBytes) {
    return build(
        topics, serdeConfig, fixed(policy), cachedRecordsPerTask, listener, shadow, maxOutputValueBytes);
  }

  private static PolicySource fixed(Policy policy) {
    return PolicySource.fixed(Objects.requireNonNull(policy, "policy"));
  }

  private static Topology build(
      TopicNames topics,
      Map<String, ?> serdeConfig,
      PolicySource policy,
      int cachedRecordsPerTask,
      DecisionListener listener,
      ShadowBundle shadow,
      int maxOutputValueBytes) {
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(listener, "listener");
    if (cachedRecordsPerTask < 1) {
      throw new IllegalArgumentException("cachedRecordsPerTask must be at least 1: " + cachedRecordsPerTask);
    }
    Objects.requireNonNull(serdeConfig, "serdeConfig");
    Objects.requireNonNull(policy, "policy");
    AuditorTopics declared = AuditorTopics.of(topics, serdeConfig);
    StoreBuilder<KeyValueStore<Bytes, byte[]>> store = chainStateStore(CHAIN_STATE_STORE);

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
            listener,
            shadow != null),
        EVENTS_SOURCE);
    topology.addSink(
        DECISIONS_SINK,
        declared.decisions().name(),
        declared.decisions().keySerde().serializer(),
        new BoundedSerializer<>(
            declared.decisions().valueSerde().serializer(), maxOutputValueBytes, listener::sent),
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
    if (shadow != null) {
      addShadow(topology, shadow, serdeConfig, cachedRecordsPerTask, maxOutputValueBytes);
    }
    return topology;
  }

  private static void addShadow(
      Topology topology,
      ShadowBundle shadow,
      Map<String, ?> serdeConfig,
      int cachedRecordsPerTask,
      int maxOutputValueBytes) {
    // The values are serialized by the processor, so that a failure stays the shadow's own.
    topology.addProcessor(
        SHADOW_PROCESSOR,
        new ShadowProcessor.Supplier(
            shadow,
            AvroSerde.of(io.agentauditor.schema.Decision.class, serdeConfig, false).serializer(),
            chainStateStore(SHADOW_CHAIN_STATE_STORE),
            cachedRecordsPerTask,
            maxOutputValueBytes),
        AUDIT_PROCESSOR);
    topology.addSink(
        SHADOW_DECISIONS_SINK,
        shadow.decisionsTopic(),
        Serdes.String().serializer(),
        Serdes.ByteArray().serializer(),
        SHADOW_PROCESSOR);
    topology.addSink(
        DISAGREEMENTS_SINK,
        shadow.disagreementsTopic(),
        Serdes.String().serializer(),
        Serdes.ByteArray().serializer(),
        SHADOW_PROCESSOR);
  }

  /** A persistent RocksDB chain-state store with its changelog, behind the write-back layer. */
  private static StoreBuilder<KeyValueStore<Bytes, byte[]>> chainStateStore(String name) {
    return WriteBackStore.builder(name, WriteBackStore.DEFAULT_MAX_HELD);
  }
}
