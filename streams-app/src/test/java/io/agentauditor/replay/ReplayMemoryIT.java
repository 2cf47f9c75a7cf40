package io.agentauditor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.TestBundles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./auditor replay} in a small heap, as a separate JVM on the packaged jar: retries of a
 * large decision (a session end with 1,000 live credentials answers with 1,000 findings each time)
 * must not pile up between the replay's threads.
 */
class ReplayMemoryIT {

  private static final int CREDENTIALS = 1_000;
  private static final int RETRIES = 1_200;

  @Test
  void shouldReplayRetriesOfALargeDecisionInASmallHeap(@TempDir Path tmp) throws Exception {
    // Given 678 bytes per retry in, some 235 KB per retry out
    Path input = tmp.resolve("events.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
      w.write(
          "{\"eventId\":\"e0\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\",\"occurredAt\":"
              + "\"2026-01-01T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":"
              + "\"u\",\"grantedScopes\":[\"read:repo/**\"]}}\n");
      for (int i = 0; i < CREDENTIALS; i++) {
        w.write(
            "{\"eventId\":\"c" + i + "\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\","
                + "\"occurredAt\":\"2026-01-01T10:00:01Z\",\"type\":\"CREDENTIAL_ISSUED\","
                + "\"credential\":{\"credentialId\":\"k" + i + "\",\"subjectAgentId\":\"agent:root\","
                + "\"scopes\":[\"read:repo/a\"],\"kind\":\"SHORT_LIVED_TOKEN\",\"ttlSeconds\":3600,"
                + "\"storage\":\"MEMORY\"}}\n");
      }
      for (int i = 0; i < RETRIES; i++) {
        w.write(
            "{\"eventId\":\"end\",\"sessionId\":\"s1\",\"agentId\":\"agent:root\",\"occurredAt\":"
                + "\"2026-01-01T10:00:02Z\",\"type\":\"SESSION_ENDED\"}\n");
      }
    }
    Path output = tmp.resolve("decisions.jsonl");

    // When it is replayed by a JVM with a 128 MiB heap
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.agentauditor.schema");
    command.add("-cp");
    command.add(classPath());
    command.add("io.agentauditor.cli.AuditorCli");
    command.addAll(
        List.of(
            "replay",
            "--policies", TestBundles.defaultBundle().toString(),
            "--input", input.toString(),
            "--output", output.toString()));
    Process replay =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
    boolean ended = replay.waitFor(5, TimeUnit.MINUTES);

    // Then it ends well, every record decided (the end, its retries, the rest)
    assertThat(ended).isTrue();
    assertThat(replay.exitValue()).as(Files.readString(tmp.resolve("log"))).isZero();
    try (Stream<String> lines = Files.lines(output)) {
      assertThat(lines.count()).isEqualTo(1 + CREDENTIALS + RETRIES);
    }
  }

  /** The packaged application jar and its dependencies, as {@code ./auditor} runs them. */
  private static String classPath() throws IOException {
    Path target = Path.of("target");
    try (Stream<Path> jars = Files.list(target)) {
      Path app =
          jars.filter(p -> p.getFileName().toString().matches("agent-auditor-streams-app-.*[0-9T]\\.jar"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no application jar in target/"));
      return app + java.io.File.pathSeparator + target.resolve("lib").resolve("*");
    }
  }
}
