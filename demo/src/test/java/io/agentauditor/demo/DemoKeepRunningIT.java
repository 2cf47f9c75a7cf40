package io.agentauditor.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.cli.AuditorCli;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./auditor demo --keep-running} serves its schema registry over HTTP: the {@code produce}
 * and {@code replay --topic} commands it prints, run as printed from another command line, send a
 * file to its broker and replay the topic.
 */
class DemoKeepRunningIT {

  private static final String RENAMED = "sess-walkthrough-1";

  @TempDir Path tmp;

  @Test
  void shouldServeItsRegistrySoThePrintedProduceAndReplayCommandsWork() throws Exception {
    // Given the demo, kept running
    StringWriter out = new StringWriter();
    CommandLine demo = new CommandLine(new DemoCommand());
    demo.setOut(new PrintWriter(out, true));
    demo.setErr(new PrintWriter(new StringWriter(), true));
    AtomicInteger exit = new AtomicInteger(-1);
    Thread running = new Thread(() -> exit.set(demo.execute("--policies", "../policies", "--keep-running")));
    running.start();
    try {
      await().atMost(Duration.ofMinutes(3)).until(() -> out.toString().contains("./auditor diff "));
      List<String> printed = out.toString().lines().toList();
      assertThat(printed).anyMatch(l -> l.matches("  schema registry: +http://127\\.0\\.0\\.1:\\d+"));
      Path file = tmp.resolve("walkthrough.jsonl");
      Files.write(file, renamedScenario(), StandardCharsets.UTF_8);

      // When the printed commands are run, FILE.jsonl being the file
      Result produced = run(command(printed, "./auditor produce ").replace("FILE.jsonl", file.toString()));
      Path replayed = tmp.resolve("replayed.jsonl");
      Result replay =
          run(command(printed, "./auditor replay ") + " --policies ../policies --output " + replayed);
      Result fileReplay = run("replay --policies ../policies --input " + file + " --output " + tmp.resolve("file.jsonl"));

      // Then the file went to the demo's topic, which replays to the demo's session and the file's
      assertThat(produced.code()).as("produce: %s", produced.err()).isZero();
      assertThat(replay.code()).as("replay: %s", replay.err()).isZero();
      assertThat(fileReplay.code()).isZero();
      List<String> decisions = Files.readAllLines(replayed, StandardCharsets.UTF_8);
      assertThat(decisions.stream().filter(l -> l.contains("\"sessionId\":\"" + RENAMED + "\"")))
          .containsExactlyElementsOf(Files.readAllLines(tmp.resolve("file.jsonl"), StandardCharsets.UTF_8));
      assertThat(decisions).anyMatch(l -> l.contains("\"sessionId\":\"sess-payments-api-4821\""));
    } finally {
      running.interrupt();
      running.join(Duration.ofSeconds(60).toMillis());
    }
    assertThat(running.isAlive()).isFalse();
  }

  private record Result(int code, String err) {}

  private static String command(List<String> printed, String prefix) {
    return printed.stream()
        .map(String::strip)
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line starts with " + prefix + " in " + printed))
        .substring("./auditor ".length());
  }

  private static Result run(String commandLine) {
    CommandLine cli = AuditorCli.newCommandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(Arrays.stream(commandLine.split(" ")).filter(s -> !s.isEmpty()).toArray(String[]::new));
    return new Result(code, err.toString());
  }

  private static List<String> renamedScenario() throws IOException {
    try (InputStream in = Demo.class.getResourceAsStream(Demo.SCENARIO_RESOURCE)) {
      List<String> lines = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
        if (!line.isBlank()) {
          lines.add(line.replace("sess-payments-api-4821", RENAMED));
        }
      }
      return lines;
    }
  }
}
