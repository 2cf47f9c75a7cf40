package io.agentauditor.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A custom rule written in CEL, compiled and type-checked once, at bundle load.
 *
 * <p>The expression sees five variables, each a {@code map(string, dyn)}: {@code step}, {@code
 * actor}, {@code session}, {@code tool} and {@code credential} (their keys are documented in {@code
 * policies/README.md}). Its type must be {@code bool}. Evaluation is bounded: at most {@value
 * #MAX_COMPREHENSION_ITERATIONS} comprehension iterations in total (nested ones included) and at
 * most {@value #MAX_EVALUATION_STEPS} evaluated expression nodes; past either limit, {@link
 * #matches} throws {@link PolicyEvaluationException}. Instances are immutable and thread-safe.
 */
public final class CelCustomRule implements CustomRule {

  /** The variables the engine binds, in the order documented. */
  public static final List<String> VARIABLES =
      List.of("step", "actor", "session", "tool", "credential");

  /** Comprehension iterations (all macros of one evaluation together) before it is stopped. */
  public static final int MAX_COMPREHENSION_ITERATIONS = 10_000;

  /**
   * Steps one evaluation may take before it is stopped: the cost limit. Each evaluated expression
   * node is a step, plus one per {@value #UNITS_PER_STEP} characters of a string or elements of a
   * list or map it evaluates to, so that work that grows with its input (a {@code matches} or
   * {@code contains} over a long argument, a macro over a long list) counts in proportion.
   */
  public static final long MAX_EVALUATION_STEPS = 100_000;

  /** Characters of a string, or elements of a list or map, that a value counts as one step. */
  public static final int UNITS_PER_STEP = 64;

  private static final Cel CEL = newEnvironment();

  private final RuleSettings settings;
  private final String description;
  private final String expression;
  private final CelRuntime.Program program;

  private CelCustomRule(
      RuleSettings settings, String description, String expression, CelRuntime.Program program) {
    this.settings = settings;
    this.description = description;
    this.expression = expression;
    this.program = program;
  }

  private static Cel newEnvironment() {
    CelOptions options =
        CelOptions.current().comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS).build();
    CelType context = MapType.create(SimpleType.STRING, SimpleType.DYN);
    var builder =
        CelFactory.standardCelBuilder()
            .setOptions(options)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS);
    for (String v : VARIABLES) {
      builder.addVar(v, context);
    }
    return builder.build();
  }

  /**
   * Compiles and type-checks a rule.
   *
   * @throws InvalidExpressionException when the expression does not parse, does not type-check, or
   *     is not of type {@code bool}; it lists every issue with its position in {@code expression}
   */
  public static CelCustomRule compile(RuleSettings settings, String description, String expression)
      throws InvalidExpressionException {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(expression, "expression");
    CelValidationResult result = CEL.compile(expression);
    if (result.hasError()) {
      List<Issue> issues = new ArrayList<>();
      for (CelIssue i : result.getErrors()) {
        issues.add(Issue.of(i.getSourceLocation(), i.getMessage()));
      }
      throw new InvalidExpressionException(issues);
    }
    CelAbstractSyntaxTree ast;
    try {
      ast = result.getAst();
    } catch (CelValidationException e) {
      throw new InvalidExpressionException(List.of(new Issue(0, 0, e.getMessage())));
    }
    CelType type = ast.getResultType();
    if (!type.equals(SimpleType.BOOL)) {
      String hint =
          type.equals(SimpleType.DYN)
              ? " (a field of a context map is dyn: compare it explicitly, e.g. actor.isRoot =="
                    + " true)"
              : "";
      throw new InvalidExpressionException(
          List.of(
              new Issue(0, 0, "expression must be of type bool, but it is " + type.name() + hint)));
    }
    try {
      return new CelCustomRule(settings, description, expression, CEL.createProgram(ast));
    } catch (CelEvaluationException e) {
      throw new InvalidExpressionException(List.of(new Issue(0, 0, e.getMessage())));
    }
  }

  @Override
  public RuleSettings settings() {
    return settings;
  }

  @Override
  public String description() {
    return description;
  }

  /** The CEL source, as written in the bundle. */
  public String expression() {
    return expression;
  }

  @Override
  public boolean matches(Map<String, Object> context) {
    long[] steps = {0};
    Object result;
    try {
      result =
          program.trace(
              context,
              (expr, value) -> {
                steps[0] += 1 + size(value) / UNITS_PER_STEP;
                if (steps[0] > MAX_EVALUATION_STEPS) {
                  throw new BudgetExceededException();
                }
              });
    } catch (CelEvaluationException e) {
      throw new PolicyEvaluationException(settings.ruleId(), e.getMessage(), e);
    } catch (RuntimeException e) {
      // CEL's interpreter can surface a bad context value (e.g. an Integer) as an unchecked error.
      throw new PolicyEvaluationException(settings.ruleId(), String.valueOf(e.getMessage()), e);
    }
    if (result instanceof Boolean b) {
      return b;
    }
    throw new PolicyEvaluationException(
        settings.ruleId(), "expression did not evaluate to a bool: " + result, null);
  }

  /** Characters of a string or bytes, elements of a list or map; 0 for other values. */
  private static long size(Object value) {
    if (value instanceof CharSequence s) {
      return s.length();
    }
    if (value instanceof java.util.Collection<?> c) {
      return c.size();
    }
    if (value instanceof Map<?, ?> m) {
      return m.size();
    }
    if (value instanceof com.google.protobuf.ByteString b) {
      return b.size();
    }
    return 0;
  }

  @Override
  public String toString() {
    return "CelCustomRule[" + settings.ruleId() + "]";
  }

  /**
   * A problem in an expression.
   *
   * @param line 1-based line within the expression; 0 when the issue is about the whole of it
   * @param column 0-based column within that line
   */
  public record Issue(int line, int column, String message) {
    static Issue of(CelSourceLocation location, String message) {
      if (location == null || location.getLine() < 1) {
        return new Issue(0, 0, message);
      }
      return new Issue(location.getLine(), Math.max(0, location.getColumn()), message);
    }
  }

  /** The expression was rejected at compile time; {@link #issues()} says where and why. */
  public static final class InvalidExpressionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<Issue> issues;

    InvalidExpressionException(List<Issue> issues) {
      super(issues.isEmpty() ? "invalid expression" : issues.get(0).message());
      this.issues = List.copyOf(issues);
    }

    /** Every issue found, never empty. */
    public List<Issue> issues() {
      return issues;
    }
  }

  private static final class BudgetExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceededException() {
      super(
          "cost limit exceeded: more than "
              + MAX_EVALUATION_STEPS
              + " evaluation steps (a node, plus one per "
              + UNITS_PER_STEP
              + " characters or elements of its value)",
          null,
          false,
          false);
    }
  }
}
