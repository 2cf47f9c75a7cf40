package io.agentauditor.streams;

import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.codec.DecisionDifference;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.model.Decision;
import io.agentauditor.policy.Policy;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.serialization.Serializer;
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
 * The shadow bundle on live traffic (contract section 12), a thin adapter around a second {@link
 * AuditEngine}: for each event the audit processor decided ({@link LiveStep}), it decides the
 * event again with the shadow bundle against its own chain-state store ({@value
 * AuditorTopology#SHADOW_CHAIN_STATE_STORE}, with its own changelog), then forwards:
 *
 * <ol>
 *   <li>its decision, then its idle-timeout decisions, to {@value
 *       AuditorTopology#SHADOW_DECISIONS_SINK} (key sessionId, Avro {@code Decision});
 *   <li>for each decision on which it and the live bundle differ (verdict or set of rule ids; an
 *       idle timeout only one of them made counts), the {@code diff} line ({@link
 *       DecisionDifference}, live as {@code base}, shadow as {@code candidate}) to {@value
 *       AuditorTopology#DISAGREEMENTS_SINK}.
 * </ol>
 *
 * <p><b>The live path never depends on it.</b> It runs after the live decision was forwarded and
 * the decision API told, in the same task. A failure of the shadow (its engine, or an output of
 * its own over the output bound) is caught here: logged, counted ({@value #FAILURES}, task-level),
 * and the event gets no shadow decision; it never becomes a dead letter, never fails the task, and
 * the live outputs of the event stand. Its values are serialized here, not in the sinks, for that
 * reason: a sink's serializer failing would go to the production exception handler and file the
 * live input as a dead letter. The shadow's chain state may then miss what the failed step would
 * have written, as it would after any engine failure; the disagreements that follow show it.
 *
 * <p>Its cost is its own processing, on the task's thread, after the live outputs of the event.
 */
final class ShadowProcessor implements Processor<String, LiveStep, String, byte[]> {

  private static final Logger LOGGER = LoggerFactory.getLogger(ShadowProcessor.class);

  /** Task-level metric: events the shadow bundle failed on (the live decision stood). */
  static final String FAILURES = "shadow-failed-total";

  private final AuditEngine engine;
  private final Serializer<io.agentauditor.schema.Decision> decisions;
  private final ShadowBundle bundle;
  private final int cachedRecords;
  private final int maxValueBytes;
  private ProcessorContext<String, byte[]> context;
  private CachingStateStore store;
  private Sensor failures;

  ShadowProcessor(
      AuditEngine engine,
      Serializer<io.agentauditor.schema.Decision> decisions,
      ShadowBundle bundle,
      int cachedRecords,
      int maxValueBytes) {
    this.engine = engine;
    this.decisions = decisions;
    this.bundle = bundle;
    this.cachedRecords = cachedRecords;
    this.maxValueBytes = maxValueBytes;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    KeyValueStore<Bytes, byte[]> kv =
        context.getStateStore(AuditorTopology.SHADOW_CHAIN_STATE_STORE);
    this.store = new CachingStateStore(new ChainStateStore(kv), cachedRecords);
    String task = context.taskId().toString();
    this.failures = context.metrics().addSensor(FAILURES + "-" + task, Sensor.RecordingLevel.INFO);
    failures.add(
        new MetricName(
            FAILURES,
            "stream-task-metrics",
            "Events the shadow bundle failed on; their live decisions stood.",
            Map.of("thread-id", Thread.currentThread().getName(), "task-id", task)),
        new CumulativeSum());
  }

  @Override
  public void close() {
    context.metrics().removeSensor(failures);
  }

  @Override
  public void process(Record<String, LiveStep> record) {
    LiveStep live = record.value();
    try {
      StepResult shadow = engine.process(live.event(), store);
      forwardDecision(shadow.decision());
      for (Decision timeout : shadow.idleTimeouts()) {
        forwardDecision(timeout);
      }
      compare(live.decision(), shadow.decision());
      DecisionDifference.pairByEventId(live.idleTimeouts(), shadow.idleTimeouts(), this::compare);
    } catch (RuntimeException e) {
      failures.record(1);
      LOGGER.warn(
          "The shadow bundle failed on {}/{}; the live decision stands: {}",
          live.event().sessionId(),
          live.event().eventId(),
          e.toString());
      LOGGER.debug("Shadow failure", e);
    }
  }

  private void compare(Decision liveDecision, Decision shadowDecision) {
    DecisionDifference difference = DecisionDifference.of(liveDecision, shadowDecision);
    if (difference != null) {
      Decision any = liveDecision != null ? liveDecision : shadowDecision;
      forward(
          any.sessionId(),
          bounded(bundle.disagreementsTopic(), difference.toJson()),
          any.occurredAtMillis(),
          AuditorTopology.DISAGREEMENTS_SINK);
    }
  }

  private void forwardDecision(Decision decision) {
    byte[] value =
        bounded(
            bundle.decisionsTopic(),
            decisions.serialize(bundle.decisionsTopic(), DecisionMapper.toAvro(decision)));
    forward(
        decision.sessionId(), value, decision.occurredAtMillis(), AuditorTopology.SHADOW_DECISIONS_SINK);
  }

  private void forward(String key, byte[] value, long occurredAtMillis, String sink) {
    // Kafka refuses negative timestamps; events before 1970 are valid input.
    context.forward(new Record<>(key, value, Math.max(0L, occurredAtMillis)), sink);
  }

  private byte[] bounded(String topic, byte[] value) {
    if (value.length > maxValueBytes) {
      throw new BoundedSerializer.OutputTooLargeException(topic, value.length, maxValueBytes);
    }
    return value;
  }

  /**
   * Creates one {@link ShadowProcessor} (with its own engine) per task, and owns the {@value
   * AuditorTopology#SHADOW_CHAIN_STATE_STORE} store.
   */
  static final class Supplier implements ProcessorSupplier<String, LiveStep, String, byte[]> {

    private final ShadowBundle bundle;
    private final Serializer<io.agentauditor.schema.Decision> decisions;
    private final StoreBuilder<KeyValueStore<Bytes, byte[]>> store;
    private final int cachedRecords;
    private final int maxValueBytes;

    Supplier(
        ShadowBundle bundle,
        Serializer<io.agentauditor.schema.Decision> decisions,
        StoreBuilder<KeyValueStore<Bytes, byte[]>> store,
        int cachedRecords,
        int maxValueBytes) {
      this.bundle = Objects.requireNonNull(bundle, "bundle");
      this.decisions = Objects.requireNonNull(decisions, "decisions");
      this.store = Objects.requireNonNull(store, "store");
      this.cachedRecords = cachedRecords;
      this.maxValueBytes = maxValueBytes;
    }

    @Override
    public Processor<String, LiveStep, String, byte[]> get() {
      Policy policy = bundle.policy();
      return new ShadowProcessor(
          new AuditEngine(policy), decisions, bundle, cachedRecords, maxValueBytes);
    }

    @Override
    public Set<StoreBuilder<?>> stores() {
      return Set.of(store);
    }
  }
}
