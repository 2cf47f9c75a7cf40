package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AuditorCliTest {

  @Test
  void shouldRegisterOnlyItsOwnSubcommandsWhenNoModuleOnTheClassPathAddsOne() {
    // Given: streams-app's test class path, which has no demo module
    // When
    CommandLine cli = AuditorCli.newCommandLine();

    // Then
    assertThat(AuditorCli.addedSubcommands()).isEmpty();
    assertThat(cli.getSubcommands()).containsOnlyKeys("help", "run", "replay", "policy");
  }

  @Test
  void shouldListItsSubcommandsInTheHelpWithoutTheDemo() {
    // Given
    CommandLine cli = AuditorCli.newCommandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));

    // When
    int code = cli.execute("--help");

    // Then
    assertThat(code).isZero();
    assertThat(out.toString()).contains("run", "replay", "policy").doesNotContain("demo");
  }
}
