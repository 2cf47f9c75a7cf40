package io.agentauditor.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/** Which framework references a rule may carry (contract section 8). */
final class RuleReferences {

  private static final java.util.regex.Pattern NHI =
      java.util.regex.Pattern.compile("NHI([1-9]|10)(:2025)?");
  private static final java.util.regex.Pattern ASI =
      java.util.regex.Pattern.compile("ASI(0[1-9]|10)(:2026)?");
  private static final java.util.regex.Pattern CSF =
      java.util.regex.Pattern.compile("(GV|ID|PR|DE|RS|RC)\\.([A-Z]{2})(-\\d{2})?");
  private static final Set<String> CSF_CATEGORIES =
      Set.of(
          "GV.OC", "GV.RM", "GV.RR", "GV.PO", "GV.OV", "GV.SC", "ID.AM", "ID.RA", "ID.IM", "PR.AA",
          "PR.AT", "PR.DS", "PR.PS", "PR.IR", "DE.CM", "DE.AE", "RS.MA", "RS.AN", "RS.CO", "RS.MI",
          "RC.RP", "RC.CO");
  private static final java.util.regex.Pattern AI_RMF =
      java.util.regex.Pattern.compile("(GOVERN|MAP|MEASURE|MANAGE) ([1-9][0-9]*)\\.([1-9][0-9]*)");
  /** An AI RMF function's name in any case, not followed by a letter, then anything. */
  private static final java.util.regex.Pattern AI_RMF_LIKE =
      java.util.regex.Pattern.compile(
          "(?i)(GOVERN|MAP|MEASURE|MANAGE)(?![A-Za-z]).*", java.util.regex.Pattern.DOTALL);
  /**
   * The NIST AI RMF 1.0 core (NIST AI 100-1, January 2023, section 5): for each function, the number
   * of subcategories of its categories 1, 2, ... (GOVERN 1 has GOVERN 1.1 to 1.7); 72 in all.
   */
  private static final Map<String, List<Integer>> AI_RMF_SUBCATEGORIES =
      Map.of(
          "GOVERN", List.of(7, 3, 2, 3, 2, 2),
          "MAP", List.of(6, 3, 5, 2, 2),
          "MEASURE", List.of(3, 13, 3, 3),
          "MANAGE", List.of(4, 4, 2, 3));
  private static final java.util.regex.Pattern REFERENCE =
      java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9._:/#-]*");

  private RuleReferences() {}

  /**
   * Why a reference is malformed, or null. OWASP NHI ({@code NHI1}..{@code NHI10}) and OWASP
   * Agentic ({@code ASI01}..{@code ASI10}) ids are checked against their lists, NIST CSF 2.0 ids
   * ({@code PR.AA}, {@code PR.AA-05}) for their category and the shape of the subcategory number,
   * NIST AI RMF 1.0 subcategories ({@code MANAGE 2.4}) against the core's list, all in upper case;
   * other references (e.g. {@code CWE-798}) only for their shape.
   */
  static String problem(String ref) {
    // Framework ids in any case are checked as ids (a lower-case nhi11 is no free reference).
    if (ref.regionMatches(true, 0, "NHI", 0, 3)) {
      return NHI.matcher(ref).matches() ? null : "OWASP NHI Top 10 ids are NHI1 to NHI10";
    }
    if (ref.regionMatches(true, 0, "ASI", 0, 3)) {
      return ASI.matcher(ref).matches() ? null : "OWASP Agentic Top 10 ids are ASI01 to ASI10";
    }
    Matcher csf = CSF.matcher(ref);
    if (csf.matches() || ref.matches("(?i)(GV|ID|PR|DE|RS|RC)\\..*")) {
      if (!csf.matches() || !CSF_CATEGORIES.contains(ref.substring(0, 5))) {
        return "not a NIST CSF 2.0 category (e.g. PR.AA) or subcategory (e.g. PR.AA-05)";
      }
      return null;
    }
    if (AI_RMF_LIKE.matcher(ref).matches()) {
      return aiRmfProblem(ref);
    }
    return REFERENCE.matcher(ref).matches()
        ? null
        : "a reference is an id such as NHI7, ASI03, PR.AA, MANAGE 2.4 or CWE-798";
  }

  /** Why {@code ref}, which starts with an AI RMF function's name, is not a subcategory, or null. */
  private static String aiRmfProblem(String ref) {
    Matcher m = AI_RMF.matcher(ref);
    if (!m.matches()) {
      return "not a NIST AI RMF 1.0 subcategory: write the function in upper case, one space and"
          + " the subcategory's number (e.g. MANAGE 2.4)";
    }
    String function = m.group(1);
    List<Integer> categories = AI_RMF_SUBCATEGORIES.get(function);
    int category = parse(m.group(2));
    int subcategory = parse(m.group(3));
    if (category > categories.size()) {
      return "NIST AI RMF 1.0 has no category " + function + " " + m.group(2)
          + " (" + function + " 1 to " + function + " " + categories.size() + ")";
    }
    int last = categories.get(category - 1);
    if (subcategory > last) {
      return "NIST AI RMF 1.0 has no subcategory " + ref
          + " (" + function + " " + category + ".1 to " + category + "." + last + ")";
    }
    return null;
  }

  /** A positive decimal; digits too many for an int are some number no category reaches. */
  private static int parse(String digits) {
    return digits.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(digits);
  }
}
