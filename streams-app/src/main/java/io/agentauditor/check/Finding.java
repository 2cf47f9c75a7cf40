package io.agentauditor.check;

import io.agentauditor.model.Severity;
import io.agentauditor.policy.Waiver;
import java.util.List;

/**
 * One match reported by a check. Never holds the secret: {@code excerpt} is masked and {@code
 * fingerprint} is a truncated hash.
 *
 * @param file the file as reachable from the working directory, slash-separated
 * @param line 1-based line of the match as given, or of the normalised match or base64 run it was
 *     found in
 * @param column 1-based column (UTF-16 units) on that line
 * @param ruleId the runtime's rule for the match where it sits ({@link StorageLocation})
 * @param patternId the bundle pattern that fired
 * @param form where it was found: {@code given}, {@code normalised} or {@code base64}
 * @param severity the rule's severity in the bundle
 * @param blocking whether the rule blocks in the bundle (action BLOCK, mode enforce)
 * @param references the rule's framework references in the bundle
 * @param location the kind of file it sits in
 * @param excerpt the first characters of the match and an ellipsis
 * @param fingerprint a stable id of the rule, pattern and matched text, for alerts and waivers
 * @param waiver the bundle's waiver that accepts this finding, or null when none does (an expired
 *     waiver never does)
 */
public record Finding(
    String file,
    int line,
    int column,
    String ruleId,
    String patternId,
    String form,
    Severity severity,
    boolean blocking,
    List<String> references,
    StorageLocation location,
    String excerpt,
    String fingerprint,
    Waiver waiver) {

  public Finding {
    references = List.copyOf(references);
  }

  /** Whether this finding fails the check: its rule blocks and no waiver accepts it. */
  public boolean failing() {
    return blocking && waiver == null;
  }
}
