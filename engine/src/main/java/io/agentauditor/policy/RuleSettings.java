package io.agentauditor.policy;

import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * How the bundle configures one rule, built-in or custom: its action (FLAG or BLOCK), mode, severity
 * and framework references. A disabled rule is never evaluated.
 */
public record RuleSettings(
    String ruleId,
    boolean enabled,
    Verdict action,
    RuleMode mode,
    Severity severity,
    List<String> references) {

  public RuleSettings {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(severity, "severity");
    if (action == Verdict.ALLOW) {
      throw new IllegalArgumentException("a rule's action is FLAG or BLOCK, not ALLOW");
    }
    references = List.copyOf(references);
  }
}
