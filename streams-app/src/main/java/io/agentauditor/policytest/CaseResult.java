package io.agentauditor.policytest;

import io.agentauditor.codec.Rfc3339;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.model.RuleMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one policy case: its expected and actual outputs, and where they first differ.
 * Matching is exhaustive: the same number of outputs, in the same order, each matching its
 * expectation. Immutable.
 *
 * @param firstDifference index (0-based) of the first output that differs, or -1 when the case
 *     passed
 */
public record CaseResult(PolicyCase policyCase, List<ActualOutput> actual, int firstDifference) {

  public CaseResult {
    Objects.requireNonNull(policyCase, "policyCase");
    actual = List.copyOf(actual);
  }

  /** Compares {@code actual} with the expectations of {@code c}. */
  public static CaseResult compare(PolicyCase c, List<ActualOutput> actual) {
    int n = Math.max(c.expect().size(), actual.size());
    for (int i = 0; i < n; i++) {
      if (!differences(at(c.expect(), i), at(actual, i)).isEmpty()) {
        return new CaseResult(c, actual, i);
      }
    }
    return new CaseResult(c, actual, -1);
  }

  public boolean passed() {
    return firstDifference < 0;
  }

  /**
   * A readable diff: each output position with the expectation and, where they differ, the actual
   * output, the fields that differ and the actual findings; {@code >} marks the first difference,
   * {@code !} the later ones. Empty when the case passed.
   */
  public String diff() {
    if (passed()) {
      return "";
    }
    List<ExpectedOutput> expect = policyCase.expect();
    StringBuilder sb = new StringBuilder();
    sb.append("  ").append(policyCase.file()).append(':').append(policyCase.line());
    if (!policyCase.description().isEmpty()) {
      sb.append(": ").append(policyCase.description());
    }
    sb.append('\n');
    sb.append("  expected ").append(expect.size()).append(" outputs, got ").append(actual.size());
    List<String> first = differences(at(expect, firstDifference), at(actual, firstDifference));
    sb.append("; first difference at #")
        .append(firstDifference + 1)
        .append(" (")
        .append(String.join(", ", first))
        .append(")\n");
    int n = Math.max(expect.size(), actual.size());
    for (int i = 0; i < n; i++) {
      ExpectedOutput e = at(expect, i);
      ActualOutput a = at(actual, i);
      List<String> diffs = differences(e, a);
      String num = String.format("#%-3d", i + 1);
      if (diffs.isEmpty()) {
        sb.append("    ").append(num).append("   ").append(describe(e)).append('\n');
        continue;
      }
      String mark = i == firstDifference ? "  > " : "  ! ";
      sb.append(mark)
          .append(num)
          .append(" expected  ")
          .append(e == null ? "(nothing)" : describe(e))
          .append('\n');
      sb.append("         actual    ").append(a == null ? "(nothing)" : describe(a)).append('\n');
      if (e != null && a != null) {
        sb.append("         differs   ").append(String.join(", ", diffs)).append('\n');
      }
      if (a instanceof ActualOutput.Decided d) {
        for (Finding f : d.decision().findings()) {
          sb.append("         finding   ")
              .append(f.ruleId())
              .append(f.mode() == RuleMode.SHADOW ? " (shadow)" : "")
              .append(f.credentialId() == null ? "" : " [" + f.credentialId() + "]")
              .append(": ")
              .append(f.message())
              .append('\n');
        }
      }
    }
    return sb.toString();
  }

