package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.testing.KafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./auditor run --config FILE} as an operator runs it, on a real broker: its --help promises
 * exit 0 after SIGTERM and exit 2 for an invalid configuration.
 */
class RunCommandIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @TempDir Path tmp;

  @Test
  void shouldStopCleanlyOnSigtermOnceHealthy() throws Exception {
    // Given the auditor running in its own JVM, healthy
    String prefix = KafkaBroker.uniqueName("sigterm");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path config = write(prefix, tmp.resolve("state").toString(), port);
    Path log = tmp.resolve("run.log");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.agentauditor.schema",
                "-cp",
                System.getProperty("java.class.path"),
                AuditorCli.class.getName(),
                "run",
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI health = URI.create("http://127.0.0.1:" + port + "/health");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(
              () ->
                  http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString())
                      .body()
                      .contains("\"state\":\"RUNNING\""));

      // When it is sent SIGTERM (Process.destroy on Unix)
      process.destroy();

      // Then it stops cleanly, and the JVM reports the signal as --help documents: 128 + 15
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(log)).contains("agent-auditor stopped");
      assertThat(process.exitValue()).as("exit code after SIGTERM").isEqualTo(143);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void shouldExitTwoNamingAStateDirThatCannotBeCreated() throws Exception {
    // Given a state.dir that cannot be created
    String prefix = KafkaBroker.uniqueName("statedir");
    Path config = write(prefix, "/proc/agent-auditor-state", 0);
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new RunCommand(AuditorTopology::build, Map.of()));
    commandLine.setErr(new PrintWriter(err, true));

    // When
    int code = commandLine.execute("--config", config.toString());

    // Then
    assertThat(err.toString())
        .contains("state.dir")
        .contains("/proc/agent-auditor-state")
        .doesNotContain("\tat ");
    assertThat(code).isEqualTo(2);
  }

  private Path write(String prefix, String stateDir, int port) throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("bootstrap.servers: ").append(KAFKA.bootstrapServers()).append('\n');
    yaml.append("schema.registry.url: mock://").append(prefix).append('\n');
    yaml.append("application.id: ").append(prefix).append('\n');
    for (String role : List.of("events", "decisions", "violations", "credentials", "dead.letters")) {
      yaml.append("topics.").append(role).append(": ").append(prefix).append('-')
          .append(role.replace('.', '-')).append('\n');
    }
    yaml.append("topics.partitions: 1\ntopics.replication.factor: 1\n");
    yaml.append("rocksdb.memory.bytes: ").append(32L * 1024 * 1024).append('\n');
    yaml.append("state.dir: ").append(stateDir).append('\n');
    yaml.append("http.port: ").append(port).append('\n');
    yaml.append("policies.dir: ").append(Path.of("../policies").toAbsolutePath()).append('\n');
    Path file = tmp.resolve(prefix + ".yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
