package io.agentauditor.model;

import java.util.List;
import java.util.Objects;

/**
 * One reason in a {@link Decision}: a rule that fired (contract section 9.1). Immutable.
 *
 * <p>A message is at most {@value #MAX_MESSAGE_CHARS} characters: a longer one is cut, ending with
 * {@code … (N more characters)}. Messages echo what an event holds (a required scope built from
 * two 256 KiB arguments is 512 KiB), and every output record must stay under 1 MiB (contract 9.2)
 * whatever a step's findings say. Cutting is idempotent, so a stored or decoded finding equals the
 * one the engine made.
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

  /** The longest message a finding carries, in UTF-16 characters. */
  public static final int MAX_MESSAGE_CHARS = 16_384;

  public Finding {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(severity, "severity");
    message = bounded(Objects.requireNonNull(message, "message"));
    references = List.copyOf(references);
  }

  /** {@code message}, or its first characters and how many were cut when it is too long. */
  private static String bounded(String message) {
    if (message.length() <= MAX_MESSAGE_CHARS) {
      return message;
    }
    // Room for the note; never split a surrogate pair.
    int keep = MAX_MESSAGE_CHARS - 32;
    if (Character.isHighSurrogate(message.charAt(keep - 1))) {
      keep--;
    }
    return message.substring(0, keep) + "\u2026 (" + (message.length() - keep) + " more characters)";
  }

  /** Whether this finding raises the step's verdict (it is not in shadow mode). */
  public boolean enforced() {
    return mode == RuleMode.ENFORCE;
  }
}
