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

  /** Log levels of {@code --log-level}. */
  enum LogLevel {
    trace,
    debug,
    info,
    warn,
    error,
    off
  }

  /** Log formats of {@code --log-format}. */
  enum LogFormat {
    text,
    json
  }

  // Read by main() before the first logger is made; declared here so picocli accepts and documents
  // them on every command.
  @CommandLine.Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "Log level on stderr: trace, debug, info, warn, error or off (default: info for run, warn"
              + " for the other commands).")
  LogLevel logLevel;

  @CommandLine.Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Log format on stderr: text (default) or json, one object a line.")
  LogFormat logFormat;

  /** System property naming the log format ({@code io.agentauditor.logging}). */
  private static final String LOG_FORMAT = "auditor.log.format";

  /** Logging level property of slf4j-simple; set before the first logger is created. */
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  /** Prefix of slf4j-simple's per-logger level properties. */
  private static final String LOGGER_PREFIX = "org.slf4j.simpleLogger.log.";

  public static void main(String[] args) {
    String logLevel = optionValue(args, "--log-level");
    if (logLevel != null) {
      System.setProperty(LOG_LEVEL, logLevel.toLowerCase(java.util.Locale.ROOT));
    }
    String format = optionValue(args, "--log-format");
    if (format != null) {
      System.setProperty(LOG_FORMAT, format.toLowerCase(java.util.Locale.ROOT));
    }
    // Only the long-running auditor logs its life at INFO; for the other commands stderr is part of
    // their output (replay's dead letters, policy check's errors), so only warnings join it.
    if (System.getProperty(LOG_LEVEL) == null && !"run".equals(commandName(args))) {
      System.setProperty(LOG_LEVEL, "warn");
    }
    List<AuditorSubcommand> added = addedSubcommands();
    if (args.length > 0) {
      for (AuditorSubcommand subcommand : added) {
        if (subcommand.name().equals(commandName(args))) {
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

  /** The first argument that is neither an option nor a log option's value, or null. */
  static String commandName(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--log-level") || args[i].equals("--log-format")) {
        i++;
      } else if (!args[i].startsWith("-")) {
        return args[i];
      }
    }
    return null;
  }

  /** The value of {@code --NAME VALUE} or {@code --NAME=VALUE} anywhere in {@code args}, or null. */
  static String optionValue(String[] args, String name) {
    String value = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        break;
      }
      if (args[i].equals(name) && i + 1 < args.length) {
        value = args[i + 1];
      } else if (args[i].startsWith(name + "=")) {
        value = args[i].substring(name.length() + 1);
      }
    }
    return value;
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
