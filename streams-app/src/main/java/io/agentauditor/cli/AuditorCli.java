package io.agentauditor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./auditor}: dispatches to the subcommands. */
@Command(
    name = "auditor",
    mixinStandardHelpOptions = true,
    versionProvider = AuditorCli.Version.class,
    description = "Real-time auditor for what AI agents do with identities and credentials.",
    subcommands = {CommandLine.HelpCommand.class, PolicyCommand.class})
public final class AuditorCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The command line with every subcommand registered; tests execute it in-process. */
  public static CommandLine newCommandLine() {
    return new CommandLine(new AuditorCli());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AuditorCli.class.getPackage().getImplementationVersion();
      return new String[] {"agent-auditor " + (v == null ? "dev" : v)};
    }
  }
}
