package io.agentauditor.policy;

import java.time.LocalDate;
import java.util.Objects;

/**
 * One entry of the bundle's {@code waivers} (contract section 13): a finding of the pre-merge gate
 * that a team has accepted, named by the file, the rule and the fingerprint of the match, with why
 * and until when. Only the gate reads waivers; the runtime's rules ignore them. Immutable.
 *
 * @param file the file, slash-separated, as the gate reports it relative to where it runs or to
 *     the directory it scans ({@code infra/legacy/main.tf}); not null, not empty
 * @param rule the rule the finding is reported under; a built-in rule's id
 * @param fingerprint the finding's fingerprint: 32 lower-case hex digits
 * @param reason why the finding is accepted; not empty
 * @param expires the last day (UTC) the waiver waives; from the next day on it is expired, stops
 *     waiving, and is reported
 * @param where where the waiver is written in the bundle, {@code waivers.yaml:12}, for reports
 */
public record Waiver(
    String file, String rule, String fingerprint, String reason, LocalDate expires, String where) {

  public Waiver {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(expires, "expires");
    Objects.requireNonNull(where, "where");
  }

  /** Whether the waiver has expired on {@code today}: it waives up to and including its date. */
  public boolean expiredOn(LocalDate today) {
    return today.isAfter(expires);
  }
}
