package io.agentauditor.policy;

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
  private static final java.util.regex.Pattern REFERENCE =
      java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9._:/#-]*");

  private RuleReferences() {}

  /**
   * Why a reference is malformed, or null. OWASP NHI ({@code NHI1}..{@code NHI10}) and OWASP
   * Agentic ({@code ASI01}..{@code ASI10}) ids are checked against their lists, NIST CSF 2.0 ids
   * ({@code PR.AA}, {@code PR.AA-05}) for their category and the shape of the subcategory number,
   * in upper case; other references (e.g. {@code CWE-798}) only for their shape.
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
    return REFERENCE.matcher(ref).matches()
        ? null
        : "a reference is an id such as NHI7, ASI03, PR.AA or CWE-798";
  }
}
