package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.Approval;
import io.agentauditor.engine.StateRecords.CredentialRecord;
import io.agentauditor.model.CredentialStatus;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Scope;
import io.agentauditor.model.Step;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.text.Fold;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code TOOL_CALL}: the catalog's required scopes ({@code scope-widening}, {@code unknown-tool},
 * {@code malformed-arguments}, {@code approval-required}), the presented credential ({@code
 * credential-unknown} through {@code credential-scope-exceeded}) and the argument patterns ({@code
 * secret-in-arguments}, {@code long-lived-secret-in-code}); contract sections 5 to 7.
 */
final class ToolCallRules {

  private ToolCallRules() {}

  static Effect toolCall(StepContext c, Step.ToolCall call) {
    CompiledPolicy rules = c.rules;
    Map<String, String> args = call.arguments();
    ToolCatalog.Tool tool = rules.catalog.tool(call.tool());
    ToolCatalog.Built built = tool == null ? null : rules.catalog.build(tool, args, rules.scopes);
    List<Scope> required = built != null && built.ok() ? built.scopes() : null;
    CredentialStorage sink = tool == null ? null : tool.sink();

    if (required != null && c.enabled(BuiltinRule.SCOPE_WIDENING)) {
      ChainChecks.scopeWidening(c, required);
    }
    if (tool == null) {
      c.fire(BuiltinRule.UNKNOWN_TOOL, "tool '" + call.tool() + "' is not in the tool catalog");
    } else if (!built.ok()) {
      c.fire(
          BuiltinRule.MALFORMED_ARGUMENTS,
          "cannot build the required scopes of "
              + tool.name()
              + " "
              + tool.sources()
              + ": "
              + String.join("; ", built.problems()));
    }
    if (required != null && c.enabled(BuiltinRule.APPROVAL_REQUIRED)) {
      approvalRequired(c, required);
    }
    CredentialRecord cred = presentedCredential(c, call.credentialId(), required);
    boolean secrets =
        sink != CredentialStorage.SECRETS_MANAGER && c.enabled(BuiltinRule.SECRET_IN_ARGUMENTS);
    boolean code =
        (sink == CredentialStorage.REPOSITORY || sink == CredentialStorage.CONFIG_FILE)
            && c.enabled(BuiltinRule.LONG_LIVED_SECRET_IN_CODE);
    if (secrets || code) {
      ArgumentScanner.Hits hits = rules.scanner.scan(args, secrets, code);
      if (hits.secrets() != null) {
        c.fire(BuiltinRule.SECRET_IN_ARGUMENTS, "secret in arguments: " + hits.secrets());
      }
      if (hits.code() != null) {
        c.fire(
            BuiltinRule.LONG_LIVED_SECRET_IN_CODE,
            "long-lived credential in code bound for " + sink + ": " + hits.code());
      }
    }
    c.tool = tool;
    c.toolName = call.tool();
    c.required = required == null ? List.of() : required;
    c.credential = cred;
    if (cred == null) {
      return Effect.NONE;
    }
    boolean expired = cred.expiredAt(c.t);
    return new Effect() {
      @Override
      public void apply() {
        cred.useCount++;
        cred.lastUsedAt = c.t;
        CredentialStatus reported = CredentialRules.inventoryStatus(cred, c.t);
        if (reported != cred.reported) {
          cred.reported = reported;
          c.view.putCredential(cred);
        } else {
          c.view.credentialUsed(cred); // the use alone: a small record, not the credential's
        }
        c.changes.add(CredentialRules.change(rules, c.sessionId, cred, c.t));
      }

      @Override
      public void whenBlocked() {
        // Reported, not stored: a blocked step changes no state; the upsert is idempotent.
        if (expired && cred.reported == CredentialStatus.ACTIVE) {
          c.changes.add(
              CredentialRules.change(rules, c.sessionId, cred, c.t)
                  .withStatus(CredentialStatus.EXPIRED));
        }
      }
    };
  }

