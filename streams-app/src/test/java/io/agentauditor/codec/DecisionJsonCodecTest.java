package io.agentauditor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentauditor.avro.DecisionMapper;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.EventType;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The decision line of contract 9.1, its decoder, and the Avro mapping. */
class DecisionJsonCodecTest {

  static final Decision BLOCKED = new Decision(
      "e3", "s1", "agent:coder", EventType.TOOL_CALL, 1_795_687_202_000L, Verdict.BLOCK,
      List.of(
          new Finding("scope-widening", Verdict.BLOCK, RuleMode.ENFORCE, Severity.HIGH,
              "write:repo/acme/web is not covered", List.of("OWASP-NHI:NHI5", "NIST-CSF:PR.AA-05"),
              null),
          new Finding("credential-not-revoked", Verdict.FLAG, RuleMode.SHADOW, Severity.LOW,
              "c1 is live", List.of(), "c1")),
      "default@1.0.0+sha256:abc",
      List.of("agent:planner", "agent:coder"));

  @Test
  void shouldEncodeExactlyTheFieldsOfContract91InOrder() {
    // When a decision is encoded
    String line = DecisionJsonCodec.encode(BLOCKED);

    // Then it is the canonical line: mode lower-case, null credentialId omitted, UTC millis
    assertThat(line).isEqualTo(EventJsonCodecTest.json(
        "{'eventId':'e3','sessionId':'s1','agentId':'agent:coder','type':'TOOL_CALL',"
            + "'occurredAt':'2026-11-26T10:00:02.000Z','verdict':'BLOCK','findings':["
            + "{'ruleId':'scope-widening','action':'BLOCK','mode':'enforce','severity':'HIGH',"
            + "'message':'write:repo/acme/web is not covered',"
            + "'references':['OWASP-NHI:NHI5','NIST-CSF:PR.AA-05']},"
            + "{'ruleId':'credential-not-revoked','action':'FLAG','mode':'shadow','severity':'LOW',"
            + "'message':'c1 is live','references':[],'credentialId':'c1'}],"
            + "'policy':'default@1.0.0+sha256:abc','path':['agent:planner','agent:coder']}"));
    assertThat(DecisionJsonCodec.decode(line)).isEqualTo(BLOCKED);
    assertThat(DecisionJsonCodec.decode(DecisionJsonCodec.encodeUtf8(BLOCKED))).isEqualTo(BLOCKED);
  }

  @Test
  void shouldReadAMissingModeAsEnforceAndAnyOffset() {
    // Given a finding without mode and a time with an offset
    String line = EventJsonCodecTest.json("{'eventId':'e','sessionId':'s','agentId':'a',"
        + "'type':'SESSION_ENDED','occurredAt':'2026-11-26T11:00:02+01:00','verdict':'FLAG',"
        + "'findings':[{'ruleId':'r','action':'FLAG','severity':'MEDIUM','message':'m',"
        + "'references':[],'extra':{}}],'policy':'p','path':[],'more':1}");

    // When it is decoded
    Decision d = DecisionJsonCodec.decode(line);

    // Then the defaults apply and unknown fields are ignored
    assertThat(d.findings().get(0).mode()).isEqualTo(RuleMode.ENFORCE);
    assertThat(d.occurredAtMillis()).isEqualTo(1_795_687_202_000L);
  }

  @Test
  void shouldRejectABrokenDecisionLineWithItsPath() {
    String line = DecisionJsonCodec.encode(BLOCKED);
    assertInvalid(line.replace("\"verdict\":\"BLOCK\"", "\"verdict\":\"DENY\""), "verdict",
        "unknown value \"DENY\", expected one of [ALLOW, FLAG, BLOCK]");
    assertInvalid(line.replace("\"mode\":\"shadow\"", "\"mode\":\"SHADOW\""), "findings[1].mode",
        "unknown value \"SHADOW\", expected one of [enforce, shadow]");
    assertInvalid(line.replace(",\"policy\":\"default@1.0.0+sha256:abc\"", ""), "policy",
        "required field is missing");
    assertInvalid(line.replace("\"message\":\"c1 is live\",", ""), "findings[1].message",
        "required field is missing");
    assertInvalid(line.replace("\"path\":[", "\"path\":[1,"), "path[0]", "expected string, got number");
    assertInvalid(line.replace("{\"ruleId\":\"scope", "{\"ruleId\":\"x\",\"ruleId\":\"scope"),
        "findings[0].ruleId", "duplicate key");
    assertInvalid(line + "x", "$", "trailing content after the JSON object");
    assertInvalid("[]", "$", "not a JSON object");
    assertInvalid(line.replace("2026-11-26T10:00:02.000Z", "2026-11-26"), "occurredAt",
        "not an RFC 3339 date-time with seconds and offset");
  }

