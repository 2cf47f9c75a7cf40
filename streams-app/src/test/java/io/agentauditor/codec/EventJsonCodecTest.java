package io.agentauditor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.schema.AgentEvent;
import io.agentauditor.schema.CredentialKind;
import io.agentauditor.schema.CredentialStorage;
import io.agentauditor.schema.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Example tests: one or more per rule of contract section 2, with the exact path and reason. */
public class EventJsonCodecTest {

  public static final String HEAD =
      "'eventId':'e1','sessionId':'s1','agentId':'agent:a','occurredAt':'2026-11-26T10:00:00.000Z',";
  public static final String STARTED =
      json("{" + HEAD + "'type':'SESSION_STARTED','session':{'initiator':'user:alice',"
          + "'grantedScopes':['read:repo/acme/**'],'intent':'fix'}}");
  public static final String DELEGATED =
      json("{" + HEAD + "'type':'AGENT_DELEGATED','delegation':{'childAgentId':'agent:b',"
          + "'scopes':['write:repo/acme/api'],'purpose':'p'}}");
  public static final String TOOL =
      json("{" + HEAD + "'type':'TOOL_CALL','toolCall':{'tool':'repo.write_file',"
          + "'arguments':{'repo':'acme/api','path':'a.py'},'credentialId':'c1'}}");
  public static final String ISSUED =
      json("{" + HEAD + "'type':'CREDENTIAL_ISSUED','credential':{'credentialId':'c1',"
          + "'subjectAgentId':'agent:b','scopes':['read:repo/x'],'kind':'OIDC_TOKEN',"
          + "'ttlSeconds':600,'storage':'MEMORY'}}");
  public static final String REVOKED =
      json("{" + HEAD + "'type':'CREDENTIAL_REVOKED','revocation':{'credentialId':'c1','reason':'r'}}");
  public static final String APPROVED =
      json("{" + HEAD + "'type':'APPROVAL_GRANTED','approval':{'approvalId':'a1',"
          + "'approver':'user:bob','scopes':['admin:ci/x'],'ttlSeconds':60}}");
  public static final String ENDED = json("{" + HEAD + "'type':'SESSION_ENDED'}");

  /** JSON written with single quotes, for readability. */
  static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  static InvalidEventException invalid(String line) {
    try {
      AgentEvent e = AvroViews.decode(line);
      throw new AssertionError("expected invalid, decoded " + e + " from " + line);
    } catch (InvalidEventException e) {
      return e;
    }
  }

  static void assertInvalid(String line, String path, String reason) {
    InvalidEventException e = invalid(line);
    assertThat(e.fieldPath()).as("path of %s", e.getMessage()).isEqualTo(path);
    assertThat(e.reason()).as("reason of %s", e.getMessage()).isEqualTo(reason);
    assertThat(e.getMessage()).isEqualTo(path + ": " + reason);
  }

  @Nested
  class ValidLines {

    @Test
    void shouldDecodeTheContractExamples() {
      // Given the three example lines of contract section 2
      String[] lines = {
        "{\"eventId\":\"e1\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:00.000Z\",\"type\":\"SESSION_STARTED\",\"session\":{\"initiator\":\"user:alice@acme.io\",\"grantedScopes\":[\"read:repo/acme/**\",\"write:repo/acme/api\"],\"intent\":\"fix flaky test\"}}",
        "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"agentId\":\"agent:planner\",\"occurredAt\":\"2026-11-26T10:00:01.000Z\",\"type\":\"AGENT_DELEGATED\",\"delegation\":{\"childAgentId\":\"agent:coder\",\"scopes\":[\"write:repo/acme/api\"]}}",
        "{\"eventId\":\"e3\",\"sessionId\":\"s1\",\"agentId\":\"agent:coder\",\"occurredAt\":\"2026-11-26T10:00:02.000Z\",\"type\":\"TOOL_CALL\",\"toolCall\":{\"tool\":\"repo.write_file\",\"arguments\":{\"repo\":\"acme/api\",\"path\":\"src/a.py\",\"content\":\"print(1)\"}}}"
      };

      // When they are decoded
      AgentEvent started = AvroViews.decode(lines[0]);
      AgentEvent delegated = AvroViews.decode(lines[1]);
      AgentEvent call = AvroViews.decode(lines[2]);

      // Then every field is read
      assertThat(started.getType()).isEqualTo(EventType.SESSION_STARTED);
      assertThat(started.getOccurredAt()).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
      assertThat(started.getSession().getGrantedScopes())
          .containsExactly("read:repo/acme/**", "write:repo/acme/api");
      assertThat(started.getSession().getIntent()).isEqualTo("fix flaky test");
      assertThat(delegated.getDelegation().getChildAgentId()).isEqualTo("agent:coder");
      assertThat(delegated.getDelegation().getPurpose()).isNull();
      assertThat(call.getToolCall().getArguments())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("repo", "acme/api", "path", "src/a.py", "content", "print(1)"));
      assertThat(call.getToolCall().getCredentialId()).isNull();
      assertThat(call.getSession()).isNull();
    }

