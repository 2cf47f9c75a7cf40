package io.agentauditor.demo;

import io.agentauditor.cli.BundleDirectory;
import io.agentauditor.codec.InvalidEventException;
import io.agentauditor.policy.Policy;
import io.agentauditor.runtime.AuditorApp;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.streams.InfrastructureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./auditor demo} (contract section 10): the whole pipeline on an embedded broker with no
 * setup, a scripted multi-agent scenario, decisions and violations printed as they arrive.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    header = "Run the whole pipeline on this machine, with no setup.",
    description =
        "Run the whole pipeline on this machine with no setup: an embedded Kafka broker, an "
            + "in-memory schema registry and the streaming auditor; play a scripted multi-agent session "
            + "and print every decision as it arrives, with its SIEM violations, then a summary. "
            + "Colours verdicts on a terminal unless NO_COLOR is set.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the scenario was played and every event was decided",
      "1:the embedded broker or the auditor failed",
      "2:usage error, a policy bundle that fails to load or an invalid scenario file"
    })
public final class DemoCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--keep-running",
      description =
          "Leave the broker and the auditor up after the summary, until Ctrl-C, and serve the "
              + "schema registry over HTTP on loopback, so produce, replay --topic, diff --topic, "
              + "run and kcat can use them from another terminal.")
  boolean keepRunning;

  @Option(
      names = "--policies",
      paramLabel = "DIR",
      defaultValue = BundleDirectory.DEFAULT,
      description = "Policy bundle directory (default: ${DEFAULT-VALUE}).")
  Path policies;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      description = "Events to play, JSON Lines (default: the built-in session).")
  Path scenarioFile;

  private final AuditorApp.TopologyFactory topology;

  /** The command with the production topology. */
  public DemoCommand() {
    this(AuditorTopology::build);
  }

  DemoCommand(AuditorApp.TopologyFactory topology) {
    this.topology = Objects.requireNonNull(topology, "topology");
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Path bundle = BundleDirectory.resolve(policies);
    Policy policy = BundleDirectory.loadOrReport(bundle, err);
    if (policy == null) {
      return ERROR;
    }
    List<AgentEvent> scenario;
    try {
      scenario = scenario();
    } catch (IOException | InvalidEventException e) {
      err.println("demo: cannot read the scenario " + scenarioFile + ": " + e.getMessage());
      err.flush();
      return ERROR;
    }
    try {
      new Demo(policy, topology, scenario, spec.commandLine().getOut(), Demo.colorWanted(System.getenv()))
          .run(keepRunning);
      return OK;
    } catch (InfrastructureException e) {
      err.println("demo: " + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
      err.flush();
      return FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    }
  }

  private List<AgentEvent> scenario() throws IOException {
    if (scenarioFile == null) {
      return Demo.builtInScenario();
    }
    try (InputStream in = Files.newInputStream(scenarioFile)) {
      return Demo.readScenario(in);
    }
  }
}
