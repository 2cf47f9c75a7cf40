package io.agentauditor.policy;

/** A custom rule failed to evaluate on a step (cost limit, type error, missing field). */
public final class PolicyEvaluationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PolicyEvaluationException(String ruleId, String message, Throwable cause) {
    super("rule " + ruleId + ": " + message, cause);
  }
}
