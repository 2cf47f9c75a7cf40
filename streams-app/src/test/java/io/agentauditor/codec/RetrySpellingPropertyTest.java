package io.agentauditor.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.codec.EventSamples.Sample;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StepResult;
import io.agentauditor.model.Step;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.schema.AgentEvent;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Retries are compared by content as values (contract section 4, v2): any JSON spelling of the same
 * event, re-stamped or not, is a retry of it, never an {@code event-id-reuse}.
 */
class RetrySpellingPropertyTest {

  private static final Policy POLICY = PolicyBundleLoader.load(TestBundles.defaultBundle());

  @Property(tries = 1000)
  void shouldTreatAnyReSpellingOfTheSameEventAsARetry(
      @ForAll("samples") Sample sample, @ForAll Random random, @ForAll boolean restamp) {
    // Given an event decided from one spelling
    AuditEngine engine = new AuditEngine(POLICY);
    InMemoryStateStore store = new InMemoryStateStore();
    Step first = EventJsonCodec.decode(sample.line());
    StepResult decided = engine.process(first, store);

    // When the same values come again spelled otherwise: other key order, unknown fields, nulls
    // for absent optional fields, \\u and short escapes, white space; maybe re-stamped
    AgentEvent event = sample.event();
    if (restamp) {
      event = AgentEvent.newBuilder(event)
          .setOccurredAt(Instant.ofEpochMilli(EventSamples.millis(random)))
          .build();
    }
    ObjectNode tree = EventSamples.toJson(event, random);
    String line = spell(tree, random);
    StepResult again = engine.process(EventJsonCodec.decode(line), store);

    // Then it is a retry: the stored decision
    assertThat(again.retry()).as(sample.line() + "\n" + line).isTrue();
    assertThat(again.decision()).isEqualTo(decided.decision());
  }

  @Provide
  Arbitrary<Sample> samples() {
    return EventSamples.samples();
  }

  /** Renders {@code node} as one JSON line with random white space and string escapes. */
  static String spell(JsonNode node, Random r) {
    StringBuilder sb = new StringBuilder();
    spell(node, r, sb);
    return sb.toString();
  }

  private static void spell(JsonNode node, Random r, StringBuilder sb) {
    space(r, sb);
    if (node.isObject()) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> en : node.properties()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        space(r, sb);
        string(en.getKey(), r, sb);
        space(r, sb);
        sb.append(':');
        spell(en.getValue(), r, sb);
      }
      space(r, sb);
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        spell(node.get(i), r, sb);
      }
      space(r, sb);
      sb.append(']');
    } else if (node.isTextual()) {
      string(node.textValue(), r, sb);
    } else {
      sb.append(node.toString());
    }
    space(r, sb);
  }

  private static void space(Random r, StringBuilder sb) {
    switch (r.nextInt(6)) {
      case 0 -> sb.append(' ');
      case 1 -> sb.append("\t ");
      default -> { }
    }
  }

  private static void string(String s, Random r, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean mustEscape = c < 0x20 || c == '"' || c == '\\';
      int how = r.nextInt(4);
      if (how == 0 || (mustEscape && how != 1)) {
        // \\u escape; a surrogate pair becomes two escapes
        sb.append(String.format(r.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
      } else if (how == 1 && shortEscape(c) != null) {
        sb.append('\\').append(shortEscape(c));
      } else if (mustEscape) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  private static Character shortEscape(char c) {
    return switch (c) {
      case '"' -> '"';
      case '\\' -> '\\';
      case '/' -> '/';
      case '\b' -> 'b';
      case '\f' -> 'f';
      case '\n' -> 'n';
      case '\r' -> 'r';
      case '\t' -> 't';
      default -> null;
    };
  }
}
