package io.agentauditor.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./auditor}: dispatches to the subcommands, its own and those that modules on
 * the class path add ({@link AuditorSubcommand}).
 */
@Command(
    name = "auditor",
    mixinStandardHelpOptions = true,
    versionProvider = AuditorCli.Version.class,
    description = "Real-time auditor for what AI agents do with identities and credentials.",
    subcommands = {
      CommandLine.HelpCommand.class,
      RunCommand.class,
      ReplayCommand.class,
      DiffCommand.class,
      ProduceCommand.class,
      PolicyCommand.class,
      CheckCommand.class
    })
public final class AuditorCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Logging level property of slf4j-simple; set before the first logger is created. */
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  /** Prefix of slf4j-simple's per-logger level properties. */
  private static final String LOGGER_PREFIX = "org.slf4j.simpleLogger.log.";

  public static void main(String[] args) {
    // Only the long-running auditor logs its life at INFO; for the other commands stderr is part of
    // their output (replay's dead letters, policy check's errors), so only warnings join it.
    if (System.getProperty(LOG_LEVEL) == null && (args.length == 0 || !args[0].equals("run"))) {
      System.setProperty(LOG_LEVEL, "warn");
    }
    List<AuditorSubcommand> added = addedSubcommands();
    if (args.length > 0) {
      for (AuditorSubcommand subcommand : added) {
        if (subcommand.name().equals(args[0])) {
          subcommand
              .loggerLevels()
              .forEach(
                  (logger, level) -> {
                    if (System.getProperty(LOGGER_PREFIX + logger) == null) {
                      System.setProperty(LOGGER_PREFIX + logger, level);
                    }
                  });
        }
      }
    }
    System.exit(newCommandLine(added).execute(args));
  }

  /**
   * The command line with every subcommand registered, the added ones included; tests execute it
   * in-process.
   */
  public static CommandLine newCommandLine() {
    return newCommandLine(addedSubcommands());
  }

  private static CommandLine newCommandLine(List<AuditorSubcommand> added) {
    CommandLine cli = new CommandLine(new AuditorCli());
    for (AuditorSubcommand subcommand : added) {
      cli.addSubcommand(subcommand.name(), subcommand.command());
    }
    return cli;
  }

  /**
   * The subcommands that modules on the class path add, found with {@link ServiceLoader}, by name.
   *
   * @throws java.util.ServiceConfigurationError when a listed implementation cannot be loaded
   */
  public static List<AuditorSubcommand> addedSubcommands() {
    List<AuditorSubcommand> added = new ArrayList<>();
    ServiceLoader.load(AuditorSubcommand.class).forEach(added::add);
    added.sort(Comparator.comparing(AuditorSubcommand::name));
    return added;
  }

  @Override
  public void run() {
    // No command is a usage error (exit 2, the usage on stderr), not a run that did something.
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AuditorCli.class.getPackage().getImplementationVersion();
      return new String[] {"agent-auditor " + (v == null ? "dev" : v)};
    }
  }
}
