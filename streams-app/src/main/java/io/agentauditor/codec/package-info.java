/**
 * The JSON Lines codec of agent-auditor: agent events in (contract section 2), decisions out
 * (contract 9.1), and the Avro mapping of decisions.
 *
 * <ul>
 *   <li>{@link io.agentauditor.codec.EventJsonCodec}: one line to a valid {@link
 *       io.agentauditor.schema.AgentEvent} or an {@link io.agentauditor.codec.InvalidEventException};
 *       an event to its canonical line.
 *   <li>{@link io.agentauditor.codec.AgentEventValidator}: section 2 for events that did not come
 *       from JSON (Avro binary, code).
 *   <li>{@link io.agentauditor.codec.DecisionJsonCodec} and {@link
 *       io.agentauditor.codec.DecisionMapper}: decisions as JSON lines and as Avro records.
 *   <li>{@link io.agentauditor.codec.Rfc3339}: the date-time form of both.
 * </ul>
 *
 * <p>Where section 2 is silent, the codec decides as follows (the reasons are those of a dead
 * letter):
 *
 * <ul>
 *   <li>JSON whitespace around the object is allowed (a {@code \r} left by the caller is harmless);
 *       a blank line or a leading byte order mark is {@code $: not a JSON object}; any other content
 *       after the object is {@code $: trailing content after the JSON object}.
 *   <li>Input bytes must be well-formed UTF-8 without NUL bytes ({@code \u0000} escapes are fine);
 *       strings kept in the event must not hold unpaired surrogates.
 *   <li>Nesting is capped at 64 levels and numbers at 1000 digits, unknown fields included.
 *   <li>{@code toolCall.credentialId}, when present and not null, is an id and must not be empty.
 *       Free-text fields ({@code initiator}, {@code approver}, {@code tool}, ...) may be empty.
 *   <li>A non-null value of another type's payload key is rejected whatever its JSON type.
 *   <li>{@code -0} is the integer 0. {@code occurredAt} must fall within years 0000–9999 once
 *       normalised to UTC, so that its canonical form exists; {@code -00:00} is UTC.
 *   <li>The canonical encoding sorts tool arguments by key (map order carries no meaning).
 *   <li>Errors are reported in reading order; missing fields, in contract order, after the object.
 * </ul>
 */
package io.agentauditor.codec;
