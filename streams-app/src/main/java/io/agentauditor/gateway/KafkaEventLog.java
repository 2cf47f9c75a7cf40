package io.agentauditor.gateway;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.model.Step;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.EventAppends;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events topic as the decision API's {@link EventLog}: an idempotent producer with {@code
 * acks=all}, key {@code sessionId}, value the Avro {@link AgentEvent}, so one session's events
 * keep their order and a resend is not doubled.
 */
public final class KafkaEventLog implements EventLog, AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaEventLog.class);
  private static final Duration METADATA_MAX_IDLE = Duration.ofDays(1);
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final String topic;
  private final KafkaProducer<String, AgentEvent> producer;

  /**
   * @param clientProperties bootstrap servers and client settings (TLS, SASL)
   * @param serdeConfig the Avro serde's configuration (schema registry)
   * @param topic the events topic
   * @param deadline the decision API's deadline: the longest an append may wait for the topic's
   *     metadata or for buffer space before the step is refused as not appended
   */
  public KafkaEventLog(
      Map<String, Object> clientProperties,
      Map<String, ?> serdeConfig,
      String topic,
      Duration deadline) {
    this.topic = topic;
    this.producer =
        new KafkaProducer<>(
            producerConfig(clientProperties, deadline),
            new StringSerializer(),
            AvroSerde.of(AgentEvent.class, serdeConfig, false));
    try {
      // The topic's metadata now, so that the first request does not wait for it.
      producer.partitionsFor(topic);
    } catch (KafkaException e) {
      LOGGER.info("Decision API: no metadata for {} yet ({}); the first append fetches it", topic, e.toString());
    }
  }

  /**
   * {@link EventAppends#producerConfig}'s settings (idempotent, {@code acks=all}, one request in
   * flight: without it, events lost to KAFKA-14359 would have been answered 504, "in the log"),
   * and no linger.
   *
   * <p>{@code max.block.ms} is the API's deadline, not the client's minute: an append runs while
   * the session's other requests wait, and past the deadline its request is answered anyway. So
   * the topic's metadata is kept however long the API is idle ({@code metadata.max.idle.ms}; the
   * client drops it after 5 minutes by default): else the first request after a quiet spell would
   * have only the deadline to fetch it again, and a slow fetch would be a 503. It is still
   * refreshed every {@code metadata.max.age.ms}.
   */
  static Map<String, Object> producerConfig(Map<String, Object> clientProperties, Duration deadline) {
    Map<String, Object> props = EventAppends.producerConfig(clientProperties);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1, deadline.toMillis()));
    props.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, METADATA_MAX_IDLE.toMillis());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "agent-auditor-decision-api");
    return props;
  }

  @Override
  public void append(Step step, Consumer<Exception> notAppended) {
    producer.send(
        new ProducerRecord<>(topic, step.sessionId(), EventMapper.toAvro(step)),
        (metadata, e) -> {
          if (e != null) {
            LOGGER.warn(
                "Decision API: {}/{} not appended: {}", step.sessionId(), step.eventId(), e.toString());
            notAppended.accept(e);
          }
        });
  }

  @Override
  public void close() {
    // Bounded: appends still waiting for the cluster fail (reported not appended) instead of
    // holding the shutdown for the client's delivery timeout.
    producer.close(CLOSE_TIMEOUT);
  }
}