  /** The names of the fields in which {@code a} fails {@code e}; empty when it matches. */
  static List<String> differences(ExpectedOutput e, ActualOutput a) {
    List<String> d = new ArrayList<>();
    if (e == null) {
      d.add("unexpected output");
      return d;
    }
    if (a == null) {
      d.add("missing output");
      return d;
    }
    if (e instanceof ExpectedOutput.DeadLetter ed) {
      if (!(a instanceof ActualOutput.DeadLetter ad)) {
        d.add("decision instead of dead letter");
        return d;
      }
      if (ed.line() != ad.line()) {
        d.add("line");
      }
      if (ed.reasonContains() != null && !ad.reason().contains(ed.reasonContains())) {
        d.add("reason");
      }
      return d;
    }
    ExpectedOutput.Decision ex = (ExpectedOutput.Decision) e;
    if (!(a instanceof ActualOutput.Decided ad)) {
      d.add("dead letter instead of decision");
      return d;
    }
    Decision ac = ad.decision();
    if (!ex.eventId().equals(ac.eventId())) {
      d.add("eventId");
    }
    if (ex.sessionId() != null && !ex.sessionId().equals(ac.sessionId())) {
      d.add("sessionId");
    }
    if (ex.type() != null && ex.type() != ac.type()) {
      d.add("type");
    }
    if (ex.agentId() != null && !ex.agentId().equals(ac.agentId())) {
      d.add("agentId");
    }
    if (ex.occurredAtMillis() != null && ex.occurredAtMillis() != ac.occurredAtMillis()) {
      d.add("occurredAt");
    }
    if (ex.verdict() != ac.verdict()) {
      d.add("verdict");
    }
    if (!ex.rules().equals(ruleIds(ac))) {
      d.add("rules");
    }
    if (ex.credentialIds() != null && !ex.credentialIds().equals(notRevokedIds(ac))) {
      d.add("credentialIds");
    }
    if (ex.path() != null && !ex.path().equals(ac.path())) {
      d.add("path");
    }
    for (String text : ex.messageContains()) {
      if (ac.findings().stream().noneMatch(f -> f.message().contains(text))) {
        d.add("message lacks \"" + text + "\"");
      }
    }
    return d;
  }

  /** One line describing an expectation, as the diff shows it. */
  public static String describeExpected(ExpectedOutput e) {
    return describe(e);
  }

  static String describe(ExpectedOutput e) {
    if (e instanceof ExpectedOutput.DeadLetter dl) {
      return "dead letter, line "
          + dl.line()
          + (dl.reasonContains() == null
              ? ""
              : " (reason contains \"" + dl.reasonContains() + "\")");
    }
    ExpectedOutput.Decision d = (ExpectedOutput.Decision) e;
    StringBuilder sb = new StringBuilder();
    sb.append(d.sessionId() == null ? "" : d.sessionId() + "/").append(d.eventId());
    if (d.type() != null) {
      sb.append(' ').append(d.type());
    }
    if (d.agentId() != null) {
      sb.append(' ').append(d.agentId());
    }
    if (d.occurredAtMillis() != null) {
      sb.append(' ').append(Rfc3339.format(d.occurredAtMillis()));
    }
    sb.append(' ').append(d.verdict()).append(' ').append(d.rules());
    if (d.credentialIds() != null) {
      sb.append(" credentialIds=").append(d.credentialIds());
    }
    if (d.path() != null) {
      sb.append(" path=").append(d.path());
    }
    for (String m : d.messageContains()) {
      sb.append(" message~\"").append(m).append('"');
    }
    return sb.toString();
  }

  static String describe(ActualOutput a) {
    if (a instanceof ActualOutput.DeadLetter dl) {
      return "dead letter, line " + dl.line() + ": " + dl.reason();
    }
    Decision d = ((ActualOutput.Decided) a).decision();
    StringBuilder sb = new StringBuilder();
    sb.append(d.sessionId())
        .append('/')
        .append(d.eventId())
        .append(' ')
        .append(d.type())
        .append(' ')
        .append(d.agentId())
        .append(' ')
        .append(Rfc3339.format(d.occurredAtMillis()))
        .append(' ')
        .append(d.verdict())
        .append(' ')
        .append(ruleIds(d));
    List<String> creds = notRevokedIds(d);
    if (!creds.isEmpty()) {
      sb.append(" credentialIds=").append(creds);
    }
    sb.append(" path=").append(d.path());
    return sb.toString();
  }

  private static List<String> ruleIds(Decision d) {
    return d.findings().stream().map(Finding::ruleId).toList();
  }

  private static List<String> notRevokedIds(Decision d) {
    return d.findings().stream()
        .filter(f -> f.ruleId().equals("credential-not-revoked"))
        .map(f -> String.valueOf(f.credentialId()))
        .toList();
  }

  private static <T> T at(List<T> list, int i) {
    return i < list.size() ? list.get(i) : null;
  }
}
