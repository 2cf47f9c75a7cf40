package io.agentauditor.runtime;

import io.agentauditor.codec.DecisionDifference;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.Verdict;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.TopicNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auditor's own meters, next to Kafka Streams' metrics bound through Micrometer's {@link
 * KafkaStreamsMetrics} ({@code kafka_stream_*}):
 *
 * <ul>
 *   <li>{@code auditor.records.in{topic}}: input records processed, from Kafka Streams' topic-level
 *       {@code records-consumed-total} (summed over tasks);
 *   <li>{@code auditor.records.out{topic}}: records sent to each output topic, dead letters included;
 *   <li>{@code auditor.decisions{verdict}}: decisions sent, by verdict;
 *   <li>{@code auditor.dead.letters}: records sent to the dead-letter topic, whether by Kafka
 *       Streams' exception handlers or by the topology;
 *   <li>{@code auditor.decision.latency}: end to end, from the event's {@code occurredAt} to the
 *       moment its decision is handed to the producer (a histogram; Prometheus buckets);
 *   <li>{@code auditor.state.store.keys}: RocksDB's {@code rocksdb.estimate-num-keys} summed over
 *       every store of this instance;
 *   <li>with a shadow bundle (contract section 12), read from the records sent to its
 *       disagreements topic: {@code auditor.shadow.disagreements{transition}}, events on which
 *       the shadow and live bundles disagree, by {@code LIVE->SHADOW} verdict transition ({@code
 *       NONE} for an idle timeout only one made), and {@code auditor.shadow.disagreement.rules{rule,
 *       change}}, each rule id the shadow adds ({@code change=added}) or removes ({@code
 *       removed}) on them.
 * </ul>
 *
 * <p>Output-side meters are counted by a producer interceptor ({@link OutputInterceptor}) that the
 * Streams producers get through {@link #instrument(Properties)}: it sees every record the topology
 * and the exception handlers send, without a hook in the topology. Under exactly-once a record is
 * counted when it is sent, so the records of a transaction that is later aborted (a crash, a fenced
 * producer) are counted too: the counters are "sent", not "committed".
 *
 * <p>Lifecycle: construct, {@link #instrument} the Streams properties, {@link #bind} the {@code
 * KafkaStreams} built from them, {@link #close()} after Streams closed. Thread-safe.
 */
public final class AuditorMetrics implements AutoCloseable {

  /** Producer config key under which the interceptor finds this object. */
  static final String INSTANCE_CONFIG = "auditor.metrics.instance";

  private static final Logger LOGGER = LoggerFactory.getLogger(AuditorMetrics.class);
  private static final String TOPIC_GROUP = "stream-topic-metrics";
  private static final String STATE_GROUP = "stream-state-metrics";

  private final MeterRegistry registry;
  private final TopicNames topics;
  private final AvroSerde<Decision> decisions;
  private final Clock clock;
  private final Map<String, Counter> recordsOut = new HashMap<>();
  private final Map<Verdict, Counter> verdicts = new EnumMap<>(Verdict.class);
  private final Counter deadLetters;
  private final Counter undecodedDecisions;
  private final Timer latency;
  private final String disagreementsTopic;
  private final Counter undecodedDisagreements;
  private KafkaStreamsMetrics streamsMetrics;

  /**
   * @param registry where every meter is registered
   * @param topics the auditor's topics; output meters are tagged with these names
   * @param serdeConfig the serdes' configuration, to read the verdict of decisions
   */
  public AuditorMetrics(
      MeterRegistry registry, TopicNames topics, Map<String, ?> serdeConfig) {
    this(registry, topics, serdeConfig, (String) null);
  }

  /**
   * @param disagreementsTopic the shadow bundle's disagreements topic, null without a shadow
   * @see #AuditorMetrics(MeterRegistry, TopicNames, Map)
   */
  public AuditorMetrics(
      MeterRegistry registry,
      TopicNames topics,
      Map<String, ?> serdeConfig,
      String disagreementsTopic) {
    this(registry, topics, serdeConfig, Clock.systemUTC(), disagreementsTopic);
  }

  AuditorMetrics(
      MeterRegistry registry,
      TopicNames topics,
      Map<String, ?> serdeConfig,
      Clock clock) {
    this(registry, topics, serdeConfig, clock, null);
  }

  private AuditorMetrics(
      MeterRegistry registry,
      TopicNames topics,
      Map<String, ?> serdeConfig,
      Clock clock,
      String disagreementsTopic) {
    this.registry = registry;
    this.disagreementsTopic = disagreementsTopic;
    this.topics = topics;
    this.decisions = AvroSerde.of(Decision.class, serdeConfig, false);
    this.clock = clock;
    for (String topic :
        new String[] {
          topics.decisions(), topics.violations(), topics.credentials(), topics.deadLetters()
        }) {
      recordsOut.put(
          topic,
          Counter.builder("auditor.records.out")
              .description("Records sent to an output topic (counted at send)")
              .tag("topic", topic)
              .register(registry));
    }
    for (Verdict verdict : Verdict.values()) {
      verdicts.put(
          verdict,
          Counter.builder("auditor.decisions")
              .description("Decisions sent, by verdict")
              .tag("verdict", verdict.name())
              .register(registry));
    }
    this.deadLetters =
        Counter.builder("auditor.dead.letters")
            .description("Input records sent to the dead-letter topic")
            .register(registry);
    this.undecodedDecisions =
        Counter.builder("auditor.metrics.undecoded.decisions")
            .description("Decision records whose verdict the metrics could not read")
            .register(registry);
    this.undecodedDisagreements =
        Counter.builder("auditor.metrics.undecoded.disagreements")
            .description("Disagreement records the metrics could not read")
            .register(registry);
    this.latency =
        Timer.builder("auditor.decision.latency")
            .description("End-to-end latency: event occurredAt to its decision being sent")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
  }

  /**
   * Adds the output interceptor to {@code streamsProperties} (keeping interceptors already named
   * for the producer) and returns them.
   */
  public Properties instrument(Properties streamsProperties) {
    String key = StreamsConfig.producerPrefix(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
    Object existing = streamsProperties.get(key);
    String classes = OutputInterceptor.class.getName();
    if (existing != null && !existing.toString().isBlank()) {
      classes = existing + "," + classes;
    }
    streamsProperties.put(key, classes);
    // Kafka passes unknown producer-prefixed keys to the producer's configure() as given, objects too.
    streamsProperties.put(StreamsConfig.producerPrefix(INSTANCE_CONFIG), this);
    return streamsProperties;
  }

  /**
   * Binds Kafka Streams' own metrics and the meters read from them (records in, store size) to
   * the registry. Call once, before or after {@code streams.start()}.
   */
  public synchronized void bind(KafkaStreams streams) {
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    FunctionCounter.builder(
            "auditor.records.in",
            streams,
            s -> sumMetric(s, TOPIC_GROUP, "records-consumed-total", topics.events()))
        .description("Input records processed (Kafka Streams' records-consumed-total)")
        .tag("topic", topics.events())
        .register(registry);
    Gauge.builder(
            "auditor.state.store.keys",
            streams,
            s -> sumMetric(s, STATE_GROUP, "estimate-num-keys", null))
        .description("Estimated keys in every RocksDB store of this instance")
        .register(registry);
  }

  /** Sum of the metric {@code group/name} over tasks and nodes, for one topic when given. */
  static double sumMetric(KafkaStreams streams, String group, String name, String topic) {
    double sum = 0;
    for (Map.Entry<MetricName, ? extends Metric> entry : streams.metrics().entrySet()) {
      MetricName metricName = entry.getKey();
      if (!metricName.group().equals(group) || !metricName.name().equals(name)) {
        continue;
      }
      if (topic != null && !topic.equals(metricName.tags().get("topic"))) {
        continue;
      }
      if (entry.getValue().metricValue() instanceof Number value && !Double.isNaN(value.doubleValue())) {
        sum += value.doubleValue();
      }
    }
    return sum;
  }

  void onSend(String topic, byte[] value) {
    if (topic.equals(disagreementsTopic) && value != null) {
      countDisagreement(value);
      return;
    }
    Counter out = recordsOut.get(topic);
    if (out == null) {
      return; // Streams' own changelog and repartition topics are covered by kafka_stream_* metrics.
    }
    out.increment();
    if (topic.equals(topics.deadLetters())) {
      deadLetters.increment();
    } else if (topic.equals(topics.decisions()) && value != null) {
      try {
        Decision decision = decisions.deserialize(topic, value);
        verdicts.get(decision.getVerdict()).increment();
        long millis = clock.millis() - decision.getOccurredAt().toEpochMilli();
        latency.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        undecodedDecisions.increment();
        LOGGER.debug("Cannot read a decision for metrics: {}", e.toString());
      }
    }
  }

  private void countDisagreement(byte[] value) {
    DecisionDifference difference;
    try {
      difference = DecisionDifference.fromJson(value);
    } catch (IllegalArgumentException e) {
      undecodedDisagreements.increment();
      LOGGER.debug("Cannot read a disagreement for metrics: {}", e.toString());
      return;
    }
    // Meters are registered once per tag set and looked up after: the registry keeps them.
    Counter.builder("auditor.shadow.disagreements")
        .description("Events on which the shadow bundle disagrees with the live one, by transition")
        .tag("transition", difference.transition())
        .register(registry)
        .increment();
    for (String rule : difference.added()) {
      ruleCounter(rule, "added").increment();
    }
    for (String rule : difference.removed()) {
      ruleCounter(rule, "removed").increment();
    }
  }

  private Counter ruleCounter(String rule, String change) {
    return Counter.builder("auditor.shadow.disagreement.rules")
        .description("Rule ids the shadow bundle adds or removes where it disagrees with the live one")
        .tag("rule", rule)
        .tag("change", change)
        .register(registry);
  }

  /** Unbinds Kafka Streams' metrics; the auditor's own meters stay in the registry. */
  @Override
  public synchronized void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
      streamsMetrics = null;
    }
    decisions.close();
  }

  /**
   * The producer interceptor that feeds {@link AuditorMetrics}: Kafka instantiates it by class
   * name and hands it the {@link AuditorMetrics} through the producer configuration. It never
   * changes a record. Public only because Kafka instantiates it reflectively.
   */
  public static final class OutputInterceptor implements ProducerInterceptor<byte[], byte[]> {

    private AuditorMetrics metrics;

    @Override
    public void configure(Map<String, ?> configs) {
      Object instance = configs.get(INSTANCE_CONFIG);
      if (instance instanceof AuditorMetrics given) {
        metrics = given;
      } else {
        LOGGER.warn("{} configured without {}: no output metrics", getClass().getName(), INSTANCE_CONFIG);
      }
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
      if (metrics != null) {
        metrics.onSend(record.topic(), record.value());
      }
      return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}
  }
}
