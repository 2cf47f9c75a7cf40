package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.runtime.AuditorApp;
import io.agentauditor.streams.AuditorTopology;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * README "Configuration": errors name the key and the bad value, and {@code run} exits 2 for an
 * invalid configuration (its --help exit codes), with a message rather than a stack trace. These
 * values fail inside the Kafka clients, before any connection is attempted.
 */
class RunCommandConfigErrorsTest {

  private static final AuditorApp.TopologyFactory PRODUCTION = AuditorTopology::build;

  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  @Test
  void shouldExitTwoNamingABootstrapServerThatIsNotHostAndPort() throws IOException {
    // Given
    Path config =
        write("bootstrap.servers: notahost\nschema.registry.url: mock://run-errors\nhttp.port: 0\n");
    // When
    int code = run(config);
    // Then
    assertThat(err.toString()).contains("bootstrap.servers").contains("notahost").doesNotContain("\tat ");
    assertThat(code).isEqualTo(2);
  }

  @Test
  void shouldExitTwoNamingAPassThroughClientKeyWithABadValue() throws IOException {
    // Given
    Path config =
        write(
            "bootstrap.servers: 127.0.0.1:9\nschema.registry.url: mock://run-errors\nhttp.port: 0\n"
                + "kafka.security.protocol: FOO\n");
    // When
    int code = run(config);
    // Then
    assertThat(err.toString()).contains("kafka.security.protocol").contains("FOO").doesNotContain("\tat ");
    assertThat(code).isEqualTo(2);
  }

  @Test
  void shouldExitOneInOneLineNamingTheBootstrapServersWhenNoBrokerAnswers() throws IOException {
    // Given a port nothing listens on, and a short startup timeout
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path config =
        write(
            "bootstrap.servers: 127.0.0.1:" + port + "\nschema.registry.url: mock://run-errors\n"
                + "http.port: 0\nstartup.timeout.ms: 2000\nstate.dir: " + tmp.resolve("state") + "\n"
                + "policies.dir: ../policies\n");

    // When
    int code = run(config);

    // Then
    assertThat(code).isEqualTo(1);
    assertThat(err.toString().lines().toList())
        .singleElement()
        .asString()
        .startsWith("run: cannot start: no Kafka broker answered at bootstrap.servers=127.0.0.1:" + port)
        .contains("within 2000 ms (startup.timeout.ms)");
  }

  private int run(Path config) {
    CommandLine commandLine = new CommandLine(new RunCommand(PRODUCTION, Map.of()));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute("--config", config.toString());
  }

  private Path write(String content) throws IOException {
    Path file = tmp.resolve("auditor.yaml");
    Files.writeString(file, content);
    return file;
  }
}
