package io.agentauditor.engine;

import io.agentauditor.model.Finding;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.CustomRule;
import io.agentauditor.policy.RuleSettings;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bundle's CEL rules (contract section 8), evaluated after the built-ins of a step. */
final class CustomRules {

  private static final Logger LOGGER = LoggerFactory.getLogger(CustomRules.class);

  private CustomRules() {}

  static void evaluate(StepContext c) {
    List<CustomRule> custom = c.rules.policy.customRules();
    Map<String, Object> context = CustomRuleContext.build(c);
    int rank = BuiltinRule.values().length;
    for (CustomRule rule : custom) {
      RuleSettings rs = rule.settings();
      rank++;
      if (!rs.enabled()) {
        continue;
      }
      String message;
      try {
        if (!rule.matches(context)) {
          continue;
        }
        message = rule.description() == null ? rs.ruleId() : rule.description();
      } catch (RuntimeException e) {
        // Fail closed: a rule that can't be evaluated reports its configured action.
        LOGGER.debug(
            "custom rule {} failed on {}/{}", rs.ruleId(), c.sessionId, c.step.eventId(), e);
        message = "evaluation failed: " + e.getMessage();
      }
      c.add(
          new Finding(
              rs.ruleId(), rs.action(), rs.mode(), rs.severity(), message, rs.references(), null),
          rank);
    }
  }
}
