package io.agentauditor.scenarios;

import io.agentauditor.avro.EventMapper;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.EventType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo scenario that {@code ./auditor demo} plays is valid contract section 2 input, and its
 * expected-verdicts file describes exactly its events.
 */
class DemoScenarioTest {

  private static final String SCENARIO = "scenarios/demo-session.jsonl";
  private static final String EXPECTED = "scenarios/demo-session.expected.md";
  private static final Pattern TABLE_ROW =
      Pattern.compile(
          "^\\| (\\d+) \\| (e\\d+) \\| \\w+ \\| ([A-Z_]+)[^|]*\\| (ALLOW|FLAG|BLOCK) \\|");

  @Test
  void shouldBeOneSessionOfValidEventsInTimeOrder() throws IOException {
    // Given the scenario file
    List<String> lines = lines(SCENARIO);

    // When every line is decoded by the strict JSON Lines codec
    List<AgentEvent> events = new ArrayList<>();
    for (String line : lines) {
      events.add(EventMapper.toAvro(EventJsonCodec.decode(line)));
    }

    // Then it is one session, started first and ended last, with unique ids and ordered times
    assertThat(events).hasSize(17);
    assertThat(events).extracting(AgentEvent::getSessionId).containsOnly("sess-payments-api-4821");
    assertThat(events.get(0).getType()).isEqualTo(EventType.SESSION_STARTED);
    assertThat(events.get(events.size() - 1).getType()).isEqualTo(EventType.SESSION_ENDED);
    assertThat(new HashSet<>(events.stream().map(AgentEvent::getEventId).toList())).hasSize(17);
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).getOccurredAt()).isAfter(events.get(i - 1).getOccurredAt());
    }
  }

  @Test
  void shouldHaveAnExpectedVerdictForEveryEventInOrder() throws IOException {
    // Given the scenario and its expected-verdicts table
    List<AgentEvent> events = new ArrayList<>();
    for (String line : lines(SCENARIO)) {
      events.add(EventMapper.toAvro(EventJsonCodec.decode(line)));
    }
    List<String[]> rows = new ArrayList<>();
    for (String line : lines(EXPECTED)) {
      Matcher m = TABLE_ROW.matcher(line);
      if (m.find()) {
        rows.add(new String[] {m.group(2), m.group(3), m.group(4)});
      }
    }

    // Then the table names each event, with its type, in input order
    assertThat(rows).hasSameSizeAs(events);
    for (int i = 0; i < events.size(); i++) {
      assertThat(rows.get(i)[0]).isEqualTo(events.get(i).getEventId());
      assertThat(rows.get(i)[1]).isEqualTo(events.get(i).getType().name());
    }
  }

  private static List<String> lines(String resource) throws IOException {
    try (InputStream in = DemoScenarioTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(text).endsWith("\n");
      return text.lines().toList();
    }
  }
}
