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
    assertThat(cli.getSubcommands()).containsOnlyKeys("help", "run", "replay", "diff", "produce", "policy", "check");
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
    assertThat(out.toString()).contains("run", "replay", "policy", "check").doesNotContain("demo");
  }

  @Test
  void shouldExitTwoWithTheUsageOnStderrWhenNoCommandIsGiven() {
    // Given
    CommandLine cli = AuditorCli.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    // When
    int code = cli.execute();

    // Then
    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("Missing required subcommand", "Usage: auditor");
  }

  @Test
  void shouldGiveEachCommandAWholeSentenceAsItsSummary() {
    // Given
    CommandLine cli = AuditorCli.newCommandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));

    // When
    cli.execute("--help");

    // Then: every command line of the list ends its sentence
    assertThat(out.toString().lines().filter(l -> l.matches("  (run|replay|policy|check) .*")))
        .hasSize(4)
        .allMatch(l -> l.endsWith("."));
  }

  @Test
  void shouldAcceptTheLogOptionsBeforeOrAfterTheCommandAndFindTheCommandName() {
    // Given
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
    String bundle = io.agentauditor.policy.TestBundles.defaultBundle().toString();

    // When / Then
    assertThat(cli.execute("--log-format", "json", "policy", "check", bundle)).isZero();
    assertThat(cli.execute("policy", "check", "--log-level=debug", bundle)).isZero();
    assertThat(cli.execute("--log-format", "xml", "policy", "check", bundle)).isEqualTo(2);
    assertThat(AuditorCli.commandName(new String[] {"--log-format", "json", "run", "--config", "f"}))
        .isEqualTo("run");
    assertThat(AuditorCli.optionValue(new String[] {"run", "--log-level=warn"}, "--log-level"))
        .isEqualTo("warn");
  }
}
