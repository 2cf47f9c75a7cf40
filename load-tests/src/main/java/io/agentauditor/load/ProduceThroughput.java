package io.agentauditor.load;

import io.agentauditor.cli.AuditorCli;
import io.agentauditor.testing.EmbeddedKafkaCluster;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./auditor produce} of a JSON Lines file into a new topic of the in-JVM broker, several
 * times in one JVM (the first runs warm it up), each timed from the command's start to its exit.
 * The producer's settings are the command's own; to compare another build's, put its {@code
 * ProduceCommand} classes first on the class path.
 *
 * <p>{@code ProduceThroughput input=FILE [runs=3] [partitions=2]}
 */
public final class ProduceThroughput {

  private ProduceThroughput() {}

  public static void main(String[] args) {
    Map<String, String> o = TopologyThroughput.parse(args);
    String input = o.get("input");
    if (input == null) {
      throw new IllegalArgumentException("usage: ProduceThroughput input=FILE [runs=3] [partitions=2]");
    }
    int runs = Integer.parseInt(o.getOrDefault("runs", "3"));
    int partitions = Integer.parseInt(o.getOrDefault("partitions", "2"));
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
      for (int i = 0; i < runs; i++) {
        String topic = "produce-throughput-" + i;
        kafka.createTopic(topic, partitions, Map.of());
        long start = System.nanoTime();
        int code =
            AuditorCli.newCommandLine()
                .execute("produce", "--input", input, "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic", topic, "--schema-registry", "mock://produce-throughput");
        System.out.printf(Locale.ROOT, "run %d: exit code %d, %.2f s%n", i + 1, code,
            (System.nanoTime() - start) / 1e9);
      }
    }
  }
}
