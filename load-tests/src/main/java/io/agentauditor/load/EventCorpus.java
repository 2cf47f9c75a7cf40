package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.policy.Policy;
import io.agentauditor.schema.AgentEvent;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pre-generated workload every benchmark of a trial shares: the default policy, {@code events}
 * events of the seeded generator (enough that sessions reach 50 agents and 200 credentials), and
 * the JSON Lines bytes of the first {@link #JSON_EVENTS} of them for the decode baseline.
 */
@State(Scope.Benchmark)
public class EventCorpus {

  /** Encoded events kept for the decode baseline (a power of two: the cursor wraps with a mask). */
  public static final int JSON_EVENTS = 1 << 16;

  /** Events generated per trial; a cursor that reaches the end starts over with a fresh store. */
  @Param("600000")
  public int events;

  /** {@code realistic} (writes of 300 B to 4 KB) or {@code small} (writes of 20 to 60 B). */
  @Param("realistic")
  public String arguments;

  Policy policy;
  AgentEvent[] corpus;
  byte[][] json;

  @Setup(Level.Trial)
  public void generate() {
    policy = Workload.defaultPolicy();
    SessionGenerator generator =
        switch (arguments) {
          case "realistic" -> SessionGenerator.realistic(Workload.SEED);
          case "small" -> SessionGenerator.smallArguments(Workload.SEED);
          default -> throw new IllegalArgumentException("arguments must be realistic or small: " + arguments);
        };
    corpus = generator.take(events).toArray(new AgentEvent[0]);
    json = new byte[Integer.highestOneBit(Math.min(JSON_EVENTS, events))][];
    for (int i = 0; i < json.length; i++) {
      json[i] = EventJsonCodec.encodeUtf8(EventMapper.toStep(corpus[i]));
    }
  }
}
