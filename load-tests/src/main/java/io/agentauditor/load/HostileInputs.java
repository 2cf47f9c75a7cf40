package io.agentauditor.load;

import io.agentauditor.codec.EventJsonCodec;
import io.agentauditor.engine.ArgumentScanner;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Limits;
import io.agentauditor.model.Step;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.SessionLimits;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The hostile inputs of load-tests/README.md ("Hostile input"), rebuilt at the largest size the
 * limits allow (contract section 2's input limits, section 4's default session limits), each with
 * two twins of as many events: a benign one, one session of plain {@code repo.read_file} calls
 * (about 230 bytes a line), and a size-matched one, the same bytes in the same kinds of fields
 * (scope lists of 128 scopes of 512 bytes, ids of 256 bytes, texts of 4 KiB) arranged so that they
 * ask only the ordinary work of those bytes and no rule fires (see each {@code ...Matched}).
 *
 * <ul>
 *   <li>{@code delegation-scopes}: a session granting 128 scopes of 512 bytes (32 segments), a chain
 *       of agents at depths 1 to 15 each delegated 128 such scopes (the last of each list, {@code
 *       read:COMMON/*}, covers the others), then re-delegations by the depth-15 agent of its child,
 *       each of 128 scopes only its own list doesn't cover: coverage scans every list of the path.
 *   <li>{@code delegation-covered}: the same, every list of the path covering the re-delegated
 *       scopes, so each is checked against all 16 lists and the delegation is allowed.
 *   <li>{@code deep-chain}: a chain at maxDepth 16 (128 scopes at each level) and 239 more agents
 *       (maxAgents 256), then one tool call per agent, each decision carrying its path.
 *   <li>{@code deep-chain-redelegated}: the chain alone, each level delegated again from the
 *       deepest up (so no mark of the path holds), then calls at depth 16.
 *   <li>{@code approvals}: maxApprovals (256) approvals of 128 scopes, approvers named in 4 KiB, then
 *       calls that need an approval none gives.
 *   <li>{@code credential-scopes}: a credential of 128 scopes of 512 bytes presented by every call.
 * </ul>
 *
 * And the worst single events at the input limits: one tool call of a 1 MiB line, its arguments at
 * their limits, full of text that is expensive to normalise or scan.
 *
 * <p>Usage: {@code HostileInputs write DIR} writes {@code NAME.jsonl}, {@code NAME-benign.jsonl} and
 * {@code NAME-matched.jsonl} per shape and {@code line-NAME.jsonl} per 1 MiB line (for {@code ./auditor replay}, see
 * hostile-inputs.sh); {@code HostileInputs engine POLICIES [RUNS]} decides each pair with the engine
 * on an in-memory store behind the decoded-record cache (as replay runs it, without RocksDB and
 * JSON), the three files of a shape in turn, and prints medians, ratios and the worst single
 * events, all as CPU time of the deciding thread; {@code HostileInputs engine POLICIES 1 verdicts}
 * counts each file's verdicts (the twins' are all ALLOW).
 */
public final class HostileInputs {

  private static final long T0 = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();
  private static final SessionLimits LIMITS = SessionLimits.defaults();

  /** 31 segments: with the action and a last segment, scopes of 32 segments and 512 bytes. */
  private static final String COMMON;

  static {
    StringBuilder sb = new StringBuilder("repo/");
    for (int i = 1; i < Limits.MAX_SCOPE_SEGMENTS - 1; i++) {
      sb.append(String.format("seg%02d-abcdefgh", i)).append('/');
    }
    COMMON = sb.toString();
  }

  /**
   * CPU time of the deciding thread: on a machine shared with other builds, wall time measures
   * their load as much as ours (a process may get a twentieth of a core), CPU time far less.
   */
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private HostileInputs() {}

  private static long cpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  /**
   * One shape: its events, a builder of its most expensive valid event, its benign twin of as many
   * events, and its size-matched twin: as many events carrying about the same bytes in the same
   * kinds of fields, built so that they ask only the ordinary work of those bytes and nothing fires.
   */
  record Shape(String name, String size, List<Step> events, IntFunction<Step> worst, List<Step> matched) {
    List<Step> benign() {
      return HostileInputs.benign(name, events.size());
    }
  }

  static String id(String prefix, int n) {
    String tail = "-" + n;
    return prefix + "x".repeat(Limits.MAX_ID_BYTES - prefix.length() - tail.length()) + tail;
  }

  /** {@code action:COMMON<last>}, padded to 512 bytes unless {@code last} is {@code *}. */
  static String scope(String action, String last) {
    String head = action + ":" + COMMON;
    return last.equals("*") ? head + "*" : head + last + "z".repeat(Limits.MAX_SCOPE_BYTES - head.length() - last.length());
  }

  static List<String> scopes(String action, String tag, boolean coveringLast) {
    List<String> out = new ArrayList<>(Limits.MAX_SCOPES);
    for (int i = 0; i < Limits.MAX_SCOPES; i++) {
      out.add(coveringLast && i == Limits.MAX_SCOPES - 1 ? scope(action, "*") : scope(action, tag + i));
    }
    return out;
  }

  private static String text(String prefix) {
    return prefix + "t".repeat(Limits.MAX_TEXT_BYTES - prefix.length());
  }

  /** Builds one session's steps, one second apart, with event ids of 256 bytes. */
  private static final class Session {
    final String sid;
    final List<Step> steps = new ArrayList<>();
    final long spacingMillis;
    int next;

    Session(String name) {
      this(name, 1000);
    }

    Session(String name, long spacingMillis) {
      this.sid = id("session-" + name, 0);
      this.spacingMillis = spacingMillis;
    }

    long t() {
      return T0 + spacingMillis * steps.size();
    }

    String eid() {
      return id("e", ++next);
    }

    Session add(Step s) {
      steps.add(s);
      return this;
    }

    Step start(String root, List<String> granted) {
      return new Step.SessionStarted(eid(), sid, root, t(), text("user:"), granted, text("intent:"));
    }

    Step delegate(String actor, String child, List<String> scopes) {
      return new Step.AgentDelegated(eid(), sid, actor, t(), child, scopes, text("purpose:"));
    }

    Step call(String actor, String tool, Map<String, String> args, String credentialId) {
      return new Step.ToolCall(eid(), sid, actor, t(), tool, args, credentialId);
    }
  }

  private static final String ROOT = id("agent:root", 0);

  /** The root and a chain at depths 1 to {@code depth}, 128 scopes at each level. */
  private static List<String> chain(Session s, int depth, boolean coveringDeepest) {
    List<String> chain = new ArrayList<>(List.of(ROOT));
    s.add(s.start(ROOT, scopes("read", "granted", true)));
    for (int d = 1; d <= depth; d++) {
      String child = id("agent:a", d);
      s.add(s.delegate(chain.get(d - 1), child, scopes("read", "d" + d + "-", d < depth || coveringDeepest)));
      chain.add(child);
    }
    return chain;
  }

  static Shape delegationScopes(int events) {
    return delegation("delegation-scopes", events, false);
  }

  /**
   * The same chain, but the actor's own list covers too (its last scope, like every other level's):
   * re-delegations of 128 scopes every list of the path covers, so each is checked against all 16
   * lists, the most coverage work a delegation the engine allows can ask for.
   */
  static Shape delegationCovered(int events) {
    return delegation("delegation-covered", events, true);
  }

  private static Shape delegation(String name, int events, boolean covering) {
    Session s = new Session(name);
    List<String> chain = chain(s, LIMITS.maxDepth() - 1, covering);
    String actor = chain.get(chain.size() - 1);
    String child = id("agent:a", LIMITS.maxDepth());
    while (s.steps.size() < events) {
      s.add(s.delegate(actor, child, scopes("read", "r" + s.steps.size() + "-", false)));
    }
    return new Shape(
        name,
        "depth 15 + child at 16, 128 scopes x 512 B per list; re-delegations of 128 scopes "
            + (covering ? "every list covers" : "only the actor's own list doesn't cover"),
        s.steps,
        n -> s.delegate(actor, child, scopes("read", "w" + n + "-", false)),
        delegationMatched(name, events));
  }

  /**
   * Spacing of the size-matched twins' steps: 7 s, so no actor makes more than fanOut.max (10)
   * delegations within fanOut.windowSeconds (60), and {@code fan-out} doesn't fire.
   */
  private static final long MATCHED_SPACING = 7_000;

  /**
   * The delegations' size-matched twin: the same grant of 128 scopes, then as many delegations of
   * 128 scopes of 512 bytes (the same ids, purposes and event ids), each by the root to one child
   * at depth 1, every scope covered by the grant: each delegation's scopes are parsed, checked
   * against the actor's effective scopes and stored as the child's, and none fires.
   */
  static List<Step> delegationMatched(String name, int events) {
    Session s = new Session(name + "-matched", MATCHED_SPACING);
    s.add(s.start(ROOT, scopes("read", "granted", true)));
    String child = id("agent:a", 1);
    while (s.steps.size() < events) {
      s.add(s.delegate(ROOT, child, scopes("read", "r" + s.steps.size() + "-", false)));
    }
    return s.steps;
  }

  static Shape deepChain() {
    Session s = new Session("deep-chain");
    List<String> chain = chain(s, LIMITS.maxDepth(), true);
    List<String> agents = new ArrayList<>(chain);
    String parent = chain.get(LIMITS.maxDepth() - 1);
    for (int i = 0; agents.size() < LIMITS.maxAgents(); i++) {
      String a = id("agent:w", i);
      s.add(s.delegate(parent, a, List.of(scope("read", "w" + i + "-"))));
      agents.add(a);
    }
    String deepest = chain.get(LIMITS.maxDepth());
    for (String a : agents) {
      s.add(s.call(a, "repo.read_file", readArgs(a.equals(ROOT) || chain.contains(a) ? "any" : null, a), null));
    }
    return new Shape(
        "deep-chain",
        "256 agents, depth 16, 128 scopes x 512 B per level; one covered tool call per agent",
        s.steps,
        n -> s.call(deepest, "repo.read_file", readArgs("any", deepest), null),
        deepChainMatched());
  }

  /**
   * What the marks of the chain don't cover: the chain of {@link #deepChain} (no other agents),
   * then each agent of it delegated again by its parent, the same list, from the deepest up, so
   * that each list is replaced after its child was marked within it and no mark of the path holds
   * but the first agent's; then calls at depth 16, each asking the 16 lists of its path again.
   */
  static Shape deepChainRedelegated(int events) {
    Session s = new Session("deep-chain-redelegated");
    List<String> chain = chain(s, LIMITS.maxDepth(), true);
    for (int d = LIMITS.maxDepth(); d >= 1; d--) {
      s.add(s.delegate(chain.get(d - 1), chain.get(d), scopes("read", "d" + d + "-", true)));
    }
    String deepest = chain.get(LIMITS.maxDepth());
    while (s.steps.size() < events) {
      s.add(s.call(deepest, "repo.read_file", readArgs("any", deepest), null));
    }
    return new Shape(
        "deep-chain-redelegated",
        "depth 16, 128 scopes x 512 B per level, each level delegated again from the deepest up; calls at depth 16",
        s.steps,
        n -> s.call(deepest, "repo.read_file", readArgs("any", deepest), null),
        deepChainRedelegatedMatched(events));
  }

  /**
   * Its size-matched twin: the same lists delegated twice by the root to agents at depth 1, then
   * the same calls by the last of them, so nothing fires.
   */
  static List<Step> deepChainRedelegatedMatched(int events) {
    Session s = new Session("deep-chain-redelegated-matched", MATCHED_SPACING);
    s.add(s.start(ROOT, scopes("read", "granted", true)));
    for (int round = 0; round < 2; round++) {
      for (int d = 1; d <= LIMITS.maxDepth(); d++) {
        s.add(s.delegate(ROOT, id("agent:a", d), scopes("read", "d" + d + "-", true)));
      }
    }
    String last = id("agent:a", LIMITS.maxDepth());
    while (s.steps.size() < events) {
      s.add(s.call(last, "repo.read_file", readArgs("any", last), null));
    }
    return s.steps;
  }

  /**
   * The deep chain's size-matched twin: the same agents, lists and calls, but every agent
   * delegated by the root (depth 1, at most {@code maxDelegationDepth} 3), so nothing fires; the
   * calls are the same reads, each covered by its agent's list and the grant.
   */
  static List<Step> deepChainMatched() {
    Session s = new Session("deep-chain-matched", MATCHED_SPACING);
    s.add(s.start(ROOT, scopes("read", "granted", true)));
    List<String> agents = new ArrayList<>(List.of(ROOT));
    for (int d = 1; d <= LIMITS.maxDepth(); d++) {
      String a = id("agent:a", d);
      s.add(s.delegate(ROOT, a, scopes("read", "d" + d + "-", true)));
      agents.add(a);
    }
    for (int i = 0; agents.size() < LIMITS.maxAgents(); i++) {
      String a = id("agent:w", i);
      s.add(s.delegate(ROOT, a, List.of(scope("read", "w" + i + "-"))));
      agents.add(a);
    }
    for (String a : agents) {
      s.add(s.call(a, "repo.read_file", readArgs(a.startsWith("agent:w") ? null : "any", a), null));
    }
    return s.steps;
  }

  /** Arguments of a read covered by the agent's scopes: under COMMON, the last segment as given. */
  private static Map<String, String> readArgs(String last, String agent) {
    String resource;
    if (last != null) {
      resource = (COMMON + last).substring("repo/".length());
    } else {
      // A w-agent holds exactly read:COMMON/w<i>-zzz...: read that very resource.
      int i = Integer.parseInt(agent.substring(agent.lastIndexOf('-') + 1));
      resource = scope("read", "w" + i + "-").substring("read:repo/".length());
    }
    return Map.of("repo", resource, "path", "src/main.py");
  }

  static Shape approvals(int events) {
    Session s = new Session("approvals");
    List<String> granted = new ArrayList<>(scopes("admin", "g", false));
    granted.set(granted.size() - 1, "admin:**");
    s.add(s.start(ROOT, granted));
    for (int i = 0; i < LIMITS.maxApprovals(); i++) {
      s.add(
          new Step.ApprovalGranted(
              s.eid(), s.sid, ROOT, s.t(), id("approval", i), text("user:" + i + "-"), scopes("admin", "a" + i + "-", false), 86_400));
    }
    while (s.steps.size() < events) {
      s.add(s.call(ROOT, "ci.set_variable", ciArgs(s.steps.size()), null));
    }
    return new Shape(
        "approvals",
        "256 approvals x 128 scopes x 512 B, 4 KiB approvers; calls needing an approval none gives",
        s.steps,
        n -> s.call(ROOT, "ci.set_variable", ciArgs(1_000_000 + n), null),
        approvalsMatched(events));
  }

  /**
   * The approvals' size-matched twin: the same 256 approvals, but the last scope of approval i is
   * {@code admin:ci/p<i>}, and the calls set variables of projects {@code p255} down to {@code p0}
   * and round again: each needs an approval, and one of them covers it after the search has asked
   * half of them on average.
   */
  static List<Step> approvalsMatched(int events) {
    Session s = new Session("approvals-matched", MATCHED_SPACING);
    List<String> granted = new ArrayList<>(scopes("admin", "g", false));
    granted.set(granted.size() - 1, "admin:**");
    s.add(s.start(ROOT, granted));
    int approvals = LIMITS.maxApprovals();
    for (int i = 0; i < approvals; i++) {
      List<String> scopes = new ArrayList<>(scopes("admin", "a" + i + "-", false));
      scopes.set(scopes.size() - 1, "admin:ci/p" + i);
      s.add(new Step.ApprovalGranted(s.eid(), s.sid, ROOT, s.t(), id("approval", i), text("user:" + i + "-"), scopes, 86_400));
    }
    for (int j = 0; s.steps.size() < events; j++) {
      s.add(s.call(ROOT, "ci.set_variable", Map.of("project", "p" + (approvals - 1 - j % approvals), "name", "TOKEN_TTL", "value", "3600"), null));
    }
    return s.steps;
  }

  private static Map<String, String> ciArgs(int n) {
    return Map.of("project", "acme-" + n, "name", "TOKEN_TTL", "value", "3600");
  }

  static Shape credentialScopes(int events) {
    Session s = new Session("credential-scopes");
    String cred = credentialSession(s, Limits.MAX_SCOPES - 1, events);
    Session matched = new Session("credential-scopes-matched", MATCHED_SPACING);
    credentialSession(matched, Limits.MAX_SCOPES / 2, events);
    return new Shape(
        "credential-scopes",
        "a credential of 128 scopes x 512 B presented by every call",
        s.steps,
        n -> s.call(ROOT, "repo.read_file", Map.of("repo", "acme/api", "path", "w" + n), cred),
        matched.steps);
  }

  /**
   * Adds to {@code s} a start, a credential of 128 scopes of 512 bytes whose scope at {@code
   * covering} is {@code read:**}, and reads presenting it up to {@code events}; returns its id. The
   * credential's size-matched twin has the covering scope in the middle of the list, not last.
   */
  private static String credentialSession(Session s, int covering, int events) {
    s.add(s.start(ROOT, List.of("read:**")));
    List<String> scopes = new ArrayList<>(scopes("read", "c", false));
    scopes.set(covering, "read:**");
    String cred = id("cred", 0);
    s.add(
        new Step.CredentialIssued(
            s.eid(), s.sid, ROOT, s.t(), cred, ROOT, scopes, CredentialKind.SHORT_LIVED_TOKEN, 3_600, CredentialStorage.MEMORY));
    while (s.steps.size() < events) {
      s.add(s.call(ROOT, "repo.read_file", Map.of("repo", "acme/api", "path", "f" + s.steps.size()), cred));
    }
    return cred;
  }

  /** One session of {@code events} events: a start, then plain reads by its root. */
  static List<Step> benign(String name, int events) {
    String sid = "benign-" + name;
    List<Step> out = new ArrayList<>(events);
    out.add(new Step.SessionStarted("e0", sid, "agent:planner", T0, "user:alice@acme.io", List.of("read:repo/acme/**"), "fix a test"));
    for (int i = 1; i < events; i++) {
      out.add(
          new Step.ToolCall(
              "e" + i, sid, "agent:planner", T0 + 1000L * i, "repo.read_file", Map.of("repo", "acme/api", "path", "src/f" + i + ".py"), null));
    }
    return out;
  }

  static List<Shape> shapes() {
    // delegation-scopes decides slowest (see load-tests/README.md): fewer events keep a run short.
    return List.of(
        delegationScopes(60), delegationCovered(60), deepChain(), deepChainRedelegated(100), approvals(500), credentialScopes(500));
  }

  /**
   * The worst single events at the input limits: a {@code repo.write_file} (secret and code
   * patterns) whose arguments fill a 1 MiB line; values named {@code a00}..., text per case.
   */
  static Map<String, Map<String, String>> lines() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    // Besides repo and path: 62 values of 16 KiB, or 4 of 252 KiB (a value's limit is 256 KiB);
    // what the line's other fields and the JSON take is left free.
    int big = Limits.MAX_ARGUMENT_VALUE_BYTES - 4096;
    out.put("ascii-words", args(62, i -> words(Limits.MAX_ARGUMENT_VALUE_BYTES / 16 - 64)));
    out.put("fullwidth", args(4, i -> fill("\uFF21\uFF42\uFF43\uFF11", big)));
    out.put("fullwidth-keywords", args(4, i -> fullwidth(keywords(big / 3))));
    out.put("ligatures-fdfa", args(4, i -> fill("\uFB03\uFDFA", big)));
    out.put("combining", args(4, i -> fill("e\u0301a\u0308", big)));
    out.put("zero-width", args(4, i -> fill("A\u200B", big)));
    out.put("base64-runs", args(4, i -> base64(big)));
    out.put("keywords", args(4, i -> keywords(big)));
    // Escaped in the line (\\uFF21: 6 bytes a character): a sixth as many characters per byte.
    out.put("escaped-fullwidth", args(4, i -> fill("\uFF21\uFF42\uFF43\uFF11", big / 2)));
    return out;
  }

  /** {@code repo}, {@code path} and {@code count} values {@code a00}, {@code a01}... */
  private static Map<String, String> args(int count, IntFunction<String> value) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("repo", "acme/api");
    m.put("path", "src/main.tf");
    for (int i = 0; i < count; i++) {
      m.put(String.format("a%02d", i), value.apply(i));
    }
    return m;
  }

  /** About {@code chars} characters of {@code unit} repeated, cut at a whole unit. */
  private static String repeat(String unit, int chars) {
    return unit.repeat(Math.max(1, chars / unit.length()));
  }

  /** {@code unit} repeated to at most {@code bytes} bytes of UTF-8. */
  private static String fill(String unit, int bytes) {
    return unit.repeat(bytes / unit.getBytes(StandardCharsets.UTF_8).length);
  }

  private static String words(int chars) {
    StringBuilder sb = new StringBuilder(chars);
    String[] w = {"resource ", "deploy ", "the ", "service ", "config ", "value ", "print(1)\n", "token "};
    for (int i = 0; sb.length() + 16 < chars; i++) {
      sb.append(w[i % w.length]);
    }
    return sb.toString();
  }

  /** Base64 runs of 4 KiB separated by a space, so each is decoded four times. */
  private static String base64(int chars) {
    StringBuilder sb = new StringBuilder(chars);
    byte[] block = new byte[3 * 1024];
    Arrays.fill(block, (byte) 'k');
    String run = java.util.Base64.getEncoder().encodeToString(block);
    while (sb.length() + run.length() + 1 < chars) {
      sb.append(run).append(' ');
    }
    return sb.toString();
  }

  /** Every keyword of the default patterns, over and over, none of them completing a match. */
  private static String keywords(int chars) {
    String unit =
        "AKIA ASIA ghp_ github_pat_ xox -----BEGIN eyJ azurerm_storage_account_sas expires_at expiration "
            + "aws_iam_access_key google_service_account_key resource \"x\" { ";
    return repeat(unit, chars);
  }

  private static String fullwidth(String ascii) {
    StringBuilder sb = new StringBuilder(ascii.length());
    for (int i = 0; i < ascii.length(); i++) {
      char c = ascii.charAt(i);
      sb.append(c > 0x20 && c < 0x7F ? (char) (c + 0xFEE0) : c);
    }
    return sb.toString();
  }

  static Step lineStep(String name, Map<String, String> args) {
    String sid = "line-" + name;
    return new Step.ToolCall("e1", sid, "agent:planner", T0 + 1000, "repo.write_file", args, null);
  }

  static Step lineStart(String name) {
    return new Step.SessionStarted("e0", "line-" + name, "agent:planner", T0, "user:alice@acme.io", List.of("write:repo/acme/**"), null);
  }

  /** The line's JSON, with the escaped case written as {@code \\uXXXX} escapes. */
  static byte[] encode(String name, Step step) {
    byte[] json = EventJsonCodec.encodeUtf8(step);
    if (!name.startsWith("escaped")) {
      return json;
    }
    StringBuilder sb = new StringBuilder();
    String s = new String(json, StandardCharsets.UTF_8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04X", (int) c));
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws IOException {
    if (args.length >= 2 && args[0].equals("write")) {
      write(Path.of(args[1]));
    } else if (args.length >= 2 && args[0].equals("engine")) {
      Policy policy = PolicyBundleLoader.load(Path.of(args[1]));
      int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
      String what = args.length > 3 ? args[3] : "all";
      if (what.equals("verdicts")) {
        for (Shape s : shapes()) {
          System.out.printf(
              "%-18s hostile %s, benign %s, size-matched %s%n",
              s.name(), verdicts(policy, s.events()), verdicts(policy, s.benign()), verdicts(policy, s.matched()));
        }
        return;
      }
      if (!what.equals("lines")) {
        shapes(policy, runs, what.startsWith("shape=") ? what.substring("shape=".length()) : null);
      }
      if (!what.equals("shapes") && !what.startsWith("shape=")) {
        lines(policy);
      }
    } else {
      System.err.println("usage: HostileInputs write DIR | HostileInputs engine POLICIES [RUNS] [all|shapes|shape=NAME|lines|verdicts]");
      System.exit(2);
    }
  }

  private static long writeLines(Path file, List<Step> steps, String name) throws IOException {
    long bytes = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      for (Step s : steps) {
        byte[] line = encode(name, s);
        out.write(line);
        out.write('\n');
        bytes += line.length + 1;
      }
    }
    return bytes;
  }

  static void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Shape s : shapes()) {
      long h = writeLines(dir.resolve(s.name() + ".jsonl"), s.events(), s.name());
      long b = writeLines(dir.resolve(s.name() + "-benign.jsonl"), s.benign(), s.name());
      long m = writeLines(dir.resolve(s.name() + "-matched.jsonl"), s.matched(), s.name());
      System.out.printf(
          "%-18s %5d events, %,11d bytes; benign %,9d bytes; size-matched %,11d bytes%n", s.name(), s.events().size(), h, b, m);
    }
    for (Map.Entry<String, Map<String, String>> e : lines().entrySet()) {
      String name = e.getKey();
      Step call = lineStep(name, e.getValue());
      long bytes = writeLines(dir.resolve("line-" + name + ".jsonl"), List.of(lineStart(name), call), name);
      System.out.printf("line-%-18s %,9d bytes%n", name, bytes);
    }
  }

  /** Decides {@code steps} on a fresh store; returns nanoseconds of the thread's CPU time. */
  private static long decideAll(Policy policy, List<Step> steps) {
    AuditEngine engine = new AuditEngine(policy);
    StateStore store = new CachingStateStore(new InMemoryStateStore());
    long t0 = cpu();
    for (Step s : steps) {
      engine.process(s, store);
    }
    return cpu() - t0;
  }

  private static double median(long[] xs) {
    long[] c = xs.clone();
    Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2.0;
  }

  /**
   * Decides each shape, its benign twin and its size-matched twin {@code runs} times, the three in
   * turn and starting with another each run, and prints the medians and the ratios to both twins;
   * then each shape's worst single event, warm and cold. {@code only}, when not null, names the one
   * shape to measure (to profile it alone).
   */
  static void shapes(Policy policy, int runs, String only) {
    List<Shape> shapes = new ArrayList<>(shapes());
    shapes.removeIf(s -> only != null && !s.name().equals(only));
    System.out.printf(
        "engine on an in-memory store behind the decoded-record cache, %d runs alternating; CPU time of the deciding thread%n", runs);
    for (Shape s : shapes) {
      List<List<Step>> files = List.of(s.events(), s.benign(), s.matched());
      long[][] t = new long[3][runs];
      for (int r = 0; r < runs; r++) {
        for (int k = 0; k < 3; k++) {
          int f = (r + k) % 3;
          t[f][r] = decideAll(policy, files.get(f));
        }
      }
      System.out.printf(
          "%-18s %4d events: hostile %8.1f ms; benign %6.1f ms, ratio %6.1f; size-matched %7.1f ms, ratio %5.2f (runs %s / %s / %s)%n",
          s.name(),
          s.events().size(),
          median(t[0]) / 1e6,
          median(t[1]) / 1e6,
          median(t[0]) / median(t[1]),
          median(t[2]) / 1e6,
          median(t[0]) / median(t[2]),
          ms(t[0]),
          ms(t[1]),
          ms(t[2]));
    }
    for (Shape s : shapes) {
      AuditEngine engine = new AuditEngine(policy);
      InMemoryStateStore inner = new InMemoryStateStore();
      StateStore store = new CachingStateStore(inner);
      for (Step e : s.events()) {
        engine.process(e, store);
      }
      single(s.name() + " (worst event)", engine, store, s.worst(), 30);
      cold(s.name() + " (worst event, cold)", policy, inner, s.worst(), 10);
    }
  }

  /** The verdicts of {@code steps} decided in order on a fresh store, counted by verdict. */
  static Map<String, Integer> verdicts(Policy policy, List<Step> steps) {
    AuditEngine engine = new AuditEngine(policy);
    StateStore store = new CachingStateStore(new InMemoryStateStore());
    Map<String, Integer> out = new java.util.TreeMap<>();
    for (Step s : steps) {
      out.merge(engine.process(s, store).decision().verdict().toString(), 1, Integer::sum);
    }
    return out;
  }

  /**
   * Times {@code n} events of {@code worst}, each by a new engine over a new decoded-record cache
   * of the same store (as after a restart or an eviction): the records are decoded, the scopes
   * parsed and their indexes built again, within the event's time. The engines' warm-up is not
   * timed.
   */
  private static void cold(String what, Policy policy, InMemoryStateStore inner, IntFunction<Step> worst, int n) {
    for (int i = 0; i < n; i++) {
      new AuditEngine(policy).process(worst.apply(2 * n + i), new CachingStateStore(inner));
    }
    long[] t = new long[n];
    String verdict = null;
    for (int i = 0; i < n; i++) {
      AuditEngine engine = new AuditEngine(policy);
      StateStore store = new CachingStateStore(inner);
      Step s = worst.apply(3 * n + i);
      long t0 = cpu();
      verdict = engine.process(s, store).decision().verdict().toString();
      t[i] = cpu() - t0;
    }
    report(what, verdict, t);
  }

  static void lines(Policy policy) {
    ArgumentScanner scanner = new ArgumentScanner(policy);
    for (Map.Entry<String, Map<String, String>> e : lines().entrySet()) {
      String name = e.getKey();
      AuditEngine engine = new AuditEngine(policy);
      StateStore store = new CachingStateStore(new InMemoryStateStore());
      engine.process(lineStart(name), store);
      Step call = lineStep(name, e.getValue());
      byte[] line = encode(name, call);
      long[] decode = new long[10];
      long[] scan = new long[10];
      long[] nfkc = new long[10];
      for (int r = 0; r < decode.length; r++) {
        long t0 = cpu();
        EventJsonCodec.decode(line);
        long t1 = cpu();
        scanner.scan(e.getValue(), true, true);
        long t2 = cpu();
        for (String v : e.getValue().values()) {
          Normalizer.normalize(v, Normalizer.Form.NFKC);
        }
        long t3 = cpu();
        decode[r] = t1 - t0;
        scan[r] = t2 - t1;
        nfkc[r] = t3 - t2;
      }
      Step[] fresh = {call};
      single(
          String.format("line-%s (%,d B)", name, line.length),
          engine,
          store,
          n -> new Step.ToolCall("w" + n, fresh[0].sessionId(), "agent:planner", T0 + 2000 + n, "repo.write_file", e.getValue(), null),
          10);
      System.out.printf(
          "    JSON decode %.2f ms, ArgumentScanner.scan %.2f ms, JDK NFKC of the values alone %.2f ms (medians)%n",
          median(decode) / 1e6, median(scan) / 1e6, median(nfkc) / 1e6);
    }
  }

  /** Times {@code n} events of {@code worst} after as many untimed ones (the JIT's warm-up). */
  private static void single(String what, AuditEngine engine, StateStore store, IntFunction<Step> worst, int n) {
    for (int i = 0; i < n; i++) {
      engine.process(worst.apply(n + i), store);
    }
    long[] t = new long[n];
    String verdict = null;
    for (int i = 0; i < n; i++) {
      Step s = worst.apply(i);
      long t0 = cpu();
      verdict = engine.process(s, store).decision().verdict().toString();
      t[i] = cpu() - t0;
    }
    report(what, verdict, t);
  }

  private static void report(String what, String verdict, long[] t) {
    long max = Arrays.stream(t).max().orElse(0);
    System.out.printf(
        "%-42s single event (%s): median %8.3f ms, max %8.3f ms CPU over %d%n", what, verdict, median(t) / 1e6, max / 1e6, t.length);
  }

  private static String ms(long[] xs) {
    StringBuilder sb = new StringBuilder();
    for (long x : xs) {
      sb.append(sb.length() == 0 ? "" : "/").append(String.format("%.0f", x / 1e6));
    }
    return sb.toString();
  }
}