    @Test
    void shouldDecodeEveryTypeAndEncodeItBackCanonically() {
      for (String line : new String[] {STARTED, DELEGATED, TOOL, ISSUED, REVOKED, APPROVED, ENDED}) {
        // When a canonical line is decoded and encoded
        AgentEvent event = AvroViews.decode(line);
        String encoded = AvroViews.encode(event);

        // Then the encoding is the line (arguments sorted by key), and decodes to the same event
        String expected = line.replace("{\"repo\":\"acme/api\",\"path\":\"a.py\"}",
            "{\"path\":\"a.py\",\"repo\":\"acme/api\"}");
        assertThat(encoded).isEqualTo(expected);
        assertThat(AvroViews.decode(encoded)).isEqualTo(event);
        assertThat(AvroViews.decode(encoded.getBytes(StandardCharsets.UTF_8))).isEqualTo(event);
      }
    }

    @Test
    void shouldIgnoreUnknownFieldsAtTheTopAndInsideThePayload() {
      // Given unknown fields of every JSON type, nested, before and after the known ones
      String line = json("{'x':{'y':[1,2.5,{'z':null}]},'eventId':'e1','sessionId':'s1',"
          + "'agentId':'a','occurredAt':'2026-01-01T00:00:00Z','type':'CREDENTIAL_REVOKED',"
          + "'revocation':{'extra':[[]],'credentialId':'c1','more':true},'tail':1e400}");

      // When it is decoded
      AgentEvent e = AvroViews.decode(line);

      // Then the unknown fields leave no trace
      assertThat(AvroViews.encode(e)).isEqualTo(json("{'eventId':'e1','sessionId':'s1',"
          + "'agentId':'a','occurredAt':'2026-01-01T00:00:00.000Z','type':'CREDENTIAL_REVOKED',"
          + "'revocation':{'credentialId':'c1'}}"));
    }

    @Test
    void shouldAcceptNullOptionalFieldsAndNullPayloadsOfOtherTypes() {
      // Given optional fields and other payloads set to null
      String line = json("{" + HEAD + "'type':'CREDENTIAL_ISSUED','session':null,'toolCall':null,"
          + "'credential':{'credentialId':'c1','subjectAgentId':'b','scopes':[],'kind':'API_KEY',"
          + "'ttlSeconds':null,'storage':'UNKNOWN'},'approval':null}");

      // When it is decoded
      AgentEvent e = AvroViews.decode(line);

      // Then null means absent; an empty scope list and storage UNKNOWN are fine
      assertThat(e.getCredential().getTtlSeconds()).isNull();
      assertThat(e.getCredential().getScopes()).isEmpty();
      assertThat(e.getCredential().getKind()).isEqualTo(CredentialKind.API_KEY);
      assertThat(e.getCredential().getStorage()).isEqualTo(CredentialStorage.UNKNOWN);
      assertThat(e.getSession()).isNull();
      assertThat(AvroViews.decode(json("{" + HEAD + "'type':'SESSION_ENDED','session':null}")))
          .isEqualTo(AvroViews.decode(ENDED));
    }

