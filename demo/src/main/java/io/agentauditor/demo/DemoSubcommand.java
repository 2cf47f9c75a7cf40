package io.agentauditor.demo;

import io.agentauditor.cli.AuditorSubcommand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds {@code ./auditor demo} ({@link DemoCommand}) to the command line when this module is on the
 * class path; listed in {@code META-INF/services/io.agentauditor.cli.AuditorSubcommand}.
 */
public final class DemoSubcommand implements AuditorSubcommand {

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public Object command() {
    return new DemoCommand();
  }

  /**
   * The demo runs a broker and Streams in this JVM; their warnings about a one-node cluster
   * (under-replication, leader elections, rebalances) would bury what the demo prints.
   */
  @Override
  public Map<String, String> loggerLevels() {
    Map<String, String> levels = new LinkedHashMap<>();
    for (String logger : List.of("org.apache.kafka", "kafka", "state.change.logger", "org.apache.zookeeper")) {
      levels.put(logger, "error");
    }
    return levels;
  }
}
