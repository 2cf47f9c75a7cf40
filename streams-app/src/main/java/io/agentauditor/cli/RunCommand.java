package io.agentauditor.cli;

import io.agentauditor.policy.Policy;
import io.agentauditor.runtime.AuditorApp;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.runtime.InvalidConfigException;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.streams.InfrastructureException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./auditor run --config FILE} (contract section 10): the streaming auditor against a real
 * cluster, until SIGTERM/SIGINT or a fatal Kafka Streams error.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    header = "Run the streaming auditor against a Kafka cluster.",
    description =
        "Run the streaming auditor against a Kafka cluster: agent events in, decisions, SIEM "
            + "violations, credential lifecycle records and dead letters out. /health and /metrics are "
            + "served on http.bind.address:http.port. Stops cleanly on SIGTERM or Ctrl-C. "
            + "Configuration: a .yaml/.yml or .properties file, overridden by AUDITOR_* environment "
            + "variables (AUDITOR_ + the key in upper snake case).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Kafka Streams stopped on request",
      "143, 130:the same clean stop after SIGTERM or Ctrl-C (128 + the signal)",
      "1:Kafka Streams failed, or the cluster could not be reached at startup",
      "2:invalid configuration or a policy bundle that fails to load"
    })
public final class RunCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "Configuration file (.yaml, .yml or .properties).")
  Path config;

  @Option(
      names = "--close-timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description = "How long a shutdown waits for Kafka Streams to commit and close (default: ${DEFAULT-VALUE}).")
  long closeTimeoutSeconds;

  private final AuditorApp.TopologyFactory topology;
  private final Map<String, String> env;

  /** The command with the production topology and the process environment. */
  public RunCommand() {
    this(AuditorTopology::build, System.getenv());
  }

  RunCommand(AuditorApp.TopologyFactory topology, Map<String, String> env) {
    this.topology = Objects.requireNonNull(topology, "topology");
    this.env = Map.copyOf(env);
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    AuditorConfig settings;
    try {
      settings = AuditorConfig.load(config, env);
    } catch (InvalidConfigException e) {
      err.println("run: " + e.getMessage());
      err.flush();
      return ERROR;
    }
    Path bundle = BundleDirectory.resolve(settings.policiesDir());
    Policy policy = BundleDirectory.loadOrReport(bundle, err);
    if (policy == null) {
      err.println("run: the policy bundle " + bundle + " does not load");
      err.flush();
      return ERROR;
    }
    Policy shadow = null;
    if (settings.shadowPoliciesDir().isPresent()) {
      Path shadowBundle = BundleDirectory.resolve(settings.shadowPoliciesDir().get());
      shadow = BundleDirectory.loadOrReport(shadowBundle, err);
      if (shadow == null) {
        err.println(
            "run: the shadow policy bundle " + shadowBundle + " (" + AuditorConfig.SHADOW_POLICIES + ") does not load");
        err.flush();
        return ERROR;
      }
    }
    // Checked before any topic is created: Kafka Streams would fail on it only once started.
    try {
      Files.createDirectories(settings.stateDir());
    } catch (IOException | SecurityException e) {
      err.println(
          "run: "
              + AuditorConfig.STATE_DIR
              + "="
              + settings.stateDir()
              + ": cannot create the state directory ("
              + e
              + ")");
      err.flush();
      return ERROR;
    }
    AuditorApp app;
    try {
      app = AuditorApp.start(settings, policy, bundle, shadow, topology);
    } catch (InvalidConfigException e) {
      err.println("run: " + e.getMessage());
      err.flush();
      return ERROR;
    } catch (InfrastructureException e) {
      err.println("run: cannot start: " + e.getMessage());
      err.flush();
      return FAILED;
    }
    try {
      return app.runUntilShutdown(Duration.ofSeconds(closeTimeoutSeconds));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      app.close(Duration.ofSeconds(closeTimeoutSeconds));
      return FAILED;
    }
  }
}
