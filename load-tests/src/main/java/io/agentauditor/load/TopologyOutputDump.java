package io.agentauditor.load;

import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.streams.TopicNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Every output record of the production topology for the first {@code N} generated events
 * ({@code SessionGenerator.realistic(42)}), one line each: topic, timestamp, then key, value and
 * headers in base64. Two builds whose files {@code cmp} equal wrote the same decisions, violations,
 * credentials and dead letters byte for byte. Run by hand:
 *
 * <pre>java -cp ... io.agentauditor.load.TopologyOutputDump EVENTS POLICIES_DIR OUTPUT_FILE</pre>
 *
 * <p>Runs on a {@code TopologyTestDriver} (at-least-once, in-memory registry), which commits after
 * every record: what is compared is the outputs, not the changelog.
 */
public final class TopologyOutputDump {

  private static final int DRAIN_EVERY = 1_000;

  private TopologyOutputDump() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: TopologyOutputDump EVENTS POLICIES_DIR OUTPUT_FILE");
      System.exit(2);
    }
    int events = Integer.parseInt(args[0]);
    Path stateDir = Files.createTempDirectory("agent-auditor-output-dump-");
    TopicNames topics =
        new TopicNames("events", "decisions", "violations", "credentials", "dead-letters");
    AuditorConfig config =
        AuditorConfig.fromMap(
            Map.of(
                AuditorConfig.BOOTSTRAP_SERVERS, "unused:9092",
                AuditorConfig.SCHEMA_REGISTRY_URL, "mock://output-dump",
                AuditorConfig.STATE_DIR, stateDir.toString(),
                AuditorConfig.TOPIC_EVENTS, topics.events(),
                AuditorConfig.TOPIC_DECISIONS, topics.decisions(),
                AuditorConfig.TOPIC_VIOLATIONS, topics.violations(),
                AuditorConfig.TOPIC_CREDENTIALS, topics.credentials(),
                AuditorConfig.TOPIC_DEAD_LETTERS, topics.deadLetters()),
            Map.of());
    Map<String, Object> serdeConfig = config.serdeConfig();
    Properties properties = config.streamsProperties();
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    SessionGenerator generator = SessionGenerator.realistic(42);
    try (TopologyTestDriver driver =
            new TopologyTestDriver(
                AuditorTopology.build(
                    config.topics(), serdeConfig, PolicyBundleLoader.load(Path.of(args[1]))),
                properties);
        AvroSerde<AgentEvent> serde = AvroSerde.of(AgentEvent.class, serdeConfig, false);
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
      TestInputTopic<String, AgentEvent> in =
          driver.createInputTopic(topics.events(), new StringSerializer(), serde);
      List<String> outputs =
          List.of(
              topics.decisions(), topics.violations(), topics.credentials(), topics.deadLetters());
      for (int i = 1; i <= events; i++) {
        AgentEvent event = generator.next();
        in.pipeInput(event.getSessionId(), event, event.getOccurredAt());
        if (i % DRAIN_EVERY == 0 || i == events) {
          for (String topic : outputs) {
            drain(driver, topic, out);
          }
        }
      }
      if (out.checkError()) {
        throw new UncheckedIOException(new IOException("cannot write " + args[2]));
      }
    }
  }

  private static void drain(TopologyTestDriver driver, String topic, PrintWriter out) {
    Base64.Encoder base64 = Base64.getEncoder();
    TestOutputTopic<byte[], byte[]> records =
        driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    for (TestRecord<byte[], byte[]> r : records.readRecordsToList()) {
      StringBuilder line = new StringBuilder(topic).append(' ').append(r.timestamp());
      line.append(' ').append(r.key() == null ? "-" : base64.encodeToString(r.key()));
      line.append(' ').append(r.value() == null ? "-" : base64.encodeToString(r.value()));
      for (Header h : r.headers()) {
        line.append(' ').append(h.key()).append('=');
        line.append(h.value() == null ? "-" : base64.encodeToString(h.value()));
      }
      out.println(line);
    }
  }
}
