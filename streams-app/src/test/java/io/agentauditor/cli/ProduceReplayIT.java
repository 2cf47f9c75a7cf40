package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.TestBundles;
import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.registry.SchemaRegistryHttpServer;
import io.agentauditor.testing.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./auditor produce} of a JSON Lines file to a topic, through a schema registry served over
 * real HTTP, then {@code replay --topic} of that topic: invalid lines are reported as {@code replay}
 * reports them, and the topic replays to the decisions of the file.
 */
class ProduceReplayIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @TempDir Path tmp;

  @Test
  void shouldProduceAFileThatReplaysFromTheTopicAsTheFileReplays() throws IOException {
    // Given the demo session with two invalid lines, a 3-partition topic and a registry over HTTP
    List<String> lines = new ArrayList<>(demoScenario());
    lines.add(3, "{\"eventId\":\"bad\"}");
    lines.add(8, "");
    Path input = tmp.resolve("events.jsonl");
    Files.write(input, lines, StandardCharsets.UTF_8);
    String topic = KafkaBroker.uniqueName("produced-events");
    KAFKA.createTopic(topic, 3, Map.of("retention.ms", "-1"));
    String scope = KafkaBroker.uniqueName("registry");
    Path kafkaConfig = tmp.resolve("client.properties");
    Files.writeString(
        kafkaConfig, "bootstrap.servers=" + KAFKA.bootstrapServers() + "\nclient.id=produce-replay-it\n");
    try (SchemaRegistryHttpServer registry =
        SchemaRegistryHttpServer.start(InMemorySchemaRegistry.named(scope), 0)) {
      String url = registry.uri().toString();
      Result fileReplay = run("replay", "--input", input.toString());

      // When
      Result produced =
          run(
              "produce",
              "--input", input.toString(),
              "--bootstrap-servers", KAFKA.bootstrapServers(),
              "--topic", topic,
              "--schema-registry", url);
      Result topicReplay =
          run(
              "replay",
              "--kafka-config", kafkaConfig.toString(),
              "--topic", topic,
              "--schema-registry", url,
              "--output", tmp.resolve("replayed.jsonl").toString());

      // Then
      assertThat(produced.code()).as("produce: %s", produced.err()).isEqualTo(3);
      List<String> producedErr = produced.err().lines().toList();
      assertThat(producedErr.subList(0, 2))
          .containsExactlyElementsOf(fileReplay.err().lines().filter(l -> l.startsWith("line ")).toList())
          .hasSize(2)
          .allMatch(l -> l.startsWith("line 4: ") || l.startsWith("line 9: "));
      assertThat(producedErr.get(2)).isEqualTo("produce: 17 events sent to " + topic + ", 2 invalid lines");
      assertThat(InMemorySchemaRegistry.named(scope).subjects()).containsExactly(topic + "-value");
      assertThat(topicReplay.code()).as("replay --topic: %s", topicReplay.err()).isZero();
      assertThat(Files.readAllLines(tmp.resolve("replayed.jsonl"), StandardCharsets.UTF_8))
          .containsExactlyElementsOf(fileReplay.out().lines().toList());
    } finally {
      InMemorySchemaRegistry.drop(scope);
    }
  }

  @Test
  void shouldRefuseAReplayWithBothAFileAndATopic() {
    // When
    Result result = run("replay", "--input", "x.jsonl", "--topic", "t", "--bootstrap-servers", "localhost:1");
    // Then
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("either --input FILE or --topic NAME");
  }

  @Test
  void shouldRefuseATopicReplayWithoutARegistry() {
    // When
    Result result = run("replay", "--topic", "t", "--bootstrap-servers", "localhost:1");
    // Then
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("--schema-registry is required with --topic");
  }

  private record Result(int code, String out, String err) {}

  /** Runs the command line in-process with the repository's bundle; stdout to a file. */
  private Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (args[0].equals("replay")) {
      all.add(1, "--policies");
      all.add(2, TestBundles.defaultBundle().toString());
    }
    Path out = tmp.resolve("stdout-" + System.nanoTime());
    boolean toFile = args[0].equals("replay") && !all.contains("--output");
    if (toFile) {
      all.add("--output");
      all.add(out.toString());
    }
    CommandLine cli = AuditorCli.newCommandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(all.toArray(String[]::new));
    try {
      return new Result(code, toFile && Files.exists(out) ? Files.readString(out) : "", err.toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> demoScenario() throws IOException {
    try (InputStream in =
        ProduceReplayIT.class.getClassLoader().getResourceAsStream("scenarios/demo-session.jsonl")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }
  }
}
