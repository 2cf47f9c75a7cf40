package io.agentauditor.runtime;

import io.agentauditor.codec.DecisionDifference;
import io.agentauditor.model.Step;
import io.agentauditor.schema.Decision;
import io.agentauditor.schema.Finding;
import io.agentauditor.schema.RuleMode;
import io.agentauditor.schema.Verdict;
import io.agentauditor.streams.DeadLetterHeaders;
import io.agentauditor.streams.DecisionListener;
import io.agentauditor.streams.TopicNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auditor's own meters, next to Kafka Streams' metrics bound through Micrometer's {@link
 * KafkaStreamsMetrics} ({@code kafka_stream_*}). Names as scraped from {@code /metrics}:
 *
 * <ul>
 *   <li>{@code auditor_records_in_total{topic}}: input records that reached the topology, counted
 *       where they arrive (the source's deserializer, before decoding), so that {@code records_in =
 *       decisions{trigger="event"} + dead_letters} whatever becomes of them;
 *   <li>{@code auditor_records_out_total{topic}}: records sent to each output topic, dead letters
 *       included;
 *   <li>{@code auditor_decisions_total{trigger,verdict}}: decisions sent, by verdict; {@code
 *       trigger} is {@code event} for a decision on an input record, {@code idle_timeout} for one
 *       the engine made when a session went idle (contract 9.3);
 *   <li>{@code auditor_findings_total{rule,action,mode}}: findings of the decisions sent, by rule
 *       id, action (FLAG, BLOCK) and mode (ENFORCE, SHADOW);
 *   <li>{@code auditor_dead_letters_total{reason}}: records sent to the dead-letter topic, by
 *       Kafka Streams' exception handlers or the topology, by reason (the failure's kind, e.g.
 *       {@code invalid_agent_event}, {@code avro_serialization});
 *   <li>{@code auditor_decision_latency_seconds}: from the record's arrival at the audit processor
 *       to its decision handed to the producer (a histogram);
 *   <li>{@code auditor_event_age_seconds}: the task's stream time minus the event's {@code
 *       occurredAt} when it is decided: how far behind the stream an event arrived (a histogram);
 *   <li>{@code auditor_state_store_keys{task}}, {@code auditor_state_store_sst_bytes{task}}:
 *       RocksDB's {@code estimate-num-keys} and {@code total-sst-files-size} of each task's stores,
 *       as of the last scrape ({@link #refresh()});
 *   <li>with a shadow bundle (contract section 12), read from the records sent to its
 *       disagreements topic: {@code auditor_shadow_disagreements_total{transition}}, events on
 *       which the shadow and live bundles disagree, by {@code LIVE->SHADOW} verdict transition
 *       ({@code NONE} for an idle timeout only one made), and {@code
 *       auditor_shadow_disagreement_rules_total{rule,change}}, each rule id the shadow adds ({@code
 *       change=added}) or removes ({@code removed}) on them.
 * </ul>
 *
 * <p>Input-side, latency and decision meters come through the topology's {@link DecisionListener}
 * ({@link #listener()}): decisions and findings are counted from the decision record the
 * decisions sink has just serialized within the output bound ({@link DecisionListener#sent}), so a
 * decision that becomes a dead letter instead is counted as that dead letter only, and nothing is
 * decoded again to count it. Records out, dead letters and shadow disagreements are counted by a
 * producer interceptor ({@link OutputInterceptor}) that the Streams producers get through {@link
 * #instrument(Properties)}: it sees every record the topology and the exception handlers send.
 * Under exactly-once a record is counted when it is sent (and an input record when it is decoded),
 * so the records of a transaction that is later aborted are counted again when they are processed
 * again: the counters are "sent", not "committed", on both sides of the balance.
 *
 * <p>Lifecycle: construct, {@link #instrument} the Streams properties, {@link #bind} the {@code
 * KafkaStreams} built from them, {@link #close()} after Streams closed. Thread-safe.
 */
public final class AuditorMetrics implements AutoCloseable {

  /** Producer config key under which the interceptor finds this object. */
  static final String INSTANCE_CONFIG = "auditor.metrics.instance";

  private static final Logger LOGGER = LoggerFactory.getLogger(AuditorMetrics.class);
  private static final String STATE_GROUP = "stream-state-metrics";
  private static final String IDLE_TIMEOUT_SUFFIX = Step.IDLE_TIMEOUT_SUFFIX;
  private static final int ACTIONS = Verdict.values().length;
  /** A finding's modes, and null. */
  private static final int MODES = RuleMode.values().length + 1;

  private final MeterRegistry registry;
  private final TopicNames topics;
  private final Map<String, Counter> recordsOut = new HashMap<>();
  private final Map<Verdict, Counter> eventVerdicts = new EnumMap<>(Verdict.class);
  private final Map<Verdict, Counter> timeoutVerdicts = new EnumMap<>(Verdict.class);
  /** Finding counters by rule id, then by action and mode ({@link #findingCounter}). */
  private final Map<String, AtomicReferenceArray<Counter>> findings = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Counter recordsIn;
  private final String disagreementsTopic;
  private final Counter undecodedDisagreements;
  private final Timer latency;
  private final Timer eventAge;
  private final MultiGauge storeKeys;
  private final MultiGauge storeBytes;
  private KafkaStreams streams;
  private KafkaStreamsMetrics streamsMetrics;

  /**
   * @param registry where every meter is registered
   * @param topics the auditor's topics; input and output meters are tagged with these names
   */
  public AuditorMetrics(MeterRegistry registry, TopicNames topics) {
    this(registry, topics, null);
  }

  /**
   * @param disagreementsTopic the shadow bundle's disagreements topic, null without a shadow
   * @see #AuditorMetrics(MeterRegistry, TopicNames)
   */
  public AuditorMetrics(MeterRegistry registry, TopicNames topics, String disagreementsTopic) {
    this.registry = registry;
    this.disagreementsTopic = disagreementsTopic;
    this.undecodedDisagreements =
        Counter.builder("auditor.metrics.undecoded.disagreements")
            .description("Disagreement records the metrics could not read")
            .register(registry);
    this.topics = topics;
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
      eventVerdicts.put(verdict, decisionCounter(registry, "event", verdict));
      timeoutVerdicts.put(verdict, decisionCounter(registry, "idle_timeout", verdict));
    }
    this.recordsIn =
        Counter.builder("auditor.records.in")
            .description("Input records that reached the topology, counted before decoding")
            .tag("topic", topics.events())
            .register(registry);
    this.latency =
        Timer.builder("auditor.decision.latency")
            .description("From a record's arrival at the audit processor to its decision sent")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    this.eventAge =
        Timer.builder("auditor.event.age")
            .description("Stream time minus the event's occurredAt when it is decided")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofDays(7))
            .register(registry);
    this.storeKeys =
        MultiGauge.builder("auditor.state.store.keys")
            .description("Estimated keys in the RocksDB stores of a task (rocksdb.estimate-num-keys)")
            .register(registry);
    this.storeBytes =
        MultiGauge.builder("auditor.state.store.sst.bytes")
            .description("Size of the SST files of a task's RocksDB stores (total-sst-files-size)")
            .baseUnit("bytes")
            .register(registry);
  }

  private static Counter decisionCounter(MeterRegistry registry, String trigger, Verdict verdict) {
    return Counter.builder("auditor.decisions")
        .description("Decisions sent, by verdict; trigger: event or idle_timeout")
        .tag("trigger", trigger)
        .tag("verdict", verdict.name())
        .register(registry);
  }

  /**
   * The topology's listener feeding the input-side and decision meters: records in, latency, event
   * age, decisions and findings sent.
   */
  public DecisionListener listener() {
    return new DecisionListener() {
      @Override
      public void decided(io.agentauditor.model.Decision decision) {}

      @Override
      public void decided(
          io.agentauditor.model.Decision decision, long arrivedNanos, long streamTimeMillis) {
        latency.record(System.nanoTime() - arrivedNanos, TimeUnit.NANOSECONDS);
        if (streamTimeMillis >= 0) {
          eventAge.record(
              Math.max(0, streamTimeMillis - decision.occurredAtMillis()), TimeUnit.MILLISECONDS);
        }
      }

      @Override
      public void received(String topic) {
        recordsIn.increment();
      }

      @Override
      public void sent(Decision record) {
        countDecision(record);
      }
    };
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
   * Binds Kafka Streams' own metrics to the registry, and keeps {@code streams} for the per-task
   * store meters. Call once, before or after {@code streams.start()}.
   */
  public synchronized void bind(KafkaStreams streams) {
    this.streams = streams;
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
  }

  /**
   * Reads the per-task store sizes from Kafka Streams' RocksDB metrics: the tasks of an instance
   * come and go with rebalances, so the rows are replaced at each scrape.
   */
  public synchronized void refresh() {
    if (streams == null) {
      return;
    }
    storeKeys.register(rowsByTask(streams, "estimate-num-keys"), true);
    storeBytes.register(rowsByTask(streams, "total-sst-files-size"), true);
  }

  private static List<MultiGauge.Row<?>> rowsByTask(KafkaStreams streams, String name) {
    Map<String, Double> byTask = new TreeMap<>();
    for (Map.Entry<MetricName, ? extends Metric> entry : streams.metrics().entrySet()) {
      MetricName metricName = entry.getKey();
      String task = metricName.tags().get("task-id");
      if (task != null
          && metricName.group().equals(STATE_GROUP)
          && metricName.name().equals(name)
          && entry.getValue().metricValue() instanceof Number value
          && !Double.isNaN(value.doubleValue())) {
        byTask.merge(task, value.doubleValue(), Double::sum);
      }
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    byTask.forEach((task, value) -> rows.add(MultiGauge.Row.of(Tags.of("task", task), value)));
    return rows;
  }

  void onSend(String topic, Headers headers, byte[] value) {
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
      deadLetters
          .computeIfAbsent(
              reason(headers),
              reason ->
                  Counter.builder("auditor.dead.letters")
                      .description("Records sent to the dead-letter topic, by reason")
                      .tag("reason", reason)
                      .register(registry))
          .increment();
    }
  }

  private void countDecision(Decision decision) {
    boolean timeout = decision.getEventId().endsWith(IDLE_TIMEOUT_SUFFIX);
    (timeout ? timeoutVerdicts : eventVerdicts).get(decision.getVerdict()).increment();
    for (Finding finding : decision.getFindings()) {
      findingCounter(finding).increment();
    }
  }

  /**
   * The counter of {@code finding}'s rule id, action and mode: looked up by the rule id, then by
   * the two enums' ordinals, so counting a finding builds no key.
   */
  private Counter findingCounter(Finding finding) {
    String rule = finding.getRuleId();
    AtomicReferenceArray<Counter> byActionAndMode =
        findings.computeIfAbsent(rule, r -> new AtomicReferenceArray<>(ACTIONS * MODES));
    RuleMode mode = finding.getMode();
    // a null mode (a record built in code) is its own label, "null", as String.valueOf gives it
    int slot = finding.getAction().ordinal() * MODES + (mode == null ? 0 : mode.ordinal() + 1);
    Counter counter = byActionAndMode.get(slot);
    if (counter == null) {
      // the registry gives two threads racing here the same meter
      counter =
          Counter.builder("auditor.findings")
              .description("Findings of the decisions sent, by rule id, action and mode")
              .tag("rule", rule)
              .tag("action", finding.getAction().name())
              .tag("mode", String.valueOf(mode))
              .register(registry);
      byActionAndMode.set(slot, counter);
    }
    return counter;
  }

  /**
   * The dead letter's reason as a label: the failure's exception class, without its package and
   * its {@code Exception} suffix, in snake case ({@code InvalidAgentEventException} is {@code
   * invalid_agent_event}); a bounded set, unlike the message.
   */
  static String reason(Headers headers) {
    Header header = headers == null ? null : headers.lastHeader(DeadLetterHeaders.EXCEPTION);
    if (header == null || header.value() == null) {
      return "unknown";
    }
    String type = new String(header.value(), StandardCharsets.UTF_8);
    String simple = type.substring(type.lastIndexOf('.') + 1).replace('$', '_');
    if (simple.endsWith("Exception") && simple.length() > "Exception".length()) {
      simple = simple.substring(0, simple.length() - "Exception".length());
    }
    return simple.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
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
        metrics.onSend(record.topic(), record.headers(), record.value());
      }
      return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}
  }
}
