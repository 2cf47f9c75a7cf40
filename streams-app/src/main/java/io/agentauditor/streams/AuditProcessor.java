package io.agentauditor.streams;

import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.model.Decision;
import io.agentauditor.engine.StepResult;
import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.avro.CredentialStateMapper;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.Step;
import io.agentauditor.schema.CredentialKey;
import io.agentauditor.schema.CredentialState;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit step of the topology, a thin adapter around {@link io.agentauditor.engine.AuditEngine}: for each validated
 * event it runs the engine against the task's chain-state store and forwards what the step
 * produced, in this order:
 *
 * <ol>
 *   <li>the decision (Avro {@code Decision}, key sessionId) to {@value
 *       AuditorTopology#DECISIONS_SINK}; for a retry the stored decision, unchanged, so every input
 *       record gives exactly one decision;
 *   <li>unless the record is a retry, one OCSF Detection Finding (JSON, key sessionId) per finding
 *       of a FLAG or BLOCK decision to {@value AuditorTopology#VIOLATIONS_SINK};
 *   <li>every credential lifecycle change (Avro {@code CredentialState}, key the Avro {@code
 *       CredentialKey} of its sessionId and credentialId, contract 9.5) to
 *       {@value AuditorTopology#CREDENTIALS_SINK}; a retry changes nothing itself, so its changes
 *       are only those of the idle timeouts it triggered;
 *   <li>the idle-timeout decisions (contract 9.3) found due after the record, each followed by its
 *       violations;
 *   <li>with a shadow bundle, the event and the live decisions of its step ({@link LiveStep}) to
 *       {@value AuditorTopology#SHADOW_PROCESSOR}, last, so the live outputs and the decision API's
 *       answer never wait for the shadow.
 * </ol>
 *
 * <p><b>Why no punctuator.</b> The engine keeps the task's stream time (the largest occurredAt of
 * the valid records) in the store and, after every valid record, closes the sessions idle for
 * longer than {@code sessionIdleTimeoutSeconds}, purges closed sessions (state and eventId
 * dedupe records) and drops stored decisions older than {@code sessionRetentionSeconds}. That is
 * exactly contract 9.3:
 * timeouts are checked "after each valid record" and ordered after that record's decision. A
 * stream-time punctuator could only fire when a record advances stream time, i.e. at the same
 * points, but after the record rather than as part of its step and at a schedule granularity, so it
 * would add nothing but imprecision; a wall-clock punctuator would make decisions depend on when
 * the auditor ran and break replay parity. The consequence, as in {@code replay}: a partition that
 * receives no more records closes no more sessions.
 *
 * <p>A record whose key is not its sessionId is refused with {@link EventKeyMismatchException},
 * and one stamped too far after its Kafka timestamp (marked by {@link
 * OccurredAtTimestampExtractor}) with {@link FutureDatedEventException} (dead letters through the
 * processing handler, before the engine: a refused record changes no state and no stream time). An
 * engine failure propagates to the same handler.
 */
final class AuditProcessor implements Processor<String, Step, Object, Object> {

  private static final Logger LOGGER = LoggerFactory.getLogger(AuditProcessor.class);

  /** Task-level metric: reads of chain state answered by the decoded-record cache. */
  static final String CACHE_HITS = "chain-state-cache-hit-total";
  /** Task-level metric: reads of chain state that went to the store. */
  static final String CACHE_MISSES = "chain-state-cache-miss-total";

  private final TaskEngine engines;
  private final OcsfDetectionFindings violations;
  private final int cachedRecords;
  private final DecisionListener listener;
  private final boolean shadowed;
  private ProcessorContext<Object, Object> context;
  /** The task's id as text, named in the log when the task switches bundle. */
  private String task;
  private CachingStateStore store;
  private Sensor cacheHits;
  private Sensor cacheMisses;
  private long hitsRecorded;
  private long missesRecorded;

  AuditProcessor(
      TaskEngine engines,
      OcsfDetectionFindings violations,
      int cachedRecords,
      DecisionListener listener,
      boolean shadowed) {
    this.listener = listener;
    this.shadowed = shadowed;
    this.engines = engines;
    this.violations = violations;
    this.cachedRecords = cachedRecords;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    this.task = context.taskId().toString();
    KeyValueStore<Bytes, byte[]> kv = context.getStateStore(AuditorTopology.CHAIN_STATE_STORE);
    // Made anew on every init (also when a task is revived after its state was wiped and
    // restored), so decoded records never outlive the store contents they came from.
    this.store = new CachingStateStore(new ChainStateStore(kv), cachedRecords);
    this.hitsRecorded = 0;
    this.missesRecorded = 0;
    this.cacheHits =
        cacheSensor(CACHE_HITS, "Chain-state reads answered by decoded records on the heap.");
    this.cacheMisses =
        cacheSensor(
            CACHE_MISSES, "Chain-state reads that went to the store (RocksDB and its cache).");
  }

  /**
   * A task-level sensor with one cumulative sum, so {@code engine.cached.records} can be tuned on
   * the hit rate ({@code kafka_stream_task_chain_state_cache_*} on {@code /metrics}).
   */
  private Sensor cacheSensor(String metric, String description) {
    Sensor sensor = context.metrics().addSensor(metric + "-" + task, Sensor.RecordingLevel.INFO);
    sensor.add(
        new MetricName(
            metric,
            "stream-task-metrics",
            description,
            Map.of("thread-id", Thread.currentThread().getName(), "task-id", task)),
        new CumulativeSum());
    return sensor;
  }

  @Override
  public void close() {
    context.metrics().removeSensor(cacheHits);
    context.metrics().removeSensor(cacheMisses);
  }

  @Override
  public void process(Record<String, Step> record) {
    long arrived = System.nanoTime();
    Step event = record.value();
    Header futureDated = record.headers().lastHeader(OccurredAtTimestampExtractor.FUTURE_DATED_HEADER);
    if (futureDated != null) {
      // The mark is ours, not the input's: the dead letter carries the source headers without it.
      record.headers().remove(OccurredAtTimestampExtractor.FUTURE_DATED_HEADER);
      throw new FutureDatedEventException(new String(futureDated.value(), StandardCharsets.UTF_8));
    }
    if (!event.sessionId().equals(record.key())) {
      throw new EventKeyMismatchException(record.key(), event.sessionId());
    }
    StepResult result;
    try {
      result = engines.forNextStep(task).process(event, store);
    } finally {
      recordCacheUse();
    }
    Decision decision = result.decision();
    forwardDecision(decision);
    listener.decided(decision, arrived, context.currentStreamTimeMs());
    if (result.retry()) {
      LOGGER.debug(
          "Retry of {}/{}: stored decision re-emitted", decision.sessionId(), decision.eventId());
    } else {
      forwardViolations(decision);
    }
    for (CredentialChange change : result.credentialChanges()) {
      CredentialState credential = CredentialStateMapper.toAvro(change);
      context.forward(
          new Record<Object, Object>(
              new CredentialKey(change.sessionId(), change.credentialId()),
              credential,
              kafkaTimestamp(change.lastEventAtMillis())),
          AuditorTopology.CREDENTIALS_SINK);
    }
    for (Decision timeout : result.idleTimeouts()) {
      LOGGER.debug(
          "Session {} idle: closed at stream time {}",
          timeout.sessionId(),
          timeout.occurredAtMillis());
      forwardDecision(timeout);
      forwardViolations(timeout);
    }
    if (shadowed) {
      context.forward(
          new Record<Object, Object>(
              record.key(),
              new LiveStep(event, decision, result.idleTimeouts()),
              record.timestamp()),
          AuditorTopology.SHADOW_PROCESSOR);
    }
  }

  private void recordCacheUse() {
    long hits = store.hits();
    long misses = store.misses();
    if (hits != hitsRecorded) {
      cacheHits.record(hits - hitsRecorded);
      hitsRecorded = hits;
    }
    if (misses != missesRecorded) {
      cacheMisses.record(misses - missesRecorded);
      missesRecorded = misses;
    }
  }

  private void forwardDecision(Decision decision) {
    context.forward(
        new Record<Object, Object>(
            decision.sessionId(),
            DecisionMapper.toAvro(decision),
            kafkaTimestamp(decision.occurredAtMillis())),
        AuditorTopology.DECISIONS_SINK);
  }

  private void forwardViolations(Decision decision) {
    for (String json : violations.of(decision)) {
      context.forward(
          new Record<Object, Object>(
              decision.sessionId(), json, kafkaTimestamp(decision.occurredAtMillis())),
          AuditorTopology.VIOLATIONS_SINK);
    }
  }

  /** Kafka refuses negative timestamps; events before 1970 are valid input (see the extractor). */
  private static long kafkaTimestamp(long occurredAtMillis) {
    return Math.max(0L, occurredAtMillis);
  }

  /**
   * Creates one {@link AuditProcessor} (with its own engine: engines are not thread-safe; rebuilt
   * when the {@link PolicySource} gives another bundle) per task,
   * and owns the {@value AuditorTopology#CHAIN_STATE_STORE} store it uses.
   */
  static final class Supplier implements ProcessorSupplier<String, Step, Object, Object> {

    private final PolicySource policy;
    private final OcsfDetectionFindings violations;
    private final StoreBuilder<KeyValueStore<Bytes, byte[]>> store;
    private final int cachedRecords;
    private final DecisionListener listener;
    private final boolean shadowed;

    Supplier(
        PolicySource policy,
        OcsfDetectionFindings violations,
        StoreBuilder<KeyValueStore<Bytes, byte[]>> store,
        int cachedRecords,
        DecisionListener listener,
        boolean shadowed) {
      this.listener = Objects.requireNonNull(listener, "listener");
      this.shadowed = shadowed;
      this.policy = Objects.requireNonNull(policy, "policy");
      this.violations = Objects.requireNonNull(violations, "violations");
      this.store = Objects.requireNonNull(store, "store");
      this.cachedRecords = cachedRecords;
    }

    @Override
    public Processor<String, Step, Object, Object> get() {
      return new AuditProcessor(
          new TaskEngine(policy), violations, cachedRecords, listener, shadowed);
    }

    @Override
    public Set<StoreBuilder<?>> stores() {
      return Set.of(store);
    }
  }
}
