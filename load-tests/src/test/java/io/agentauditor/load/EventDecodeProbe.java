package io.agentauditor.load;

import io.agentauditor.avro.AgentEventDecoder;
import io.agentauditor.avro.EventMapper;
import io.agentauditor.model.Step;
import io.agentauditor.runtime.AuditorConfig;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.serde.AvroSerde;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A JMH-free measurement of the events topic's decode, both ways, on the realistic mix of {@link
 * SessionGenerator}: N events are serialized once (Confluent framing, the class's own schema),
 * then decoded in alternating rounds by the general path ({@code AvroSerde.deserialize} then
 * {@link EventMapper#toStep}) and by the direct one ({@code AvroSerde.isWrittenWithOwnSchema} then
 * {@link AgentEventDecoder#decode}), on one thread. Prints each round's CPU time per event (the
 * thread's own: a loaded machine stretches wall time, not this) and the medians.
 * Not a test; run by hand:
 *
 * <pre>java -cp ... io.agentauditor.load.EventDecodeProbe [events] [rounds]</pre>
 */
public final class EventDecodeProbe {

  private static final String TOPIC = "agent-events";

  private EventDecodeProbe() {}

  public static void main(String[] args) {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    try (AvroSerde<AgentEvent> serde =
        AvroSerde.of(
            AgentEvent.class,
            Map.of(AuditorConfig.SCHEMA_REGISTRY_URL, "mock://event-decode-probe"),
            false)) {
      List<AgentEvent> generated = SessionGenerator.realistic(42).take(events);
      byte[][] frames = new byte[events][];
      long bytes = 0;
      for (int i = 0; i < events; i++) {
        frames[i] = serde.serialize(TOPIC, generated.get(i));
        bytes += frames[i].length;
      }
      // Both ways agree on every event before anything is timed.
      for (byte[] frame : frames) {
        if (!general(serde, frame).equals(direct(serde, frame))) {
          throw new AssertionError("the two paths differ on an event");
        }
      }
      System.out.printf("%d events, %.0f bytes each on average%n", events, (double) bytes / events);
      double[] generalNs = new double[rounds];
      double[] directNs = new double[rounds];
      long sink = 0;
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      for (int round = 0; round < rounds; round++) {
        long start = threads.getCurrentThreadCpuTime();
        for (byte[] frame : frames) {
          sink += general(serde, frame).occurredAtMillis();
        }
        generalNs[round] = (double) (threads.getCurrentThreadCpuTime() - start) / events;
        start = threads.getCurrentThreadCpuTime();
        for (byte[] frame : frames) {
          sink += direct(serde, frame).occurredAtMillis();
        }
        directNs[round] = (double) (threads.getCurrentThreadCpuTime() - start) / events;
        System.out.printf(
            "round %2d: general %7.1f CPU-ns/event, direct %7.1f CPU-ns/event%n",
            round, generalNs[round], directNs[round]);
      }
      // the first third of the rounds warm up
      double general = median(Arrays.copyOfRange(generalNs, rounds / 3, rounds));
      double direct = median(Arrays.copyOfRange(directNs, rounds / 3, rounds));
      System.out.printf(
          "median of rounds %d..%d: general %.1f CPU-ns/event, direct %.1f CPU-ns/event,"
              + " direct/general %.2f"
              + " (checksum %d)%n",
          rounds / 3, rounds - 1, general, direct, direct / general, sink);
    }
  }

  private static Step general(AvroSerde<AgentEvent> serde, byte[] frame) {
    return EventMapper.toStep(serde.deserialize(TOPIC, frame));
  }

  private static Step direct(AvroSerde<AgentEvent> serde, byte[] frame) {
    if (!serde.isWrittenWithOwnSchema(TOPIC, frame)) {
      throw new AssertionError("not the own schema");
    }
    Step step = AgentEventDecoder.decode(frame, AvroSerde.HEADER_SIZE, frame.length - AvroSerde.HEADER_SIZE);
    if (step == null) {
      throw new AssertionError("declined a valid event");
    }
    return step;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