    @Test
    void shouldReadAPayloadThatComesBeforeTheType() {
      // Given the payload ahead of `type`
      String line = json("{'toolCall':{'tool':'t','arguments':{}},'eventId':'e1','sessionId':'s1',"
          + "'agentId':'a','occurredAt':'2026-01-01T00:00:00Z','type':'TOOL_CALL'}");

      // When / Then
      assertThat(AvroViews.decode(line).getToolCall().getTool()).isEqualTo("t");
    }

    @Test
    void shouldTolerateSurroundingWhitespaceAndATrailingCarriageReturn() {
      assertThat(AvroViews.decode(" \t" + ENDED + "\r")).isEqualTo(AvroViews.decode(ENDED));
      assertThat(AvroViews.decode((ENDED + "\r\n").getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(AvroViews.decode(ENDED));
    }

    @Test
    void shouldKeepUnicodeAndEscapedNulInStrings() {
      // Given ids with non-BMP characters and an escaped NUL
      String line = json("{'eventId':'\\u0000é😀','sessionId':'会话','agentId':'a',"
          + "'occurredAt':'2026-01-01T00:00:00Z','type':'SESSION_ENDED'}");

      // When it is decoded from text and from UTF-8 bytes
      AgentEvent fromText = AvroViews.decode(line);
      AgentEvent fromBytes = AvroViews.decode(line.getBytes(StandardCharsets.UTF_8));

      // Then the strings are intact
      assertThat(fromText.getEventId()).isEqualTo("\u0000é😀");
      assertThat(fromText.getSessionId()).isEqualTo("会话");
      assertThat(fromBytes).isEqualTo(fromText);
    }

    @Test
    void shouldDecodeTheSubRangeOfABuffer() {
      byte[] buf = ("xx" + ENDED + "yy").getBytes(StandardCharsets.UTF_8);
      assertThat(AvroViews.decode(buf, 2, buf.length - 4)).isEqualTo(AvroViews.decode(ENDED));
    }
  }

  @Nested
  class NotAnObject {

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\r", "[]", "\"x\"", "1", "null", "true", "[{}]"})
    void shouldRejectWhatIsNotAJsonObject(String line) {
      assertInvalid(line, "$", "not a JSON object");
      assertThatThrownBy(() -> AvroViews.decode(line.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(InvalidEventException.class)
          .hasMessage("$: not a JSON object");
    }

    @Test
    void shouldRejectNullInputAndAByteOrderMark() {
      assertThatThrownBy(() -> AvroViews.decode((String) null))
          .isInstanceOf(InvalidEventException.class).hasMessage("$: not a JSON object");
      assertInvalid("\uFEFF" + ENDED, "$", "not a JSON object");
      byte[] bom = ("\uFEFF" + ENDED).getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> AvroViews.decode(bom))
          .isInstanceOf(InvalidEventException.class).hasMessage("$: not a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {" x", "{}", " {}", "[]", "1", " \"\"", "}"})
    void shouldRejectTrailingContent(String tail) {
      assertInvalid(ENDED + tail, "$", "trailing content after the JSON object");
    }

    @Test
    void shouldReportMalformedJsonWithItsPosition() {
      InvalidEventException e = invalid(json("{'eventId':'e1','toolCall':{'arguments':{'a':tru}}}"));
      assertThat(e.fieldPath()).isEqualTo("toolCall.arguments.a");
      assertThat(e.reason()).startsWith("malformed JSON: ").contains("at offset");
    }

    @Test
    void shouldRejectATruncatedLine() {
      InvalidEventException e = invalid(TOOL.substring(0, TOOL.indexOf("acme/api")));
      assertThat(e.fieldPath()).isEqualTo("toolCall.arguments.repo");
      assertThat(e.reason()).startsWith("malformed JSON: ");
    }
  }

  @Nested
  class RequiredFields {

