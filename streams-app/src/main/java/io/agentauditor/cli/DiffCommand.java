package io.agentauditor.cli;

import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.registry.SchemaRegistryException;
import io.agentauditor.replay.RocksDbStateStore;
import io.agentauditor.replay.TopicSource;
import io.agentauditor.streams.EventRecordDecoder;
import io.agentauditor.replay.WhatIfDiff;
import io.agentauditor.replay.WhatIfReport;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./auditor diff --base DIR --candidate DIR (--input FILE | --topic NAME ...) [--output FILE]
 * [--report FILE.html]} (contract section 10): the what-if report of a policy change over a file of
 * events or a topic range, with {@code --report} also as an HTML page ({@link WhatIfReport}). Dead letters are those of {@code
 * replay}, reported on stderr as {@code line N: reason}; they don't change the exit code, which only
 * says whether a decision differs.
 */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    header = "Compare the decisions of two policy bundles on a JSON Lines file of events.",
    description =
        "Each bundle decides the input with its own chain state, so a verdict that changes changes "
            + "the state that follows. One JSON line per decision whose verdict or set of rule ids "
            + "differs ({eventId, sessionId, base, candidate, added, removed}), in input order, then "
            + "a {\"summary\":...} line; a one-line summary and the dead letters ('line N: reason') "
            + "go to stderr. --report also writes the what-if report as one HTML page.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no decision differs (dead letters, if any, are on stderr)",
      "1:at least one decision differs",
      "2:usage error, unreadable input or a policy bundle that fails to load"
    })
public final class DiffCommand implements Callable<Integer> {

  static final int SAME = 0;
  static final int DIFFERENT = 1;
  static final int ERROR = 2;


  /** Block cache of each scratch state store; two stores, so half of replay's each. */
  private static final long STATE_CACHE_BYTES = 32L << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--base", required = true, paramLabel = "DIR", description = "The bundle in use.")
  Path base;

  @Option(
      names = "--candidate",
      required = true,
      paramLabel = "DIR",
      description = "The bundle under review.")
  Path candidate;

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "Events, one JSON object per line; - reads standard input.")
  Path input;

  /** Or the events topic, a range of it, as {@code replay --topic} reads it. */
  @CommandLine.Mixin TopicOptions topic;

  @Option(names = "--output", paramLabel = "FILE", description = "Report file (default: stdout).")
  Path output;

  @Option(
      names = "--report",
      paramLabel = "FILE.html",
      description =
          "Also write a self-contained HTML report: summary, per-rule and over-time charts, and "
              + "each changed session's steps under both bundles.")
  Path report;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Policy basePolicy = BundleDirectory.loadOrReport(base, err);
    Policy candidatePolicy = BundleDirectory.loadOrReport(candidate, err);
    if (basePolicy == null || candidatePolicy == null) {
      return ERROR;
    }
    if ((input == null) == !topic.given()) {
      err.println("diff: give either --input FILE or --topic NAME (with --bootstrap-servers)");
      err.flush();
      return ERROR;
    }
    for (Path written : new Path[] {output, report}) {
      if (input != null && EventFiles.sameFile(input, written)) {
        err.println("diff: " + written + " is the input file; refusing to overwrite it");
        err.flush();
        return ERROR;
      }
    }
    if (report != null
        && output != null
        && report.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
      err.println("diff: --report and --output are the same file: " + report);
      err.flush();
      return ERROR;
    }
    if (input == null) {
      return diffTopic(basePolicy, candidatePolicy, err);
    }
    WhatIfDiff.Summary summary;
    try (InputStream in = EventFiles.openInput(input);
        OutputStream out = EventFiles.openOutput(output);
        RocksDbStateStore baseStore = RocksDbStateStore.temporary(STATE_CACHE_BYTES);
        RocksDbStateStore candidateStore = RocksDbStateStore.temporary(STATE_CACHE_BYTES)) {
      // The scratch stores are removed on close; a diff stopped by a signal never gets there.
      Thread cleanup =
          new Thread(
              () -> {
                RocksDbStateStore.deleteDirectory(baseStore.directory());
                RocksDbStateStore.deleteDirectory(candidateStore.directory());
              });
      Runtime.getRuntime().addShutdownHook(cleanup);
      try {
        summary =
            reported(
                basePolicy,
                candidatePolicy,
                input.toString(),
                observer ->
                    new WhatIfDiff(new AuditEngine(basePolicy), new AuditEngine(candidatePolicy))
                        .run(
                            in,
                            out,
                            new CachingStateStore(baseStore),
                            new CachingStateStore(candidateStore),
                            (line, reason) -> err.println("line " + line + ": " + reason),
                            observer));
      } finally {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      }
    } catch (NoSuchFileException | FileNotFoundException e) {
      err.println("diff: no such file: " + e.getMessage());
      err.flush();
      return ERROR;
    } catch (IOException e) {
      err.println("diff: " + e);
      err.flush();
      return ERROR;
    }
    err.println(summary.humanLine());
    err.flush();
    return summary.differing() == 0 ? SAME : DIFFERENT;
  }

  /**
   * The diff of a topic range: each partition decided on its own by both bundles, as {@code replay
   * --topic} does; records decoded with the base bundle's clock-skew bound, dead letters reported
   * as {@code partition P offset O: reason}.
   */
  private int diffTopic(Policy basePolicy, Policy candidatePolicy, PrintWriter err) {
    WhatIfDiff.Summary summary;
    try (EventRecordDecoder decoder =
            new EventRecordDecoder(topic.serdeConfig(), basePolicy.settings().maxClockSkewSeconds());
        OutputStream out = EventFiles.openOutput(output)) {
      TopicSource source =
          new TopicSource(topic.clientConfig(), topic.topic, topic.from(), topic.to(), decoder);
      summary =
          reported(
              basePolicy,
              candidatePolicy,
              "topic " + topic.topic,
              observer ->
                  new WhatIfDiff(new AuditEngine(basePolicy), new AuditEngine(candidatePolicy))
                      .run(
                          source,
                          out,
                          STATE_CACHE_BYTES,
                          (partition, offset, reason) ->
                              err.println(
                                  "partition " + partition + " offset " + offset + ": " + reason),
                          observer));
    } catch (TopicOptions.UsageException | IOException | KafkaException | SchemaRegistryException e) {
      err.println("diff: " + e.getMessage());
      err.flush();
      return ERROR;
    }
    err.println(summary.humanLine());
    err.flush();
    return summary.differing() == 0 ? SAME : DIFFERENT;
  }

  /** One diff run, telling {@code observer} of every pair compared. */
  private interface DiffRun {
    WhatIfDiff.Summary run(WhatIfDiff.Observer observer) throws IOException;
  }

  /**
   * Runs {@code run}, and with {@code --report} records the compared steps to a scratch file and
   * writes the HTML page from it and the summary.
   */
  private WhatIfDiff.Summary reported(
      Policy basePolicy, Policy candidatePolicy, String source, DiffRun run) throws IOException {
    if (report == null) {
      return run.run(WhatIfDiff.Observer.NONE);
    }
    Path steps = Files.createTempFile("agent-auditor-diff-", ".steps");
    try {
      WhatIfDiff.Summary summary;
      try (WhatIfReport.Recorder recorder = new WhatIfReport.Recorder(steps)) {
        summary = run.run(recorder);
      }
      try (OutputStream page = Files.newOutputStream(report)) {
        WhatIfReport.write(
            summary,
            steps,
            new WhatIfReport.Labels(basePolicy.identity(), candidatePolicy.identity(), source),
            page);
      }
      return summary;
    } finally {
      Files.deleteIfExists(steps);
    }
  }




}
