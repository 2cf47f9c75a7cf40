package io.agentauditor.cli;

import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.replay.Replayer;
import io.agentauditor.registry.SchemaRegistryException;
import io.agentauditor.replay.JsonLinesSource;
import io.agentauditor.replay.ReplayListener;
import io.agentauditor.replay.ReplayOutputs;
import io.agentauditor.replay.ReplayReport;
import io.agentauditor.replay.RocksDbStateStore;
import io.agentauditor.replay.TopicReplay;
import io.agentauditor.replay.TopicSource;
import io.agentauditor.streams.EventRecordDecoder;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./auditor replay --input FILE [--policies DIR] [--output FILE]} (contract section 10):
 * decisions as JSON Lines in input order; dead letters on stderr as {@code line N: reason}. With
 * {@code --topic} instead of {@code --input}, the events topic of a cluster ({@link TopicReplay}):
 * decisions grouped by partition in offset order; dead letters as {@code partition P offset O:
 * reason}.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    header = "Decide a JSON Lines file, or the events topic, in-process.",
    description =
        "Decide a JSON Lines file of agent events (--input) or the events topic of a Kafka "
            + "cluster (--topic) in-process, as the streaming auditor would. From a file, decisions "
            + "go out in input order as JSON Lines and invalid lines are reported on stderr as "
            + "'line N: reason'. From a topic, each partition is decided on its own with its own "
            + "stream time, as the live auditor's task for it: decisions go out grouped by "
            + "partition (0, 1, ...) in offset order, exactly as the live decisions topic holds "
            + "them partition by partition; invalid records are reported as 'partition P offset "
            + "O: reason' with the live auditor's dead-letter reason. State is kept in scratch "
            + "RocksDB stores, so memory stays flat.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every line or record was decided (or, with --from, skipped)",
      "3:at least one line or record was a dead letter",
      "2:usage error, unreadable input, a cluster or registry that refused or did not answer, or a"
          + " policy bundle that fails to load"
    })
public final class ReplayCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int DEAD_LETTERS = 3;
  static final int ERROR = 2;


  /** Block cache of the scratch state store: with its write buffers, the replay's off-heap bound. */
  private static final long STATE_CACHE_BYTES = 64L << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "Events, one JSON object per line; - reads standard input.")
  Path input;

  @CommandLine.Mixin TopicOptions topic;

  @Option(
      names = "--policies",
      paramLabel = "DIR",
      defaultValue = BundleDirectory.DEFAULT,
      description = "Policy bundle directory (default: ${DEFAULT-VALUE}).")
  Path policies;

  @Option(names = "--output", paramLabel = "FILE", description = "Decisions file (default: stdout).")
  Path output;

  @Option(
      names = "--violations",
      paramLabel = "FILE",
      description =
          "Also write the SIEM violations, one OCSF Detection Finding per finding of a FLAG or BLOCK"
              + " decision, as the streaming auditor emits them (JSON Lines).")
  Path violations;

  @Option(
      names = "--credentials",
      paramLabel = "FILE",
      description =
          "Also write the credential ledger, each lifecycle change as the streaming auditor emits"
              + " it ({\"key\":{sessionId, credentialId}, \"value\":{...}}, JSON Lines).")
  Path credentials;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Path bundle = BundleDirectory.resolve(policies);
    Policy policy = BundleDirectory.loadOrReport(bundle, err);
    if (policy == null) {
      return ERROR;
    }
    if ((input == null) == !topic.given()) {
      err.println("replay: give either --input FILE or --topic NAME (with --bootstrap-servers)");
      err.flush();
      return ERROR;
    }
    for (Path written : new Path[] {output, violations, credentials}) {
      if (input != null && EventFiles.sameFile(input, written)) {
        err.println("replay: " + written + " is the input file; refusing to overwrite it");
        err.flush();
        return ERROR;
      }
    }
    ReplayReport report = new ReplayReport();
    Replayer.Counts counts;
    // The input is opened first, so a missing one leaves every output as it was.
    try (InputStream in = input == null ? null : EventFiles.openInput(input);
        ProgressLine progress = ProgressLine.start("replay", report, err);
        OutputStream out = EventFiles.openOutput(output);
        OutputStream violationsOut = violations == null ? null : EventFiles.openOutput(violations);
        OutputStream credentialsOut = credentials == null ? null : EventFiles.openOutput(credentials)) {
      counts =
          input == null
              ? replayTopic(policy, err, report, out, violationsOut, credentialsOut)
              : replayFile(policy, err, report, in, out, new ReplayOutputs(violationsOut, credentialsOut));
    } catch (NoSuchFileException | FileNotFoundException e) {
      err.println("replay: no such file: " + e.getMessage());
      err.flush();
      return ERROR;
    } catch (TopicOptions.UsageException | KafkaException | SchemaRegistryException e) {
      err.println("replay: " + e.getMessage());
      err.flush();
      return ERROR;
    } catch (IOException e) {
      err.println("replay: " + e);
      err.flush();
      return ERROR;
    }
    err.println(report.summary("replay"));
    err.flush();
    return counts.deadLetters() == 0 ? OK : DEAD_LETTERS;
  }

  private static Replayer.Counts replayFile(
      Policy policy,
      PrintWriter err,
      ReplayReport report,
      InputStream in,
      OutputStream out,
      ReplayOutputs outputs)
      throws IOException {
    try (RocksDbStateStore store = RocksDbStateStore.temporary(STATE_CACHE_BYTES)) {
      // The scratch store is removed on close; a replay stopped by a signal never gets there.
      Thread cleanup = new Thread(() -> RocksDbStateStore.deleteDirectory(store.directory()));
      Runtime.getRuntime().addShutdownHook(cleanup);
      try {
        return new Replayer(new AuditEngine(policy))
            .run(
                new JsonLinesSource(in),
                out,
                new CachingStateStore(store),
                (line, reason) -> err.println("line " + line + ": " + reason),
                ReplayListener.both(report, outputs));
      } finally {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      }
    }
  }

  private Replayer.Counts replayTopic(
      Policy policy,
      PrintWriter err,
      ReplayReport report,
      OutputStream out,
      OutputStream violationsOut,
      OutputStream credentialsOut)
      throws IOException, TopicOptions.UsageException {
    List<OutputStream> extras = new ArrayList<>();
    if (violationsOut != null) {
      extras.add(violationsOut);
    }
    if (credentialsOut != null) {
      extras.add(credentialsOut);
    }
    try (EventRecordDecoder decoder =
        new EventRecordDecoder(topic.serdeConfig(), policy.settings().maxClockSkewSeconds())) {
      TopicSource source =
          new TopicSource(topic.clientConfig(), topic.topic, topic.from(), topic.to(), decoder);
      return new TopicReplay(policy, source, Runtime.getRuntime().availableProcessors(), STATE_CACHE_BYTES)
          .run(
              out,
              extras,
              (partition, offset, reason) ->
                  err.println("partition " + partition + " offset " + offset + ": " + reason),
              (partition, spools) ->
                  ReplayListener.both(
                      report,
                      new ReplayOutputs(
                          violationsOut == null ? null : spools.get(0),
                          credentialsOut == null ? null : spools.get(spools.size() - 1))));
    }
  }
}
