package io.agentauditor.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./auditor}: dispatches to the subcommands. */
@Command(
    name = "auditor",
    mixinStandardHelpOptions = true,
    versionProvider = AuditorCli.Version.class,
    description = "Real-time auditor for what AI agents do with identities and credentials.",
    subcommands = {
      CommandLine.HelpCommand.class,
      DemoCommand.class,
      RunCommand.class,
      ReplayCommand.class,
      PolicyCommand.class
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
    if (args.length > 0 && args[0].equals("demo")) {
      // The demo runs a broker and Streams in this JVM; their warnings about a one-node cluster
      // (under-replication, leader elections, rebalances) would bury what the demo prints.
      for (String logger : List.of("org.apache.kafka", "kafka", "state.change.logger", "org.apache.zookeeper")) {
        if (System.getProperty(LOGGER_PREFIX + logger) == null) {
          System.setProperty(LOGGER_PREFIX + logger, "error");
        }
      }
    }
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