    @ParameterizedTest
    @CsvSource({
      "eventId", "sessionId", "agentId", "occurredAt", "type"
    })
    void shouldRejectAMissingOrNullCommonField(String field) {
      String value = field.equals("type") ? "'SESSION_ENDED'"
          : field.equals("occurredAt") ? "'2026-11-26T10:00:00.000Z'" : null;
      String line = ENDED.replace(json(",'" + field + "':" + (value == null ? "'" : value)), json(",'x" + field + "':" + (value == null ? "'" : value)));
      if (line.equals(ENDED)) { // eventId is first: no leading comma
        line = ENDED.replace("\"" + field + "\"", "\"x" + field + "\"");
      }
      assertInvalid(line, field, "required field is missing");
      assertInvalid(ENDED.replace("\"" + field + "\"", "\"x\":1,\"" + field + "\"").replaceFirst(
          "(\"" + field + "\":)(\"[^\"]*\")", "$1null"), field, "required field is null");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
      "STARTED|initiator|session.initiator",
      "STARTED|grantedScopes|session.grantedScopes",
      "DELEGATED|childAgentId|delegation.childAgentId",
      "DELEGATED|scopes|delegation.scopes",
      "TOOL|tool|toolCall.tool",
      "TOOL|arguments|toolCall.arguments",
      "ISSUED|credentialId|credential.credentialId",
      "ISSUED|subjectAgentId|credential.subjectAgentId",
      "ISSUED|scopes|credential.scopes",
      "ISSUED|kind|credential.kind",
      "ISSUED|storage|credential.storage",
      "REVOKED|credentialId|revocation.credentialId",
      "APPROVED|approvalId|approval.approvalId",
      "APPROVED|approver|approval.approver",
      "APPROVED|scopes|approval.scopes",
      "APPROVED|ttlSeconds|approval.ttlSeconds"
    })
    void shouldRejectAMissingOrNullPayloadField(String base, String field, String path) {
      String line = line(base);
      assertInvalid(line.replace("\"" + field + "\":", "\"renamed\":"), path, "required field is missing");
      assertInvalid(setNull(line, field), path, "required field is null");
    }

