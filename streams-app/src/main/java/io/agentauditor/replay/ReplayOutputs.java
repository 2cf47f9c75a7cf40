package io.agentauditor.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.avro.CredentialStateMapper;
import io.agentauditor.codec.Rfc3339;
import io.agentauditor.engine.StepResult;
import io.agentauditor.model.CredentialChange;
import io.agentauditor.model.Decision;
import io.agentauditor.ocsf.OcsfDetectionFindings;
import io.agentauditor.schema.CredentialState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The outputs a replay writes beside its decisions, as the topology emits them ({@code
 * AuditProcessor}), each as JSON Lines: the SIEM violations (one OCSF Detection Finding per finding
 * of a FLAG or BLOCK decision, none for a retry's stored decision, idle timeouts' included) and
 * the credential ledger (each lifecycle change, {@code {"key": {sessionId, credentialId}, "value":
 * {...}}}, the value's fields those of the Avro {@code CredentialState} the topology writes, times
 * as RFC 3339). Either output may be null. Called from one thread; streams are not closed.
 */
public final class ReplayOutputs implements ReplayListener {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final OcsfDetectionFindings ocsf = OcsfDetectionFindings.withInstalledVersion();
  private final OutputStream violations;
  private final OutputStream credentials;

  public ReplayOutputs(OutputStream violations, OutputStream credentials) {
    this.violations = violations;
    this.credentials = credentials;
  }

  @Override
  public void decided(StepResult result) throws IOException {
    if (violations != null) {
      if (!result.retry()) {
        writeViolations(result.decision());
      }
      for (Decision timeout : result.idleTimeouts()) {
        writeViolations(timeout);
      }
    }
    if (credentials != null) {
      for (CredentialChange change : result.credentialChanges()) {
        credentials.write(ledgerLine(change));
        credentials.write('\n');
      }
    }
  }

  private void writeViolations(Decision decision) throws IOException {
    for (String json : ocsf.of(decision)) {
      violations.write(json.getBytes(StandardCharsets.UTF_8));
      violations.write('\n');
    }
  }

  /** One ledger record as JSON: the key and the Avro value the topology writes, field by field. */
  static byte[] ledgerLine(CredentialChange change) throws IOException {
    return ledgerLine(change.sessionId(), change.credentialId(), CredentialStateMapper.toAvro(change));
  }

  /**
   * The ledger line of a record of the credentials topic, as a replay writes it for the change
   * that made the record: {@code {"key": {sessionId, credentialId}, "value": {...}}}. Lets a
   * reader of the topic compare it with a replay's ledger byte for byte.
   */
  public static byte[] ledgerLine(String sessionId, String credentialId, CredentialState value)
      throws IOException {
    ObjectNode line = JSON.createObjectNode();
    line.putObject("key").put("sessionId", sessionId).put("credentialId", credentialId);
    ObjectNode fields = line.putObject("value");
    for (Schema.Field field : value.getSchema().getFields()) {
      put(fields, field.name(), value.get(field.pos()));
    }
    return JSON.writeValueAsBytes(line);
  }

  private static void put(ObjectNode node, String name, Object value) {
    if (value == null) {
      node.putNull(name);
    } else if (value instanceof Instant instant) {
      node.put(name, Rfc3339.format(instant));
    } else if (value instanceof Long n) {
      node.put(name, n);
    } else if (value instanceof List<?> list) {
      ArrayNode array = node.putArray(name);
      list.forEach(item -> array.add(String.valueOf(item)));
    } else {
      node.put(name, value.toString()); // strings and enum symbols
    }
  }
}