  /** The rules of the presented credential; returns its record, or null when none or unknown. */
  private static CredentialRecord presentedCredential(
      StepContext c, String credentialId, List<Scope> required) {
    if (credentialId == null) {
      return null;
    }
    CredentialRecord cred = c.view.credential(credentialId);
    if (cred == null) {
      c.fire(
          BuiltinRule.CREDENTIAL_UNKNOWN,
          "credential " + credentialId + " was never recorded in this session",
          credentialId);
      return null;
    }
    if (!c.actor.equals(cred.subject)) {
      c.fire(
          BuiltinRule.CREDENTIAL_REUSE,
          "credential " + credentialId + " is held by " + cred.subject + ", presented by " + c.actor,
          credentialId);
    }
    if (cred.expiredAt(c.t)) {
      c.fire(
          BuiltinRule.CREDENTIAL_EXPIRED,
          "credential " + credentialId + " expired at " + Instant.ofEpochMilli(cred.expiresAt),
          credentialId);
    }
    if (cred.revoked()) {
      c.fire(
          BuiltinRule.CREDENTIAL_REVOKED,
          "credential "
              + credentialId
              + " was revoked at "
              + Instant.ofEpochMilli(cred.revokedAt)
              + " by "
              + cred.revokedBy,
          credentialId);
    }
    if (required != null && c.enabled(BuiltinRule.CREDENTIAL_SCOPE_EXCEEDED)) {
      List<Scope> held = c.rules.scopes.parseAll(cred.scopes);
      List<String> uncovered = null; // made for the first uncovered scope: most calls have none
      for (int i = 0; i < required.size(); i++) {
        Scope r = required.get(i);
        if (!c.rules.coversAny(held, r)) {
          if (uncovered == null) {
            uncovered = new ArrayList<>(2);
          }
          uncovered.add(r.toString());
        }
      }
      if (uncovered != null) {
        c.fire(
            BuiltinRule.CREDENTIAL_SCOPE_EXCEEDED,
            "required scopes not covered by credential "
                + credentialId
                + ": "
                + String.join(", ", uncovered),
            credentialId);
      }
    }
    return cred;
  }

  private static void approvalRequired(StepContext c, List<Scope> required) {
    List<String> unapproved = null; // made for the first unapproved scope: most steps have none
    for (int i = 0; i < required.size(); i++) {
      Scope r = required.get(i);
      Scope sensitive = sensitiveMatch(c.rules, r);
      if (sensitive != null && !approved(c, r)) {
        if (unapproved == null) {
          unapproved = new ArrayList<>(2);
        }
        unapproved.add(r + " (sensitive " + sensitive + ")");
      }
    }
    if (unapproved != null) {
      c.fire(
          BuiltinRule.APPROVAL_REQUIRED,
          "no approval valid at occurredAt covers " + String.join(", ", unapproved));
    }
  }

  /**
   * Whether an approval valid at the step's occurredAt covers {@code r} and still counts: its
   * approver (trimmed, case folded) is not an agent of the chain now (contract section 5, v2), so
   * an approver delegated into the chain after approving stops approving, and an approval recorded
   * while {@code self-approval} did not block never counts.
   */
  private static boolean approved(StepContext c, Scope r) {
    for (Approval a : c.view.approvals()) {
      if (!a.validAt(c.t) || !a.mayCover(r)) {
        continue;
      }
      if (a.parsedScopes == null) {
        // Asked one scope a call: compared as texts until asked enough to be parsed and indexed.
        a.parsedScopes = ScopeList.ofTexts(a.scopes(), c.rules.scopes);
      }
      if (c.rules.coversAny(a.parsedScopes, r) && c.view.agentMatching(a.approver()) == null) {
        return true;
      }
    }
    return false;
  }

  /**
   * The sensitive pattern {@code r} matches, or null: no lattice (equal action or {@code *}), and
   * resource segments compared with ASCII case folded on both sides (contract section 5, v2), so
   * {@code deploy/PROD/api} is as sensitive as {@code deploy/prod/api}.
   */
  private static Scope sensitiveMatch(CompiledPolicy rules, Scope r) {
    List<Scope> sensitive = rules.settings.sensitiveScopes();
    List<String> folded = null;
    for (int i = 0; i < sensitive.size(); i++) {
      Scope s = sensitive.get(i);
      boolean action = s.action().equals(Scope.ANY) || s.action().equals(r.action());
      if (action) {
        if (folded == null) {
          folded = foldSegments(r.segments());
        }
        if (Scope.resourceCovers(rules.foldedSensitive.get(i), folded)) {
          return s;
        }
      }
    }
    return null;
  }

  /** The segments with ASCII case folded; the same list when none has an upper-case letter. */
  static List<String> foldSegments(List<String> segments) {
    String[] out = null;
    for (int i = 0; i < segments.size(); i++) {
      String seg = segments.get(i);
      String f = Fold.ascii(seg);
      if (f != seg && out == null) {
        out = segments.toArray(new String[0]);
      }
      if (out != null) {
        out[i] = f;
      }
    }
    return out == null ? segments : List.of(out);
  }
}
