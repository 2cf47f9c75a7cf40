package io.agentauditor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.cli.AuditorCli;
import io.agentauditor.cli.AuditorSubcommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoSubcommandTest {

  @Test
  void shouldAddDemoToTheAuditorCommandLineThroughServiceLoader() {
    // Given: this module's class path, with its META-INF/services entry
    // When
    CommandLine cli = AuditorCli.newCommandLine();

    // Then
    assertThat(AuditorCli.addedSubcommands().stream().map(AuditorSubcommand::name).toList())
        .containsExactly("demo");
    assertThat(cli.getSubcommands()).containsOnlyKeys("help", "run", "replay", "diff", "produce", "policy", "check", "demo");
    Object demo = cli.getSubcommands().get("demo").getCommand();
    assertThat(demo).isInstanceOf(DemoCommand.class);
  }

  @Test
  void shouldListDemoInTheAuditorHelp() {
    // Given
    CommandLine cli = AuditorCli.newCommandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));

    // When
    int code = cli.execute("--help");

    // Then
    assertThat(code).isZero();
    assertThat(out.toString()).containsPattern("(?m)^\\s+demo\\s+Run the whole pipeline");
  }

  @Test
  void shouldQuietTheEmbeddedBrokersLoggersToErrors() {
    // When
    var levels = new DemoSubcommand().loggerLevels();

    // Then
    assertThat(levels)
        .containsEntry("org.apache.kafka", "error")
        .containsEntry("kafka", "error")
        .containsEntry("state.change.logger", "error");
  }
}
