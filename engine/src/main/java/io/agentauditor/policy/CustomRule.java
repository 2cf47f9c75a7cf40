package io.agentauditor.policy;

import java.util.Map;

/**
 * A custom rule of the bundle: a CEL expression compiled once at load. The engine evaluates it
 * after the built-ins, with the context documented in {@code policies/README.md}.
 */
public interface CustomRule {

  /** Id, action, mode, severity and references of the rule. */
  RuleSettings settings();

  /** One-line description, used as the finding's message. */
  String description();

  /**
   * Evaluates the rule.
   *
   * @param context variable name to value: maps of string keys, lists, strings, longs, booleans
   * @return whether the rule fires
   * @throws PolicyEvaluationException when evaluation fails (cost limit, missing key, type error)
   */
  boolean matches(Map<String, Object> context);
}