  @Property(tries = 1000)
  void shouldDecodeTheEncodingOfAnyDecision(@ForAll("decisions") Decision decision) {
    String line = DecisionJsonCodec.encode(decision);
    assertThat(DecisionJsonCodec.decode(line)).isEqualTo(decision);
    assertThat(DecisionJsonCodec.decode(line.getBytes(StandardCharsets.UTF_8))).isEqualTo(decision);
  }

  @Property(tries = 1000)
  void shouldWriteOnlyTheContractFields(@ForAll("decisions") Decision decision) throws IOException {
    JsonNode tree = EventSamples.MAPPER.readTree(DecisionJsonCodec.encode(decision));
    List<String> names = new ArrayList<>();
    tree.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("eventId", "sessionId", "agentId", "type", "occurredAt",
        "verdict", "findings", "policy", "path");
    for (JsonNode f : tree.get("findings")) {
      List<String> fields = new ArrayList<>();
      f.fieldNames().forEachRemaining(fields::add);
      assertThat(fields).containsAnyOf("ruleId").isSubsetOf("ruleId", "action", "mode", "severity",
          "message", "references", "credentialId");
      assertThat(f.has("credentialId")).isEqualTo(!f.path("credentialId").isMissingNode());
    }
  }

  @Property(tries = 1000)
  void shouldMapToAvroAndBackThroughBinaryLosslessly(@ForAll("decisions") Decision decision)
      throws IOException {
    // When the decision goes to its Avro record, through binary, and back
    io.agentauditor.schema.Decision avro = DecisionMapper.toAvro(decision);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(io.agentauditor.schema.Decision.class).write(avro, encoder);
    encoder.flush();
    io.agentauditor.schema.Decision read =
        new SpecificDatumReader<>(io.agentauditor.schema.Decision.class)
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

    // Then it is the same decision
    assertThat(read).isEqualTo(avro);
    assertThat(DecisionMapper.fromAvro(read)).isEqualTo(decision);
  }

  @Property(tries = 2000)
  void shouldDecodeOrRejectRandomText(@ForAll @Size(max = 200) String text) {
    try {
      DecisionJsonCodec.decode(text);
    } catch (InvalidDecisionException expected) {
      assertThat(expected.getMessage()).isEqualTo(expected.fieldPath() + ": " + expected.reason());
    }
  }

  @Provide
  Arbitrary<Decision> decisions() {
    return Arbitraries.randomValue(DecisionJsonCodecTest::decision);
  }

  static Decision decision(Random r) {
    List<Finding> findings = new ArrayList<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      List<String> refs = new ArrayList<>();
      for (int k = r.nextInt(3); k > 0; k--) {
        refs.add(EventSamples.text(r));
      }
      findings.add(new Finding(EventSamples.id(r), r.nextBoolean() ? Verdict.FLAG : Verdict.BLOCK,
          RuleMode.values()[r.nextInt(2)], Severity.values()[r.nextInt(Severity.values().length)],
          EventSamples.text(r), refs, r.nextBoolean() ? null : EventSamples.id(r)));
    }
    List<String> path = new ArrayList<>();
    for (int k = r.nextInt(4); k > 0; k--) {
      path.add(EventSamples.id(r));
    }
    return new Decision(EventSamples.id(r), EventSamples.id(r), EventSamples.id(r),
        EventType.valueOf(EventSamples.TYPES[r.nextInt(EventSamples.TYPES.length)].name()), EventSamples.millis(r),
        Decision.verdictOf(findings), findings, EventSamples.text(r), path);
  }

  private static void assertInvalid(String line, String path, String reason) {
    assertThatThrownBy(() -> DecisionJsonCodec.decode(line))
        .isInstanceOfSatisfying(InvalidDecisionException.class, e -> {
          assertThat(e.fieldPath()).isEqualTo(path);
          assertThat(e.reason()).isEqualTo(reason);
        });
  }
}
