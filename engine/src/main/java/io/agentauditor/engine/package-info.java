/**
 * The privilege-chain engine: plain Java, no Kafka, no Avro. {@link io.agentauditor.engine.AuditEngine}
 * decides one event at a time against state kept in a {@link io.agentauditor.engine.StateStore}.
 *
 * <h2>State keys</h2>
 *
 * <p>Keys order as unsigned bytes. {@code sid} below is {@code varint(byte length) + UTF-8} of the
 * sessionId, so a session's records of one kind form one contiguous range and no id can run into
 * another; the last component of a key is raw UTF-8 (it needs no length).
 *
 * <pre>
 * 0x01 "stream-time"                  engine meta: stream time (largest occurredAt seen), index floors
 * 0x02 sid                            session meta
 * 0x03 sid agentId                    agent node of the chain
 * 0x04 sid credentialId               credential
 * 0x05 sid be64(n)                    the session's approval numbered n (0, 1, ... in the order
 *                                     applied); older engines kept them all as one list under
 *                                     0x05 sid, which is still read, first
 * 0x06 sid agentId                    fan-out: the actor's delegation/issuance times still in the window
 * 0x07 sid eventId                    dedupe: the stored decision
 * 0x08 be64(time) sessionId           idle-timer index of open sessions, value empty (see below)
 * 0x09 be64(closedAt) sessionId       closed-at index for retention, value empty
 * 0x0A sid                            idle timer of the session (since version 2, see below)
 * 0x0B be64(occurredAt) sid eventId   decision-time index of the 0x07 records, value empty
 * 0x0C sid fold(agentId)              folded-id index of the chain: value = the agent id (raw
 *                                     UTF-8); fold = trim Unicode White_Space, map A-Z to a-z
 *                                     (self-approval, contract section 5 v2). A session started
 *                                     before the index has no entry for its root and is scanned
 *                                     instead.
 * 0x0D uv(handle) h64(eventId)        stored decision of a session with a handle (see "Stored
 *                                     decisions"); h64 = 8 bytes, big-endian
 * 0x0E be64(last) uv(handle) [uv(n)]  decision group: the retention index of a session's 0x0D
 *                                     records whose occurredAt is in the time bucket ending at
 *                                     {@code last}; without {@code n} the open group, with it the
 *                                     sealed group numbered n
 * 0x0F sid credentialId               credential use: the use count and last use of a credential
 *                                     (since the session handle, see below)
 * </pre>
 *
 * <p>{@code be64(x)} is {@code x} with its sign bit flipped, big-endian, so byte order is numeric
 * order. An idle-timer entry is a lower bound of its session's timer: every open session has an entry
 * at or below its timer, written when the session starts (the timer never moves back, contract
 * 9.3); a timer moving forward leaves the entry in place (saving a delete and a put per step), and an entry found
 * due is moved to the session's timer, dropped when the session is closed or gone, or closes the
 * session when its timer is due too. A session may thus have stale entries; they are harmless.
 * The closed-at index of stores written before the decision-time index may also hold one entry per
 * session with no meta (steps gated by {@code unknown-session}, or a blocked {@code
 * SESSION_STARTED}); it is purged like a closed session. A decision-time entry names a dedupe key
 * (its bytes after the first 9 are that key's after its kind byte); it is written with every
 * stored decision when the retention is not 0, and a stale one (its decision purged with its
 * session, or stored again later) is dropped alone.
 *
 * <h2>Record format (version 1)</h2>
 *
 * <p>Every value starts with a version byte ({@code 1}); readers reject other versions. Then, in
 * order: {@code str} = varint byte length + UTF-8; {@code strs} = varint count + {@code str}*;
 * {@code uv} = unsigned LEB128 varint; {@code zz} = zig-zag varint (timestamps, epoch millis);
 * enums are one byte, the constant's stable code ({@link io.agentauditor.model.Coded}; equal to the
 * ordinal of the Avro symbol of the first release, so older stores read unchanged).
 *
 * <pre>
 * engine meta   streamTime:zz timerFloor:zz closedFloor:zz   (floors: lower bounds of the two
 *               indexes, so their range scans run only when an entry may be due; see EngineMeta)
 * session       root:str initiator:str granted:strs closed:byte startedAt:zz timer:zz closedAt:zz
 *               agentCount:uv credentialCount:uv approvalCount:uv
 * agent         parent:str ("" for the root) depth:uv delegatedScopes:strs
 * credential    flags:byte(1 expires, 2 revoked, 4 used) issuer:str subject:str scopes:strs kind:byte
 *               storage:byte issuedAt:zz sequence:uv useCount:uv reportedStatus:byte
 *               [expiresAt:zz] [revokedAt:zz revokedBy:str] [lastUsedAt:zz]
 * approval      approvalId:str approver:str requester:str from:zz until:zz scopes:strs
 *               (older engines: one list, count:uv { approval }*, under the bare prefix)
 * fan-out       count:uv { time:zz }*   (the actor's delegation and issuance times in arrival
 *               order: at most 64, or 4 (fanOut.max + 1) when that is more; thinned, then the
 *               earliest arrivals dropped beyond, see ChainChecks.fanOut; records of older engines
 *               hold the latest times of the window, read as they come)
 * decision      eventId:str sessionId:str agentId:str type:byte occurredAt:zz verdict:byte policy:str
 *               path:strs count:uv { ruleId:str action:byte mode:byte severity:byte message:str
 *               references:strs flags:byte(1 credential) [credentialId:str] }*
 * </pre>
 *
 * <p>Version 2, written since; readers take both. The engine meta appends {@code policyCount:uv
 * policyNo:uv policyHash:8 bytes} (the number given to the identity with that 64-bit FNV-1a hash;
 * 0 for none). A policy identity numbered {@code n} is stored as raw UTF-8 under {@code 0x01
 * "policy/" uv(n)}, never purged. The compact decision drops what its key holds:
 *
 * <pre>
 * decision      agentId:str type:byte occurredAt:zz verdict:byte policyNo:uv path:strs
 *               count:uv { ...findings as in version 1 }*
 * </pre>
 *
 * <p>The version 2 engine meta then appends {@code decisionFloor:zz}, the floor of the
 * decision-time index; a record without it reads as {@link Long#MIN_VALUE} (scan once).
 *
 * <p>Version 3 of the decision record, written since contract version 2, starts with the content
 * fingerprint of the decided event ({@link io.agentauditor.engine.StepFingerprint}: SHA-256 of a
 * canonical, length-prefixed encoding of every field but {@code occurredAt}, cut to 16 bytes), then
 * holds the compact decision of version 2. A repeat of the (sessionId, eventId) is a retry when its
 * fingerprint is equal, else {@code event-id-reuse}; a version 1 or 2 record has no fingerprint, so
 * any repeat of it is a retry, as it was when it was written.
 *
 * <pre>
 * decision      fingerprint:16 bytes  agentId:str type:byte ... (as version 2)
 * </pre>
 *
 * <p>Also since version 2, the idle timer has a record of its own ({@code timer:zz}), written
 * whenever a step moves it, so the session meta is rewritten only when something else in it changes.
 * When present it overrides the meta's {@code timer} field, which is only as recent as the meta's
 * last write.
 *
 * <p>A step reads only what it needs (stream time, session meta, dedupe record, the actor's path,
 * and per type the child, credential, approvals or fan-out record), and writes at its end only what
 * changed. A {@code BLOCK} step writes its dedupe record, its fan-out record and the idle timer, and
 * nothing else (and, with a retention, the decision's index entry or its group).
 *
 * <h2>Stored decisions</h2>
 *
 * <p>A session started by this engine gets a <em>handle</em>, its number in the store (engine meta
 * {@code sessionHandles}, appended to the version 2 record; 0 when absent), kept in its session
 * meta, which is then of version 2: version 1 followed by {@code handle:uv flags:byte(1 decisions
 * before start)}. The engine reads the session meta before the dedupe lookup anyway, so a step's
 * stored decision is keyed {@code 0x0D uv(handle) h64(eventId)}: 10 to 13 bytes instead of the two
 * ids. {@code h64} is FNV-1a over the eventId's UTF-16 chars, finished with the MurmurHash3 mixer.
 * The record (version 4) holds what a retry can't take from its step:
 *
 * <pre>
 * decision      version:byte(4) fingerprint:16 bytes
 *               flags:byte(bits 0-1 verdict code, 2-4 type code, 5 findings, 6 actor in chain,
 *                          7 occurredAt before the session's start)
 *               offset:uv (|occurredAt - session startedAt|)  policyNo:uv
 *               actor in chain ? actorNumber:uv : agentId:str path:strs
 *               [count:uv { ...findings as in version 1 }*]   (only when it has findings)
 * agent         version 2: version 1 followed by uv(number + 1) (0: unknown, an older engine's)
 * agent         version 3: parent:str depth:uv uv(number + 1) uv(generation + 1)
 *               uv(withinParent + 1) [coverageStamp:4 bytes, when withinParent >= 0]
 *               delegatedScopes:strs
 * approval      version 2: approvalId:str approver:str requester:str from:zz until:zz
 *               firstLiterals:strs wildcard:byte scopes:strs
 * </pre>
 *
 * <p>An approval of version 2 holds, ahead of its scopes, the literal first segments of their
 * resources (sorted, at most 1,024 characters) and whether one starts with {@code *} or is {@code
 * **} (1, and no literals, also when the literals would pass that bound): a call needing an
 * approval skips those whose first segments rule out what it needs without reading their scopes.
 * A version 1 approval is read as before, its first segments taken from its scopes.
 *
 * <p>An agent of version 3 names its delegated list: {@code generation} is 0 for the first, one
 * more each time a delegation replaces it (agents are never removed from their session's chain,
 * so the id and the generation name one list for good; the root's list is the grant, which never
 * changes). {@code withinParent} is the <em>mark</em> of the delegation that set the list: when
 * its {@code scope-widening} check found every delegated scope within the actor's effective
 * scopes, the actor's (the parent's) generation then, else -1 (the check fired, was off, or the
 * parent's record has no generation). A marked list lies within its parent's list, so a scope its
 * list covers the parent's covers too (coverage is transitive); the mark holds while the parent
 * keeps that generation and the coverage relation is the one named by {@code coverageStamp}
 * (FNV-1a of the action lattice and the coverage rules' version, {@code
 * CompiledPolicy.coverageStamp}). A check of a scope against an agent's effective scopes asks the
 * agent's own list, then each list above whose child below is not marked (nor known within it in
 * memory): a path of marked agents asks the actor's list alone, where it asked up to 16 lists of
 * 64 KiB, and a parent's list replaced later (narrowing its subtree) is asked again by every
 * check below it. The scopes end the record, so reading it finds where each scope starts only when
 * the list is read. An agent of version 1 or 2 has no generation and no mark: its checks ask the
 * lists as before, and so do its children's.
 *
 * <p>The actor is "in chain" when the decision's path is the actor's path in the chain (it was
 * found there); an agent's parent never changes and agents are only deleted with their session,
 * whose decisions go with them, so the path is rebuilt from the chain on a retry, whose actor is
 * the step's (the fingerprint covers it). A repeat with other content needs the first actor's id
 * for the {@code event-id-reuse} message: it is the agent whose number (the session's agent count
 * when it was added, the root 0) the record holds, found by scanning the session's agents. A
 * retried decision is thus equal, field for field, to the one first returned.
 *
 * <p><b>Collisions.</b> Two eventIds of one session with the same {@code h64} share a key. The
 * content fingerprint (128 bits of SHA-256) covers the eventId, so the second reads as a repeat
 * with other content: blocked by {@code event-id-reuse}, never answered with the first's decision
 * (fail closed). Only the chooser of both ids can make one happen on purpose, and it blocks their
 * own event; by chance it takes about 2^32 decisions kept at once in one session.
 *
 * <p>A session without a handle (meta of version 1, written by an older engine) keeps storing
 * and finding its decisions as before: version 3 records under {@code 0x07 sid eventId}, each with
 * a {@code 0x0B} entry. So do steps of a session never started; a session that starts after some
 * of its steps were stored that way (found by a range read of {@code 0x07 sid} at its start) has
 * the flag set, and a decision not found under its handle is then looked for there.
 *
 * <p><b>Groups.</b> With a retention, a 0x0D record's eventId hash is added to its session's group
 * of the time bucket of its occurredAt: buckets are {@code sessionRetentionSeconds / 16} wide
 * (aligned on multiples of their width), {@code last} is a bucket's last millisecond. A group is
 * {@code version:byte(1) base:zz sealed:uv h64*}: {@code base} is the session's start (records
 * hold their offset from it), {@code sealed} the groups sealed so far (0 in a sealed group). At
 * 16 hashes the open group is written as sealed group {@code sealed} and emptied. The index time of
 * a group is {@code last}: it is due once every decision in it is, so a decision is deleted at
 * most a bucket (a sixteenth of the retention) after it is due; until then its age is checked on
 * lookup, as before. A decision whose bucket is due already when it is made is not stored at all
 * (a repeat would be decided anew either way). A session's purge deletes its 0x0D range; its
 * groups, left behind, are dropped alone when due.
 *
 * <p><b>Size</b> (key + value, the realistic mix of {@code load-tests}): an allowed step of an
 * agent in the chain takes 10 to 13 bytes of key, 23 of value (with an offset under 35 minutes and
 * fewer than 128 agents), and 8 bytes in a group plus a sixteenth of a group's key and header.
 * {@code SessionStateSize} prints the mean per decided event: 175.1 B before, 45.7 B since
 * (load-tests/README.md, "State size").
 *
 * <p><b>Credential use.</b> A step presenting a credential changes its use count and last use,
 * which are written as a record of their own ({@code 0x0F}: {@code version:byte(1) useCount:uv
 * lastUsedAt:zz}), not by rewriting the credential (up to 64 KB of scopes). The credential record
 * keeps its version 1 format, its use fields as of its last write; the use record, when there is
 * one, overrides them (so a credential of an older engine, which has none, reads as it did), and
 * is written again whenever the credential record is.
 *
 * <h2>Retention (contract section 4)</h2>
 *
 * <p>With {@code sessionRetentionSeconds} not 0 (default 86,400): a closed session's records,
 * dedupe records included, are deleted once stream time is more than that past its close, except
 * its meta, which stays for good as a tombstone without granted scopes and initiator (the id stays
 * closed; an eventId used again is decided anew). A tombstone's key is {@code 2 + |sessionId|}
 * bytes ({@code 3 +} from 128 bytes on), its value {@code 27 + |rootAgentId| + |uv(handle)|} bytes:
 * 28 + the root's id for the first 127 sessions of a store, 29 to 16,383, 30 to 2,097,151 (one more
 * per varint of 128 or more: the root's length and the three counts; one more per timestamp after
 * 2039; 26 + the root's id for a session without a handle). Any stored decision is also deleted
 * once stream time is more than the retention past its own occurredAt, found through the
 * decision-time index or its group (at most a bucket later), at most 32 per step ({@code
 * IdleAndRetention.DECISIONS_DROPPED_PER_STEP}; whole groups, so up to 16 when one group holds
 * more); one that is due but not deleted yet never answers a retry (its occurredAt is checked on lookup, against the stream time before the record, so the
 * result is the same as if it had been deleted).
 *
 * <h2>Decoded records</h2>
 *
 * <p>Replay and the topology put a {@link io.agentauditor.engine.CachingStateStore} in front of the
 * byte store: records a step reads are kept decoded, grouped by session (bounded by record count,
 * the session used least recently out first), so a hot session's meta, path and credentials are
 * found with one lookup, not read and decoded on every step. Every write is still encoded and put
 * into the byte store in the step that makes it. A kept session also keeps its open decision
 * group as last written (a step appends to it without reading it), and, when it started through
 * the cache with a handle under which the store held no decision, the eventId hashes of the
 * decisions stored under it since: a step whose hash is not among them has no stored decision, so
 * the lookup of a new eventId reads nothing (a session loaded from the store, or evicted and read
 * again, has no such list and reads the store, as do steps of a session without a handle).
 */
package io.agentauditor.engine;
