package io.agentauditor.gateway;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.model.Step;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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

  private final String topic;
  private final KafkaProducer<String, AgentEvent> producer;

  /**
   * @param clientProperties bootstrap servers and client settings (TLS, SASL)
   * @param serdeConfig the Avro serde's configuration (schema registry)
   * @param topic the events topic
   */
  public KafkaEventLog(
      Map<String, Object> clientProperties, Map<String, ?> serdeConfig, String topic) {
    this.topic = topic;
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "agent-auditor-decision-api");
    this.producer =
        new KafkaProducer<>(
            props, new StringSerializer(), AvroSerde.of(AgentEvent.class, serdeConfig, false));
  }

  @Override
  public void append(Step step) {
    producer.send(
        new ProducerRecord<>(topic, step.sessionId(), EventMapper.toAvro(step)),
        (metadata, e) -> {
          if (e != null) {
            LOGGER.warn(
                "Decision API: appending {}/{} failed: {}", step.sessionId(), step.eventId(), e.toString());
          }
        });
  }

  @Override
  public void close() {
    producer.close();
  }
}
