package io.agentauditor.replay;

import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.policy.Policy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What {@code ./auditor replay} and {@code ./auditor diff} give for a JSON Lines input, in memory:
 * the references the topology's shadow is checked against. An input line that is a dead letter
 * fails the test.
 */
public final class ReplayRuns {

  private ReplayRuns() {}

  /** The decision lines of a replay of {@code events} with {@code policy}. */
  public static List<String> decisions(Policy policy, byte[] events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new Replayer(new AuditEngine(policy))
          .run(new ByteArrayInputStream(events), out, new InMemoryStateStore(), ReplayRuns::fail);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  /** The lines {@code diff} lists for {@code events} under the two bundles, without its summary. */
  public static List<String> differences(Policy base, Policy candidate, byte[] events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new WhatIfDiff(new AuditEngine(base), new AuditEngine(candidate))
          .run(
              new ByteArrayInputStream(events),
              out,
              new InMemoryStateStore(),
              new InMemoryStateStore(),
              ReplayRuns::fail);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> all = out.toString(StandardCharsets.UTF_8).lines().toList();
    return all.subList(0, all.size() - 1);
  }

  /** {@code lines} as one JSON Lines input. */
  public static byte[] input(List<String> lines) {
    return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static void fail(long line, String reason) {
    throw new AssertionError("line " + line + " is a dead letter: " + reason);
  }
}
