package io.agentauditor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./auditor policy}: work with a policy bundle; the work is done by its subcommands. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Validate a policy bundle, or run its own cases.",
    subcommands = {PolicyCheckCommand.class, PolicyTestCommand.class})
public final class PolicyCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
