package io.agentauditor.cli;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.registry.SchemaRegistryException;
import io.agentauditor.replay.EventSource;
import io.agentauditor.replay.JsonLinesSource;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.EventAppends;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./auditor produce --input FILE --bootstrap-servers HOST:PORT --topic NAME
 * --schema-registry URL}: JSON Lines events (contract section 2) to the events topic, in Avro
 * through the registry, keyed by {@code sessionId}, with an idempotent producer ({@code acks=all}),
 * in input order. Each line is validated as {@code replay} validates it; an invalid line is not sent
 * and is reported on stderr exactly as {@code replay} reports it ({@code line N: reason}).
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    header = "Send JSON Lines events to the events topic, in Avro through the registry.",
    description =
        "Send agent events, one JSON object per line, to the events topic of a Kafka cluster as "
            + "the auditor reads them: Avro in the Confluent wire format (the schema registered "
            + "under <topic>-value), keyed by sessionId, in input order, with an idempotent "
            + "producer (acks=all). Lines are validated as replay validates them: an invalid line "
            + "is not sent and is reported on stderr as 'line N: reason'. A summary line ends "
            + "stderr.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every line was sent",
      "3:at least one line was invalid (the others were sent)",
      "2:usage error, unreadable input, or a cluster or registry that refused or did not answer"
    })
public final class ProduceCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int DEAD_LETTERS = 3;
  static final int ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description = "Events, one JSON object per line; - reads standard input.")
  Path input;

  @CommandLine.Mixin TopicOptions topic;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (topic.from != null || topic.to != null) {
      err.println("produce: --from and --to select what replay reads; produce sends every line");
      err.flush();
      return ERROR;
    }
    long sent;
    long invalid = 0;
    AtomicLong acknowledged = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (InputStream in = EventFiles.openInput(input);
        AvroSerde<AgentEvent> values = AvroSerde.of(AgentEvent.class, topic.serdeConfig(), false);
        KafkaProducer<String, AgentEvent> producer =
            new KafkaProducer<>(EventAppends.producerConfig(topic.clientConfig()), new StringSerializer(), values)) {
      sent = 0;
      EventSource source = new JsonLinesSource(in);
      EventSource.Record record;
      while ((record = source.next()) != null && failure.get() == null) {
        if (record.event() == null) {
          invalid++;
          err.println("line " + record.position() + ": " + record.deadLetter());
          continue;
        }
        AgentEvent event = EventMapper.toAvro(record.event());
        producer.send(
            new ProducerRecord<>(topic.topic, event.getSessionId(), event),
            (metadata, e) -> {
              if (e == null) {
                acknowledged.incrementAndGet();
              } else {
                failure.compareAndSet(null, e);
              }
            });
        sent++;
      }
      producer.flush();
    } catch (NoSuchFileException | FileNotFoundException e) {
      err.println("produce: no such file: " + e.getMessage());
      err.flush();
      return ERROR;
    } catch (TopicOptions.UsageException | IOException | KafkaException | SchemaRegistryException e) {
      err.println("produce: " + e.getMessage());
      err.flush();
      return ERROR;
    }
    if (failure.get() != null) {
      err.println(
          "produce: the cluster refused an event (" + failure.get().getMessage() + "); "
              + acknowledged.get() + " of " + sent + " events sent were acknowledged");
      err.flush();
      return ERROR;
    }
    err.println(
        "produce: " + sent + (sent == 1 ? " event" : " events") + " sent to " + topic.topic + ", "
            + invalid + (invalid == 1 ? " invalid line" : " invalid lines"));
    err.flush();
    return invalid == 0 ? OK : DEAD_LETTERS;
  }
}
