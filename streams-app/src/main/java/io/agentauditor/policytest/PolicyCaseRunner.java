package io.agentauditor.policytest;

import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.model.Decision;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.replay.Replayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs policy cases through the very path of {@code ./auditor replay}: the case's events are read
 * by the {@link Replayer} (JSON Lines reader, JSON codec, {@link AuditEngine}) over a fresh {@link
 * InMemoryStateStore}, its decisions are written as JSON Lines and read back, and the outputs, with
 * the dead letters in line order, are compared with the case's expectations one by one. Not
 * thread-safe (the engine is not); one runner per thread.
 */
public final class PolicyCaseRunner {

  private final AuditEngine engine;

  /**
   * @param policy the loaded bundle the cases belong to; not null
   */
  public PolicyCaseRunner(Policy policy) {
    this.engine = new AuditEngine(Objects.requireNonNull(policy, "policy"));
  }

  /** The policy the cases are run against. */
  public Policy policy() {
    return engine.policy();
  }

  /**
   * Replays {@code c}'s events from an empty state and compares the outputs with its expectations.
   */
  public CaseResult run(PolicyCase c) {
    return run(c, new CachingStateStore(new InMemoryStateStore()));
  }

  /**
   * Replays {@code c}'s events against {@code emptyStore} (e.g. the RocksDB store of {@code
   * replay}) and compares the outputs with its expectations.
   */
  public CaseResult run(PolicyCase c, StateStore emptyStore) {
    return CaseResult.compare(c, replay(c.events(), emptyStore));
  }

  /**
   * The outputs of replaying {@code events} from an empty state: decisions and dead letters, in
   * order.
   */
  public List<ActualOutput> replay(String events) {
    return replay(events, new CachingStateStore(new InMemoryStateStore()));
  }

  /** The outputs of replaying {@code events} against {@code store}, in order. */
  public List<ActualOutput> replay(String events, StateStore store) {
    List<ActualOutput> outputs = new ArrayList<>();
    DecisionSink sink = new DecisionSink(outputs);
    try {
      new Replayer(engine)
          .run(
              new ByteArrayInputStream(events.getBytes(StandardCharsets.UTF_8)),
              sink,
              store,
              (line, reason) -> {
                // Decisions written so far come first: the replay emits in input order.
                sink.drain();
                outputs.add(new ActualOutput.DeadLetter(line, reason));
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sink.drain();
    return outputs;
  }

  /** Collects decision lines as the replay writes them and decodes each complete one. */
  private static final class DecisionSink extends OutputStream {
    private final List<ActualOutput> outputs;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    DecisionSink(List<ActualOutput> outputs) {
      this.outputs = outputs;
    }

    @Override
    public void write(int b) {
      pending.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      pending.write(b, off, len);
    }

    void drain() {
      String text = pending.toString(StandardCharsets.UTF_8);
      int start = 0;
      int nl;
      while ((nl = text.indexOf('\n', start)) >= 0) {
        Decision d = DecisionJsonCodec.decode(text.substring(start, nl));
        outputs.add(new ActualOutput.Decided(d));
        start = nl + 1;
      }
      byte[] rest = text.substring(start).getBytes(StandardCharsets.UTF_8);
      pending.reset();
      pending.write(rest, 0, rest.length);
    }
  }
}
