package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.codec.DecisionJsonCodec;
import io.agentauditor.gateway.DecisionApi;
import io.agentauditor.model.Decision;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.serde.AvroSerde;
import io.agentauditor.streams.AuditorTopology;
import io.agentauditor.streams.DecisionListener;
import io.agentauditor.testing.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the decision API answers (contract section 11, {@code gateway.answer.when}), shown on a
 * real broker with a transaction that is aborted after its decision was made: the stream thread
 * is held right after the processor decided the event (the decision is in the open transaction),
 * then loses its task (as in a rebalance), so the transaction aborts and the event is decided
 * again once the task is back. Answering when decided, the answer comes from the aborted attempt while nothing is
 * committed; answering when committed, it comes only once the decision is readable {@code
 * read_committed}, from the attempt that committed.
 */
class DecisionApiAnswerWhenIT {

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final String START =
      "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:00Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice\",\"grantedScopes\":[\"read:repo/acme/**\"]}}";
  private static final String HELD =
      "{\"eventId\":\"held\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:01Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.read_file\",\"arguments\":{\"repo\":\"acme/api\"}}}";

  private final HttpClient http = HttpClient.newHttpClient();

  /** Holds the stream thread at the first decision of {@code held}, then takes its task away. */
  private static final class Crash {
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger decisionsOfHeld = new AtomicInteger();

    AuditorApp.TopologyFactory factory() {
      return (topics, serdeConfig, policy, cached, listener, shadow) ->
          AuditorTopology.build(topics, serdeConfig, policy, cached, wrap(listener), shadow);
    }

    private DecisionListener wrap(DecisionListener listener) {
      return decision -> {
        listener.decided(decision);
        if ("held".equals(decision.eventId()) && decisionsOfHeld.incrementAndGet() == 1) {
          held.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          // As when the task moves in a rebalance: the processing exception handler lets it pass,
          // the thread drops its tasks and their open transaction (which holds this decision) is
          // aborted; the task is assigned again and redoes the event.
          throw new TaskMigratedException("task taken away by the test");
        }
      };
    }
  }

  @Test
  void shouldAnswerWhenDecidedFromATransactionThatIsThenAborted(@TempDir Path stateDir)
      throws Exception {
    // Given an auditor answering when decided, whose stream thread is held at the decision of
    // "held" and then loses its task
    AuditorConfig config = config("decided", stateDir);
    Crash crash = new Crash();
    AuditorApp app = AuditorApp.start(config, policy(), crash.factory());
    try {
      URI api = apiOf(app);
      assertThat(post(api, START).get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> eventIds(committedDecisions(config)).contains("e1"));

      // When "held" is posted
      CompletableFuture<HttpResponse<String>> answer = post(api, HELD);

      // Then it is answered while its transaction is still open: not readable read_committed
      assertThat(crash.held.await(60, TimeUnit.SECONDS)).isTrue();
      HttpResponse<String> r = answer.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(DecisionJsonCodec.decode(r.body()).eventId()).isEqualTo("held");
      assertThat(eventIds(committedDecisions(config))).containsExactly("e1");

      // ... and that transaction is then aborted: the event is decided again, committed once
      crash.release.countDown();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> eventIds(committedDecisions(config)).contains("held"));
      assertThat(eventIds(committedDecisions(config))).containsExactly("e1", "held");
      assertThat(eventIds(decisions(config, "read_uncommitted")))
          .containsExactly("e1", "held", "held");
      assertThat(crash.decisionsOfHeld.get()).isEqualTo(2);
    } finally {
      crash.release.countDown();
      app.close(Duration.ofSeconds(30));
    }
  }

  @Test
  void shouldAnswerWhenCommittedOnlyWithTheDecisionReadableReadCommitted(@TempDir Path stateDir)
      throws Exception {
    // Given an auditor answering when committed, whose stream thread is held at the decision of
    // "held" and then loses its task
    AuditorConfig config = config("committed", stateDir);
    Crash crash = new Crash();
    AuditorApp app = AuditorApp.start(config, policy(), crash.factory());
    try {
      URI api = apiOf(app);
      HttpResponse<String> started = post(api, START).get(60, TimeUnit.SECONDS);
      assertThat(started.statusCode()).isEqualTo(200);
      assertThat(committedDecisions(config)).containsExactly(started.body());

      // When "held" is posted and decided, its decision on the topic in the open transaction
      CompletableFuture<HttpResponse<String>> answer = post(api, HELD);
      assertThat(crash.held.await(60, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> eventIds(decisions(config, "read_uncommitted")).contains("held"));

      // Then no answer is given for it while it is uncommitted
      assertThat(answer).isNotDone();

      // When the task is taken away (the transaction is aborted) and decided again once back
      crash.release.countDown();
      HttpResponse<String> r = answer.get(90, TimeUnit.SECONDS);

      // Then the answer came once the decision was readable read_committed, from the attempt
      // that committed: the aborted one stays on the log, unreadable read_committed
      List<String> committedAtAnswer = committedDecisions(config);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(committedAtAnswer).containsExactly(started.body(), r.body());
      assertThat(eventIds(decisions(config, "read_uncommitted")))
          .containsExactly("e1", "held", "held");
      assertThat(crash.decisionsOfHeld.get()).isEqualTo(2);
    } finally {
      crash.release.countDown();
      app.close(Duration.ofSeconds(30));
    }
  }

  private static URI apiOf(AuditorApp app) throws InterruptedException {
    assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
    return app.decisionApiUri().orElseThrow().resolve(DecisionApi.PATH);
  }

  private static Policy policy() {
    return PolicyBundleLoader.load(TestBundles.defaultBundle());
  }

  private CompletableFuture<HttpResponse<String>> post(URI api, String body) {
    return http.sendAsync(
        HttpRequest.newBuilder(api).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> eventIds(List<String> decisionsJson) {
    return decisionsJson.stream().map(DecisionJsonCodec::decode).map(Decision::eventId).toList();
  }

  private static List<String> committedDecisions(AuditorConfig config) {
    return decisions(config, "read_committed");
  }

  /**
   * The decisions readable now at {@code isolation}, in JSON form: everything below the end
   * offsets taken first (for read_committed, the last stable offset).
   */
  private static List<String> decisions(AuditorConfig config, String isolation) {
    String topic = config.topics().decisions();
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        AvroSerde<io.agentauditor.schema.Decision> serde =
            AvroSerde.of(io.agentauditor.schema.Decision.class, config.serdeConfig(), false)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                  if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    out.add(
                        DecisionJsonCodec.encode(
                            DecisionMapper.fromAvro(serde.deserialize(r.topic(), r.value()))));
                  }
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
              });
    }
    return out;
  }

  private static AuditorConfig config(String answerWhen, Path stateDir) {
    return ItConfigs.config(
        KAFKA,
        KafkaBroker.uniqueName("when-" + answerWhen),
        stateDir,
        1,
        Map.of(
            "gateway.enabled", "true",
            "gateway.port", "0",
            "gateway.grpc.port", "-1",
            "gateway.answer.when", answerWhen,
            // Longer than the task's reassignment after it is taken away.
            "gateway.timeout.ms", "120000"));
  }
}
