package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.TestBundles;
import io.agentauditor.runtime.AuditorApp;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

  /** Startup must stop before the topology for every error these tests make. */
  private static final AuditorApp.TopologyFactory NEVER =
      (topics, serdeConfig, policy, cachedRecords, listener, shadow) -> {
        throw new AssertionError("the topology must not be built");
      };

  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  @Test
  void shouldExitTwoNamingTheKeyAndTheBadValueOfAnInvalidConfig() throws IOException {
    // Given
    Path config =
        write(
            "auditor.yaml",
            "bootstrap.servers: 127.0.0.1:9\n"
                + "schema.registry.url: mock://run-test\n"
                + "topics:\n  partitions: zero\n"
                + "processing.guarantee: exactly_once\n");
    // When
    int code = run(Map.of(), "run", "--config", config.toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("topics.partitions=zero")
        .contains("processing.guarantee=exactly_once");
  }

  @Test
  void shouldExitTwoNamingTheEnvironmentVariableThatBrokeTheConfig() throws IOException {
    // Given
    Path config = write("auditor.properties", "schema.registry.url=mock://run-test\n");
    // When
    int code =
        run(
            Map.of("AUDITOR_BOOTSTRAP_SERVERS", "127.0.0.1:9", "AUDITOR_HTTP_PORT", "70000"),
            "run",
            "--config",
            config.toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("http.port=70000").contains("AUDITOR_HTTP_PORT");
  }

  @Test
  void shouldExitTwoWhenARequiredKeyIsMissingOrTheFileIsAbsent() throws IOException {
    // Given
    Path config = write("auditor.yaml", "schema.registry.url: mock://run-test\n");
    // When
    int missingKey = run(Map.of(), "run", "--config", config.toString());
    int missingFile = run(Map.of(), "run", "--config", tmp.resolve("nope.yaml").toString());
    // Then
    assertThat(missingKey).isEqualTo(2);
    assertThat(missingFile).isEqualTo(2);
    assertThat(err.toString()).contains("bootstrap.servers").contains("nope.yaml");
  }

  @Test
  void shouldExitTwoListingEveryErrorOfABundleThatDoesNotLoad() throws IOException {
    // Given the test bundle with an error in each file
    Path broken = TestBundles.fixture("broken").toAbsolutePath();
    Path config =
        write(
            "auditor.yaml",
            "bootstrap.servers: 127.0.0.1:9\n"
                + "schema.registry.url: mock://run-test\n"
                + "policies.dir: "
                + broken
                + "\n");
    // When
    int code = run(Map.of(), "run", "--config", config.toString());
    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("does not load")
        .contains(broken.resolve("rules.yaml") + ":")
        .contains(broken.resolve("tools.yaml") + ":");
  }

  private int run(Map<String, String> env, String... args) {
    CommandLine commandLine = new CommandLine(new RunCommand(NEVER, env));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(java.util.Arrays.copyOfRange(args, 1, args.length));
  }

  private Path write(String name, String content) throws IOException {
    Path file = tmp.resolve(name);
    Files.writeString(file, content);
    return file;
  }
}
