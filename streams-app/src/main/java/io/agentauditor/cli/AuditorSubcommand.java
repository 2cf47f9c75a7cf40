package io.agentauditor.cli;

import java.util.Map;

/**
 * A subcommand that another module adds to {@code ./auditor} without this module knowing it.
 * {@link AuditorCli} finds every implementation on the class path with {@link
 * java.util.ServiceLoader} (a jar lists it in {@code
 * META-INF/services/io.agentauditor.cli.AuditorSubcommand}) and registers it under {@link #name()}.
 * This is how the demo module adds {@code demo}, so that the production jar carries neither the
 * demo nor its embedded broker.
 *
 * <p>Implementations have a public no-argument constructor (ServiceLoader's contract) and create no
 * logger when constructed or asked for {@link #name()} and {@link #loggerLevels()}: {@link
 * AuditorCli#main} asks them before it has finished configuring logging.
 */
public interface AuditorSubcommand {

  /** The name typed after {@code ./auditor}; must differ from every other subcommand's. */
  String name();

  /**
   * A new picocli command object: an instance of a {@code @Command}-annotated class, or a {@link
   * picocli.CommandLine}. Called once for every command line built.
   */
  Object command();

  /**
   * slf4j-simple levels by logger name (for example {@code org.apache.kafka -> error}) that {@link
   * AuditorCli#main} sets, where no {@code -D} option set them already, before the first logger is
   * created, when this subcommand is the one run. None by default.
   */
  default Map<String, String> loggerLevels() {
    return Map.of();
  }
}
