package io.agentauditor.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.policy.Policy;
import io.agentauditor.streams.PolicySource;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * What {@code /health} (liveness) and {@code /ready} (readiness) answer.
 *
 * <ul>
 *   <li>Liveness is UP (200) while Kafka Streams is {@code CREATED}, {@code REBALANCING} or {@code
 *       RUNNING}, DOWN (503) once it is shutting down or failed: a restart can only help then. The
 *       body names the state, the policy bundle in force ({@code identity}, {@code name}, {@code
 *       version}, {@code digest}) and each active task with its input partitions and lag (the
 *       records between the task's committed offset and the highest offset it has seen).
 *   <li>Readiness is 200 only in {@code RUNNING}: during a rebalance or a state restore the
 *       instance decides nothing, and a load balancer should route decision requests elsewhere.
 * </ul>
 *
 * Thread-safe; computed afresh on every request.
 */
final class HealthReport {

  /** An answer: whether the probe passes, and its JSON body. */
  record Probe(boolean ok, String json) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<KafkaStreams.State> state;
  private final KafkaStreams streams;
  private final PolicySource policy;

  private HealthReport(
      Supplier<KafkaStreams.State> state, KafkaStreams streams, PolicySource policy) {
    this.state = Objects.requireNonNull(state, "state");
    this.streams = streams;
    this.policy = policy;
  }

  /** State only: no policy, no tasks. */
  static HealthReport of(Supplier<KafkaStreams.State> state) {
    return new HealthReport(state, null, null);
  }

  /** The full report on {@code streams} deciding with {@code policy}. */
  static HealthReport of(KafkaStreams streams, PolicySource policy) {
    return new HealthReport(streams::state, streams, Objects.requireNonNull(policy, "policy"));
  }

  Probe liveness() {
    KafkaStreams.State current = state.get();
    boolean up =
        current == KafkaStreams.State.CREATED
            || current == KafkaStreams.State.REBALANCING
            || current == KafkaStreams.State.RUNNING;
    ObjectNode body = JSON.createObjectNode();
    body.put("status", up ? "UP" : "DOWN");
    body.put("state", current == null ? "UNKNOWN" : current.name());
    if (policy != null) {
      Policy p = policy.current();
      body.putObject("policy")
          .put("identity", p.identity())
          .put("name", p.name())
          .put("version", p.version())
          .put("digest", p.digest());
    }
    if (streams != null && up) {
      tasks(body.putArray("tasks"));
    }
    return new Probe(up, body.toString());
  }

  Probe readiness() {
    KafkaStreams.State current = state.get();
    boolean ready = current == KafkaStreams.State.RUNNING;
    ObjectNode body = JSON.createObjectNode();
    body.put("ready", ready);
    body.put("state", current == null ? "UNKNOWN" : current.name());
    return new Probe(ready, body.toString());
  }

  private void tasks(ArrayNode out) {
    Map<String, TaskMetadata> byId = new TreeMap<>();
    try {
      for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
        for (TaskMetadata task : thread.activeTasks()) {
          byId.put(task.taskId().toString(), task);
        }
      }
    } catch (RuntimeException e) {
      // Not yet started or already closing: no task to report.
      return;
    }
    byId.forEach(
        (id, task) -> {
          ObjectNode node = out.addObject().put("task", id);
          ArrayNode partitions = node.putArray("partitions");
          long lag = 0;
          for (TopicPartition tp : task.topicPartitions()) {
            partitions.add(tp.topic() + "-" + tp.partition());
            Long end = task.endOffsets().get(tp);
            Long committed = task.committedOffsets().get(tp);
            if (end != null && end >= 0) {
              lag += Math.max(0, end - (committed == null || committed < 0 ? 0 : committed));
            }
          }
          node.put("lag", lag);
        });
  }
}