    @Test
    void shouldRejectAMissingOrNullPayload() {
      assertInvalid(json("{" + HEAD + "'type':'TOOL_CALL'}"), "toolCall",
          "payload of type TOOL_CALL is missing");
      assertInvalid(json("{" + HEAD + "'type':'SESSION_STARTED','session':null}"), "session",
          "payload of type SESSION_STARTED is null");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "ENDED|eventId|5|eventId: expected string, got number",
      "ENDED|sessionId|true|sessionId: expected string, got boolean",
      "ENDED|occurredAt|1700000000000|occurredAt: expected string, got number",
      "ENDED|type|['SESSION_ENDED']|type: expected string, got array",
      "STARTED|session|'x'|session: expected object, got string",
      "STARTED|grantedScopes|'read:x'|session.grantedScopes: expected array, got string",
      "STARTED|grantedScopes|['read:x',{}]|session.grantedScopes[1]: expected string, got object",
      "STARTED|intent|3|session.intent: expected string, got number",
      "TOOL|arguments|[]|toolCall.arguments: expected object, got array",
      "TOOL|arguments|{'repo':['acme/api']}|toolCall.arguments.repo: expected string, got array",
      "TOOL|arguments|{'n':1}|toolCall.arguments.n: expected string, got number",
      "TOOL|arguments|{'n':null}|toolCall.arguments.n: expected string, got null",
      "TOOL|arguments|{'a b':false}|toolCall.arguments[\"a b\"]: expected string, got boolean",
      "TOOL|credentialId|{}|toolCall.credentialId: expected string, got object",
      "ISSUED|kind|1|credential.kind: expected string, got number",
      "ISSUED|ttlSeconds|'600'|credential.ttlSeconds: expected integer, got string",
      "APPROVED|ttlSeconds|true|approval.ttlSeconds: expected integer, got boolean"
    })
    void shouldRejectAValueOfTheWrongJsonType(String base, String field, String value, String message) {
      String line = replaceValue(line(base), field, json(value));
      assertThat(invalid(line)).hasMessage(message);
    }
  }

  @Nested
  class Ids {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
      "ENDED|eventId|eventId",
      "ENDED|sessionId|sessionId",
      "ENDED|agentId|agentId",
      "DELEGATED|childAgentId|delegation.childAgentId",
      "ISSUED|credentialId|credential.credentialId",
      "ISSUED|subjectAgentId|credential.subjectAgentId",
      "REVOKED|credentialId|revocation.credentialId",
      "TOOL|credentialId|toolCall.credentialId",
      "APPROVED|approvalId|approval.approvalId"
    })
    void shouldRejectAnEmptyId(String base, String field, String path) {
      assertInvalid(replaceValue(line(base), field, "\"\""), path, "must not be empty");
    }

    @Test
    void shouldRejectAnUnpairedSurrogate() {
      assertInvalid(replaceValue(ENDED, "eventId", "\"a\\ud800\""), "eventId",
          "string has an unpaired UTF-16 surrogate");
      assertInvalid(replaceValue(TOOL, "arguments", "{\"k\":\"\\udc00x\"}"), "toolCall.arguments.k",
          "string has an unpaired UTF-16 surrogate");
      assertInvalid(ENDED.replace("\"e1\"", "\"a\ud800\""), "eventId",
          "string has an unpaired UTF-16 surrogate");
    }
  }

  @Nested
  class Enums {

    @ParameterizedTest
    @ValueSource(strings = {"FOO", "UNRECOGNIZED", "session_ended", "", " SESSION_ENDED"})
    void shouldRejectAnUnknownType(String type) {
      assertInvalid(replaceValue(ENDED, "type", "\"" + type + "\""), "type",
          "unknown value \"" + type + "\", expected one of [SESSION_STARTED, AGENT_DELEGATED, "
              + "TOOL_CALL, CREDENTIAL_ISSUED, CREDENTIAL_REVOKED, APPROVAL_GRANTED, SESSION_ENDED]");
    }

    @Test
    void shouldRejectAnUnknownKindOrStorage() {
      assertInvalid(replaceValue(ISSUED, "kind", "\"UNRECOGNIZED\""), "credential.kind",
          "unknown value \"UNRECOGNIZED\", expected one of [SHORT_LIVED_TOKEN, OIDC_TOKEN, "
              + "SPIFFE_SVID, API_KEY, STATIC_SECRET, PASSWORD, SSH_KEY]");
      assertInvalid(replaceValue(ISSUED, "storage", "\"VAULT\""), "credential.storage",
          "unknown value \"VAULT\", expected one of [MEMORY, SECRETS_MANAGER, ENV, CONFIG_FILE, "
              + "REPOSITORY, CI_VARIABLE, UNKNOWN]");
      assertInvalid(replaceValue(ISSUED, "storage", "\"UNRECOGNIZED\""), "credential.storage",
          "unknown value \"UNRECOGNIZED\", expected one of [MEMORY, SECRETS_MANAGER, ENV, CONFIG_FILE, "
              + "REPOSITORY, CI_VARIABLE, UNKNOWN]");
    }

    @Test
    void shouldEchoALongUnknownValueShortAndEscaped() {
      String value = "X".repeat(100) + "\\n";
      InvalidEventException e = invalid(replaceValue(ENDED, "type", "\"\\n" + value + "\""));
      assertThat(e.reason()).startsWith("unknown value \"\\n" + "X".repeat(63) + "\u2026\"");
    }
  }

  @Nested
  class Payloads {

    @Test
    void shouldRejectAPayloadOfAnotherTypeAfterOrBeforeTheType() {
      String extra = ",\"delegation\":{\"childAgentId\":\"b\",\"scopes\":[]}}";
      assertInvalid(TOOL.substring(0, TOOL.length() - 1) + extra, "delegation",
          "payload of another type present (type is TOOL_CALL)");
      String before = "{\"delegation\":{\"junk\":1}," + TOOL.substring(1);
      assertInvalid(before, "delegation", "payload of another type present (type is TOOL_CALL)");
      assertInvalid(ENDED.substring(0, ENDED.length() - 1) + ",\"approval\":5}", "approval",
          "payload of another type present (type is SESSION_ENDED)");
    }

    @Test
    void shouldJudgeABufferedPayloadOfTheTypeAfterTheObject() {
      String line = json("{'toolCall':{'tool':'t','arguments':{'x':1}},'eventId':'e1','sessionId':'s1',"
          + "'agentId':'a','occurredAt':'2026-01-01T00:00:00Z','type':'TOOL_CALL'}");
      assertInvalid(line, "toolCall.arguments.x", "expected string, got number");
    }
  }

  @Nested
  class DuplicateKeys {

    @Test
    void shouldRejectADuplicateKeyAtAnyDepth() {
      assertInvalid(ENDED.replace("\"sessionId\"", "\"eventId\":\"e2\",\"sessionId\""), "eventId",
          "duplicate key");
      assertInvalid(replaceValue(TOOL, "arguments", "{\"a\":\"1\",\"a\":\"1\"}"),
          "toolCall.arguments.a", "duplicate key");
      assertInvalid(STARTED.replace("\"intent\"", "\"initiator\":\"x\",\"intent\""),
          "session.initiator", "duplicate key");
      assertInvalid(ENDED.replace("{", "{\"x\":[0,{\"y\":{\"z\":1,\"z\":2}}],"), "x[1].y.z",
          "duplicate key");
      assertInvalid(ENDED.replace("}", ",\"type\":\"SESSION_ENDED\"}"), "type", "duplicate key");
    }
  }

  @Nested
  class Integers {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
      "1.0|expected integer, got number with fraction or exponent",
      "1e3|expected integer, got number with fraction or exponent",
      "1E+2|expected integer, got number with fraction or exponent",
      "0.5|expected integer, got number with fraction or exponent",
      "-1|integer out of range [0, 2147483647]",
      "2147483648|integer out of range [0, 2147483647]",
      "99999999999999999999999999|integer out of range [0, 2147483647]",
    })
    void shouldRejectACredentialTtlThatIsNotAnIntegerInRange(String value, String reason) {
      assertInvalid(replaceValue(ISSUED, "ttlSeconds", value), "credential.ttlSeconds", reason);
    }

    @ParameterizedTest
    @CsvSource({"0,0", "-0,0", "2147483647,2147483647"})
    void shouldAcceptACredentialTtlFromZeroToIntMax(String value, int expected) {
      assertThat(AvroViews.decode(replaceValue(ISSUED, "ttlSeconds", value))
          .getCredential().getTtlSeconds()).isEqualTo(expected);
    }

    @Test
    void shouldRequireAPositiveApprovalTtl() {
      assertInvalid(replaceValue(APPROVED, "ttlSeconds", "0"), "approval.ttlSeconds",
          "integer out of range [1, 2147483647]");
      assertInvalid(replaceValue(APPROVED, "ttlSeconds", "60.0"), "approval.ttlSeconds",
          "expected integer, got number with fraction or exponent");
      assertThat(AvroViews.decode(replaceValue(APPROVED, "ttlSeconds", "1"))
          .getApproval().getTtlSeconds()).isEqualTo(1);
    }

    @Test
    void shouldRejectMalformedNumbers() {
      for (String bad : new String[] {"01", "+1", "NaN", "Infinity", "0x10", "1.", ".5"}) {
        assertThat(invalid(replaceValue(ISSUED, "ttlSeconds", bad)).fieldPath())
            .as(bad).isEqualTo("credential.ttlSeconds");
      }
    }

    @Test
    void shouldRejectANumberLongerThanTheParserLimit() {
      InvalidEventException e = invalid(ENDED.replace("{", "{\"x\":" + "9".repeat(5000) + ","));
      assertThat(e.fieldPath()).isEqualTo("x");
    }
  }

  @Nested
  class OccurredAt {

    @ParameterizedTest
    @CsvSource({
      "2026-11-26T10:00:00Z,2026-11-26T10:00:00Z",
      "2026-11-26t10:00:00z,2026-11-26T10:00:00Z",
      "2026-11-26T10:00:00.1Z,2026-11-26T10:00:00.100Z",
      "2026-11-26T10:00:00.123456789Z,2026-11-26T10:00:00.123Z",
      "2026-11-26T10:00:00.9999999999999999999Z,2026-11-26T10:00:00.999Z",
      "2026-11-26T12:30:00+02:30,2026-11-26T10:00:00Z",
      "2026-11-26T00:00:00-10:00,2026-11-26T10:00:00Z",
      "2026-11-26T10:00:00-00:00,2026-11-26T10:00:00Z",
      "2024-02-29T23:59:59.999+23:59,2024-02-29T00:00:59.999Z",
      "2000-02-29T00:00:00Z,2000-02-29T00:00:00Z",
      "0000-01-01T00:00:00Z,0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999Z,9999-12-31T23:59:59.999Z",
      "1969-12-31T23:59:59.999Z,1969-12-31T23:59:59.999Z"
    })
    void shouldNormaliseToUtcMilliseconds(String text, String utc) {
      AgentEvent e = AvroViews.decode(replaceValue(ENDED, "occurredAt", "\"" + text + "\""));
      assertThat(e.getOccurredAt()).isEqualTo(Instant.parse(utc));
    }

    @ParameterizedTest
    @ValueSource(strings = {
      "2026-11-26T10:00:60Z", "2016-12-31T23:59:60Z", "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
      "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z",
      "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00Z", "2026-01-01T00:00:00",
      "2026-01-01 00:00:00Z", "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00+24:00",
      "2026-01-01T00:00:00+01:60", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00,5Z",
      "2026-01-01T00:00:00ZZ", "2026-01-01T00:00:00Z ", " 2026-01-01T00:00:00Z",
      "26-01-01T00:00:00Z", "+2026-01-01T00:00:00Z", "12026-01-01T00:00:00Z", "2026-1-01T00:00:00Z",
      "2026-01-01", "2026-01-01T00:00:00UTC", "0000-01-01T00:00:00+00:01",
      "9999-12-31T23:59:59-00:01", "2026-01-01T00:00:00.5+1:00", "２０２６-01-01T00:00:00Z", ""
    })
    void shouldRejectWhatIsNotAnRfc3339DateTimeWithSecondsAndOffset(String text) {
      assertInvalid(replaceValue(ENDED, "occurredAt", "\"" + text + "\""), "occurredAt",
          "not an RFC 3339 date-time with seconds and offset");
    }
  }

  @Nested
  class Scopes {

    @Test
    void shouldRejectAMalformedScopeNamingTheElement() {
      assertInvalid(replaceValue(DELEGATED, "scopes", "[\"read:x\",\"read\"]"), "delegation.scopes[1]",
          "malformed scope \"read\": expected ACTION:RESOURCE");
      assertInvalid(replaceValue(STARTED, "grantedScopes", "[\"read:a/**/b\"]"),
          "session.grantedScopes[0]", "malformed scope \"read:a/**/b\": ** is allowed as the last segment only");
      assertInvalid(replaceValue(ISSUED, "scopes", "[\"Read:x\"]"), "credential.scopes[0]",
          "malformed scope \"Read:x\": action must be [a-z][a-z0-9_-]* or *");
      assertInvalid(replaceValue(APPROVED, "scopes", "[\"read:a//b\"]"), "approval.scopes[0]",
          "malformed scope \"read:a//b\": empty segment");
    }

    @Test
    void shouldKeepTheReasonOfAMalformedScopeOnOneLineWhenItsSegmentHoldsALineBreak() {
      // Given a scope whose bad segment holds an escaped \n and \r (replay prints one reason a line)
      String line = replaceValue(DELEGATED, "scopes", "[\"read:a\\nline 99: b\\rc\"]");
      // When
      InvalidEventException e = invalid(line);
      // Then the raw input is echoed escaped, as in every other reason
      assertThat(e.fieldPath()).isEqualTo("delegation.scopes[0]");
      assertThat(e.reason()).doesNotContain("\n", "\r");
    }

    @Test
    void shouldAcceptEmptyScopeLists() {
      assertThat(AvroViews.decode(replaceValue(DELEGATED, "scopes", "[]")).getDelegation()
          .getScopes()).isEmpty();
    }
  }

  @Nested
  class Bytes {

    @Test
    void shouldRejectInvalidUtf8AndNulBytes() {
      byte[] ok = ENDED.getBytes(StandardCharsets.UTF_8);
      byte[][] bad = {
        patch(ok, 12, (byte) 0xC3), // truncated 2-byte sequence inside "e1"
        patch(ok, 12, (byte) 0xC0, (byte) 0xAF), // overlong '/'
        patch(ok, 12, (byte) 0xED, (byte) 0xA0, (byte) 0x80), // UTF-8 encoded surrogate
        patch(ok, 12, (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80), // above U+10FFFF
        patch(ok, 12, (byte) 0xFF)
      };
      for (byte[] b : bad) {
        assertThatThrownBy(() -> AvroViews.decode(b))
            .isInstanceOf(InvalidEventException.class)
            .hasMessage("$: invalid UTF-8 at byte offset 12");
      }
      assertThatThrownBy(() -> AvroViews.decode(patch(ok, 12, (byte) 0)))
          .isInstanceOf(InvalidEventException.class)
          .hasMessage("$: malformed JSON: NUL byte at offset 12");
    }

    @Test
    void shouldNeverReadUtf16() {
      byte[] utf16 = ENDED.getBytes(StandardCharsets.UTF_16LE);
      assertThatThrownBy(() -> AvroViews.decode(utf16)).isInstanceOf(InvalidEventException.class);
    }

    @Test
    void shouldRejectARawControlCharacterInAString() {
      assertThat(invalid(ENDED.replace("e1", "e\u00011")).reason()).startsWith("malformed JSON");
    }

    @Test
    void shouldCapNestingDepth() {
      String deep = "[".repeat(200) + "]".repeat(200);
      InvalidEventException e = invalid(ENDED.replace("{", "{\"x\":" + deep + ","));
      assertThat(e.reason()).isEqualTo("nested deeper than 64 levels");
      assertThat(e.fieldPath()).startsWith("x[0][0]");
      assertThat(AvroViews.decode(ENDED.replace("{", "{\"x\":" + "[".repeat(60)
          + "]".repeat(60) + ","))).isEqualTo(AvroViews.decode(ENDED));
    }

    private static byte[] patch(byte[] base, int at, byte... bytes) {
      byte[] out = new byte[base.length + bytes.length];
      System.arraycopy(base, 0, out, 0, at);
      System.arraycopy(bytes, 0, out, at, bytes.length);
      System.arraycopy(base, at, out, at + bytes.length, base.length - at);
      return out;
    }
  }

  // ------------------------------------------------------------------ helpers

  static String line(String name) {
    return switch (name) {
      case "STARTED" -> STARTED;
      case "DELEGATED" -> DELEGATED;
      case "TOOL" -> TOOL;
      case "ISSUED" -> ISSUED;
      case "REVOKED" -> REVOKED;
      case "APPROVED" -> APPROVED;
      default -> ENDED;
    };
  }

  /** Replaces the value of the first {@code "field":} (a string, number, array or object value). */
  static String replaceValue(String line, String field, String value) {
    int key = line.indexOf("\"" + field + "\":");
    assertThat(key).as("field %s in %s", field, line).isGreaterThanOrEqualTo(0);
    int start = key + field.length() + 3;
    int end = endOfValue(line, start);
    return line.substring(0, start) + value + line.substring(end);
  }

  static String setNull(String line, String field) {
    return replaceValue(line, field, "null");
  }

  private static int endOfValue(String s, int i) {
    char c = s.charAt(i);
    if (c == '"') {
      int j = i + 1;
      while (s.charAt(j) != '"') {
        j += s.charAt(j) == '\\' ? 2 : 1;
      }
      return j + 1;
    }
    if (c == '[' || c == '{') {
      int depth = 0;
      boolean inString = false;
      for (int j = i; ; j++) {
        char d = s.charAt(j);
        if (inString) {
          if (d == '\\') {
            j++;
          } else if (d == '"') {
            inString = false;
          }
        } else if (d == '"') {
          inString = true;
        } else if (d == '[' || d == '{') {
          depth++;
        } else if (d == ']' || d == '}') {
          if (--depth == 0) {
            return j + 1;
          }
        }
      }
    }
    int j = i;
    while (s.charAt(j) != ',' && s.charAt(j) != '}') {
      j++;
    }
    return j;
  }
}
