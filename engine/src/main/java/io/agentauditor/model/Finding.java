package io.agentauditor.model;

import java.util.List;
import java.util.Objects;

/**
 * One reason in a {@link Decision}: a rule that fired (contract section 9.1). Immutable.
 *
 * @param action FLAG or BLOCK, as configured for the rule
 * @param mode SHADOW when the finding is reported without raising the verdict
 * @param credentialId the credential the finding is about, or null
 */
public record Finding(
    String ruleId,
    Verdict action,
    RuleMode mode,
    Severity severity,
    String message,
    List<String> references,
    String credentialId) {

  public Finding {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    references = List.copyOf(references);
  }

  /** Whether this finding raises the step's verdict (it is not in shadow mode). */
  public boolean enforced() {
    return mode == RuleMode.ENFORCE;
  }
}
