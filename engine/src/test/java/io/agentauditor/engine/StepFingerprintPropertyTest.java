package io.agentauditor.engine;

import static io.agentauditor.engine.Harness.ruleIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The content fingerprint of retries (contract section 4): every field of section 2 but {@code
 * occurredAt} is content, compared as values.
 */
class StepFingerprintPropertyTest {

  private final StepFingerprint fingerprint = new StepFingerprint();

  @Property(tries = 3000)
  void shouldTellApartAStepWithAnyOneFieldButOccurredAtChanged(
      @ForAll("steps") Step step, @ForAll Random random) {
    // Given a step, and a copy with one field (not occurredAt) changed, re-stamped at random
    Changed changed = change(step, random);

    // When / Then
    assertThat(fingerprint.of(changed.step()))
        .as(changed.field())
        .isNotEqualTo(fingerprint.of(step));
  }

  @Property(tries = 2000)
  void shouldGiveTheSameFingerprintWhateverTheStampAndTheOrderOfTheArguments(
      @ForAll("steps") Step step, @ForAll Random random) {
    // Given the same content re-stamped, its arguments (if any) inserted in another order
    Step same = copy(Fields.of(step).restamped(random.nextLong(Step.MIN_OCCURRED_AT, Step.MAX_OCCURRED_AT)), random);

    // When / Then
    assertThat(fingerprint.of(same)).isEqualTo(fingerprint.of(step));
  }

  @Property(tries = 1000)
  void shouldBeTheDigestOfTheDocumentedEncodingWhateverTheLengthOfTheFields(
      @ForAll("steps") Step step, @ForAll Random random) throws Exception {
    // Given a step, or a tool call with a long argument (ASCII, or not), past any buffer
    Step s = step;
    if (random.nextInt(3) == 0) {
      StringBuilder big = new StringBuilder();
      int n = random.nextInt(20_000, 70_000);
      while (big.length() < n) {
        big.append(random.nextInt(5) == 0 ? text(random) : "abcdefghij");
      }
      Map<String, String> args = new LinkedHashMap<>();
      args.put("content", big.toString());
      args.put("path", text(random));
      s = new Step.ToolCall(step.eventId(), step.sessionId(), step.agentId(), step.occurredAtMillis(),
          "repo.write_file", args, random.nextBoolean() ? id(random) : null);
    }

    // When / Then: the stored fingerprints stay what the class comment's encoding gives
    assertThat(fingerprint.of(s)).isEqualTo(Reference.of(s));
  }

  @Property(tries = 1000)
  void shouldBeTheDigestOfTheDocumentedEncodingWhateverTheCharactersAroundTheCopyThresholds(
      @ForAll Random random) throws Exception {
    // Given a tool call whose fields are runs of ASCII, ISO 8859-1, other BMP and astral
    // characters, its values of lengths around the copy's thresholds (a field of WIDE characters
    // or more is copied in bulk) and the buffer's 8 KiB, several to a call so fields land at any
    // offset in the buffer (ids and names within their limits, up to 79 characters)
    Map<String, String> args = new LinkedHashMap<>();
    int count = random.nextInt(1, 6);
    for (int i = 0; i < count; i++) {
      args.put(mixed(random, random.nextInt(1, 80)), mixed(random, length(random)));
    }
    Step s = new Step.ToolCall(mixed(random, random.nextInt(1, 80)), "s", "a", 0L,
        mixed(random, random.nextInt(1, 80)), args, random.nextBoolean() ? mixed(random, random.nextInt(1, 80)) : null);

    // When / Then
    assertThat(fingerprint.of(s)).isEqualTo(Reference.of(s));
  }

  private static int length(Random r) {
    int[] around = {1, StepFingerprint.WIDE, 8192 - 5, 8192, 2 * 8192};
    int at = around[r.nextInt(around.length)];
    return switch (r.nextInt(3)) {
      case 0 -> r.nextInt(1, 200);
      case 1 -> Math.max(1, at + r.nextInt(-3, 4));
      default -> r.nextInt(1, 3 * 8192);
    };
  }

  /** A text of about {@code length} characters, ASCII mostly, in runs of one alphabet or another. */
  private static String mixed(Random r, int length) {
    String[] alphabets = {"abc/:-_. xyz0189", "\u00e9\u00a0\u00ff\u0080", "\u0100\u20ac\u200b\uffff", "\ud83d\ude00"};
    StringBuilder sb = new StringBuilder(length);
    int pureAscii = r.nextInt(3);
    while (sb.length() < length) {
      String alphabet = pureAscii == 0 ? alphabets[0] : alphabets[r.nextInt(10) < 7 ? 0 : r.nextInt(alphabets.length)];
      int run = r.nextInt(1, 1 + Math.max(1, length / 3));
      for (int i = 0; i < run && sb.length() < length; i++) {
        if (alphabet.length() == 2) {
          sb.append(alphabet); // a surrogate pair, whole
        } else {
          sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
      }
    }
    return sb.toString();
  }

  /** The encoding of {@link StepFingerprint}'s class comment, written out plainly. */
  private static final class Reference {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    static byte[] of(Step step) throws Exception {
      Reference r = new Reference();
      r.out.write("agent-auditor/step-content/1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      r.str(step.type().name());
      r.str(step.eventId());
      r.str(step.sessionId());
      r.str(step.agentId());
      if (step instanceof Step.SessionStarted x) {
        r.str(x.initiator());
        r.list(x.grantedScopes());
        r.opt(x.intent());
      } else if (step instanceof Step.AgentDelegated x) {
        r.str(x.childAgentId());
        r.list(x.scopes());
        r.opt(x.purpose());
      } else if (step instanceof Step.ToolCall x) {
        r.str(x.tool());
        List<String> keys = new ArrayList<>(x.arguments().keySet());
        keys.sort(io.agentauditor.text.Utf8::compare);
        r.out.write('M');
        r.u32(keys.size());
        for (String k : keys) {
          r.str(k);
          r.str(x.arguments().get(k));
        }
        r.opt(x.credentialId());
      } else if (step instanceof Step.CredentialIssued x) {
        r.str(x.credentialId());
        r.str(x.subjectAgentId());
        r.list(x.scopes());
        r.str(x.kind().name());
        if (x.ttlSeconds() == null) {
          r.out.write('N');
        } else {
          r.out.write('I');
          r.u32(x.ttlSeconds());
        }
        r.str(x.storage().name());
      } else if (step instanceof Step.CredentialRevoked x) {
        r.str(x.credentialId());
        r.opt(x.reason());
      } else if (step instanceof Step.ApprovalGranted x) {
        r.str(x.approvalId());
        r.str(x.approver());
        r.list(x.scopes());
        r.out.write('I');
        r.u32(x.ttlSeconds());
      }
      byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(r.out.toByteArray());
      return java.util.Arrays.copyOf(sha, StepFingerprint.LENGTH);
    }

    private void u32(int v) {
      out.write(v >>> 24);
      out.write(v >>> 16);
      out.write(v >>> 8);
      out.write(v);
    }

    private void str(String s) {
      byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.write('S');
      u32(b.length);
      out.writeBytes(b);
    }

    private void opt(String s) {
      if (s == null) {
        out.write('N');
      } else {
        str(s);
      }
    }

    private void list(List<String> xs) {
      out.write('L');
      u32(xs.size());
      xs.forEach(this::str);
    }
  }

  @Property(tries = 300)
  void shouldBlockARepeatWhoseContentDiffersInAnyFieldButKeepRetriesOfTheSame(
      @ForAll("steps") Step step, @ForAll Random random) {
    // Given a decided step (whatever its decision), decisions kept for good: the changed repeat
    // carries a random stamp, and a stamp a day past the first would let retention drop it
    Harness h = new Harness(Policies.withRetention(0));
    var first = h.process(step);
    Changed changed = change(step, random);
    if (changed.field().equals("eventId") || changed.field().equals("sessionId")) {
      return; // another key: not a repeat at all
    }

    // When: a repeat with the content changed, then a re-stamped repeat of the original
    var reuse = h.process(changed.step());
    long later = Math.min(step.occurredAtMillis() + 1, Step.MAX_OCCURRED_AT);
    var retry = h.process(copy(Fields.of(step).restamped(later), random));

    // Then
    assertThat(ruleIds(reuse.decision())).as(changed.field()).containsExactly("event-id-reuse");
    assertThat(reuse.retry()).isFalse();
    assertThat(retry.retry()).isTrue();
    assertThat(retry.decision()).isEqualTo(first.decision());
  }

  // ------------------------------------------------------------------ generation

  /** A step's fields, as one record per step is built from (null where its type has none). */
  record Fields(
      String type,
      String eventId,
      String sessionId,
      String agentId,
      long occurredAt,
      String a,
      String b,
      List<String> scopes,
      String optional,
      Map<String, String> arguments,
      CredentialKind kind,
      Integer ttl,
      CredentialStorage storage) {

    static Fields of(Step s) {
      if (s instanceof Step.SessionStarted x) {
        return new Fields("SESSION_STARTED", x.eventId(), x.sessionId(), x.agentId(), x.occurredAtMillis(),
            x.initiator(), null, x.grantedScopes(), x.intent(), null, null, null, null);
      } else if (s instanceof Step.AgentDelegated x) {
        return new Fields("AGENT_DELEGATED", x.eventId(), x.sessionId(), x.agentId(), x.occurredAtMillis(),
            x.childAgentId(), null, x.scopes(), x.purpose(), null, null, null, null);
      } else if (s instanceof Step.ToolCall x) {
        return new Fields("TOOL_CALL", x.eventId(), x.sessionId(), x.agentId(), x.occurredAtMillis(),
            x.tool(), null, null, x.credentialId(), x.arguments(), null, null, null);
      } else if (s instanceof Step.CredentialIssued x) {
        return new Fields("CREDENTIAL_ISSUED", x.eventId(), x.sessionId(), x.agentId(), x.occurredAtMillis(),
            x.credentialId(), x.subjectAgentId(), x.scopes(), null, null, x.kind(), x.ttlSeconds(), x.storage());
      } else if (s instanceof Step.CredentialRevoked x) {
        return new Fields("CREDENTIAL_REVOKED", x.eventId(), x.sessionId(), x.agentId(), x.occurredAtMillis(),
            x.credentialId(), null, null, x.reason(), null, null, null, null);
      } else if (s instanceof Step.ApprovalGranted x) {
        return new Fields("APPROVAL_GRANTED", x.eventId(), x.sessionId(), x.agentId(), x.occurredAtMillis(),
            x.approvalId(), x.approver(), x.scopes(), null, null, null, x.ttlSeconds(), null);
      }
      return new Fields("SESSION_ENDED", s.eventId(), s.sessionId(), s.agentId(), s.occurredAtMillis(),
          null, null, null, null, null, null, null, null);
    }

    Fields restamped(long t) {
      return new Fields(type, eventId, sessionId, agentId, t, a, b, scopes, optional, arguments, kind, ttl,
          storage);
    }
  }

  /** Builds the step of {@code f}, its arguments inserted in a random order. */
  private static Step copy(Fields f, Random r) {
    return switch (f.type()) {
      case "SESSION_STARTED" -> new Step.SessionStarted(f.eventId(), f.sessionId(), f.agentId(), f.occurredAt(),
          f.a(), f.scopes(), f.optional());
      case "AGENT_DELEGATED" -> new Step.AgentDelegated(f.eventId(), f.sessionId(), f.agentId(), f.occurredAt(),
          f.a(), f.scopes(), f.optional());
      case "TOOL_CALL" -> new Step.ToolCall(f.eventId(), f.sessionId(), f.agentId(), f.occurredAt(), f.a(),
          shuffled(f.arguments(), r), f.optional());
      case "CREDENTIAL_ISSUED" -> new Step.CredentialIssued(f.eventId(), f.sessionId(), f.agentId(),
          f.occurredAt(), f.a(), f.b(), f.scopes(), f.kind(), f.ttl(), f.storage());
      case "CREDENTIAL_REVOKED" -> new Step.CredentialRevoked(f.eventId(), f.sessionId(), f.agentId(),
          f.occurredAt(), f.a(), f.optional());
      case "APPROVAL_GRANTED" -> new Step.ApprovalGranted(f.eventId(), f.sessionId(), f.agentId(),
          f.occurredAt(), f.a(), f.b(), f.scopes(), f.ttl());
      default -> new Step.SessionEnded(f.eventId(), f.sessionId(), f.agentId(), f.occurredAt());
    };
  }

  private static Map<String, String> shuffled(Map<String, String> m, Random r) {
    List<Map.Entry<String, String>> entries = new ArrayList<>(m.entrySet());
    Collections.shuffle(entries, r);
    Map<String, String> out = new LinkedHashMap<>();
    entries.forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  record Changed(String field, Step step) {}

  /** {@code step} with one content field changed (and a random stamp). */
  private static Changed change(Step step, Random r) {
    Fields f = Fields.of(step).restamped(r.nextLong(Step.MIN_OCCURRED_AT, Step.MAX_OCCURRED_AT));
    List<String> candidates = new ArrayList<>(List.of("eventId", "sessionId", "agentId", "type"));
    if (f.a() != null) {
      candidates.add("a");
    }
    if (f.b() != null) {
      candidates.add("b");
    }
    if (f.scopes() != null) {
      candidates.add("scopes");
    }
    if (f.type().equals("SESSION_STARTED") || f.type().equals("AGENT_DELEGATED")
        || f.type().equals("TOOL_CALL") || f.type().equals("CREDENTIAL_REVOKED")) {
      candidates.add("optional");
    }
    if (f.arguments() != null) {
      candidates.add("arguments");
    }
    if (f.kind() != null) {
      candidates.add("kind");
      candidates.add("storage");
    }
    if (f.type().equals("CREDENTIAL_ISSUED") || f.type().equals("APPROVAL_GRANTED")) {
      candidates.add("ttl");
    }
    if (f.a() != null && (f.b() != null || f.optional() != null)) {
      candidates.add("boundary");
    }
    String field = candidates.get(r.nextInt(candidates.size()));
    Fields g = switch (field) {
      case "eventId" -> with(f, "eventId", other(f.eventId(), r));
      case "sessionId" -> with(f, "sessionId", other(f.sessionId(), r));
      case "agentId" -> with(f, "agentId", other(f.agentId(), r));
      case "a" -> with(f, "a", other(f.a(), r));
      case "b" -> with(f, "b", other(f.b(), r));
      case "optional" -> with(f, "optional", f.optional() == null
          ? (f.type().equals("TOOL_CALL") ? id(r) : r.nextBoolean() ? "" : text(r)) // credentialId: an id
          : r.nextBoolean() ? null : other(f.optional(), r));
      case "scopes" -> withScopes(f, otherScopes(f.scopes(), r));
      case "arguments" -> withArguments(f, otherArguments(f.arguments(), r));
      case "kind" -> withEnums(f, CredentialKind.values()[(f.kind().ordinal() + 1 + r.nextInt(6)) % 7], f.storage());
      case "storage" -> withEnums(f, f.kind(), CredentialStorage.values()[(f.storage().ordinal() + 1 + r.nextInt(6)) % 7]);
      case "ttl" -> withTtl(f, otherTtl(f, r));
      case "boundary" -> shiftBoundary(f);
      default -> null; // "type": handled below
    };
    if (g == null) {
      return new Changed("type", otherType(f, r));
    }
    return new Changed(field, copy(g, r));
  }

  /** Moves the last character of field a into the next string field: the same bytes, split elsewhere. */
  private static Fields shiftBoundary(Fields f) {
    String a = f.a();
    if (a.codePointCount(0, a.length()) < 2) {
      return with(f, "a", a + "x");
    }
    int cut = a.offsetByCodePoints(a.length(), -1);
    String moved = a.substring(cut);
    Fields g = with(f, "a", a.substring(0, cut));
    return f.b() != null ? with(g, "b", moved + f.b()) : with(g, "optional", moved + f.optional());
  }

  private static Step otherType(Fields f, Random r) {
    // A step of another type with the same common fields (and what it can share).
    String[] types = {
      "SESSION_STARTED", "AGENT_DELEGATED", "TOOL_CALL", "CREDENTIAL_ISSUED", "CREDENTIAL_REVOKED",
      "APPROVAL_GRANTED", "SESSION_ENDED"
    };
    String type;
    do {
      type = types[r.nextInt(types.length)];
    } while (type.equals(f.type()));
    Fields g = new Fields(type, f.eventId(), f.sessionId(), f.agentId(), f.occurredAt(),
        f.a() != null && !f.a().isEmpty() ? f.a() : "x", f.b() != null && !f.b().isEmpty() ? f.b() : "y", f.scopes() != null ? f.scopes() : List.of(),
        type.equals("TOOL_CALL") && "".equals(f.optional()) ? null : f.optional(),
        f.arguments() != null ? f.arguments() : Map.of(),
        CredentialKind.API_KEY, f.ttl() != null ? Math.max(1, f.ttl()) : 60, CredentialStorage.MEMORY);
    return copy(g, r);
  }

  private static Fields with(Fields f, String which, String v) {
    return new Fields(f.type(),
        which.equals("eventId") ? v : f.eventId(),
        which.equals("sessionId") ? v : f.sessionId(),
        which.equals("agentId") ? v : f.agentId(),
        f.occurredAt(),
        which.equals("a") ? v : f.a(),
        which.equals("b") ? v : f.b(),
        f.scopes(),
        which.equals("optional") ? v : f.optional(),
        f.arguments(), f.kind(), f.ttl(), f.storage());
  }

  private static Fields withScopes(Fields f, List<String> scopes) {
    return new Fields(f.type(), f.eventId(), f.sessionId(), f.agentId(), f.occurredAt(), f.a(), f.b(), scopes,
        f.optional(), f.arguments(), f.kind(), f.ttl(), f.storage());
  }

  private static Fields withArguments(Fields f, Map<String, String> args) {
    return new Fields(f.type(), f.eventId(), f.sessionId(), f.agentId(), f.occurredAt(), f.a(), f.b(), f.scopes(),
        f.optional(), args, f.kind(), f.ttl(), f.storage());
  }

  private static Fields withEnums(Fields f, CredentialKind kind, CredentialStorage storage) {
    return new Fields(f.type(), f.eventId(), f.sessionId(), f.agentId(), f.occurredAt(), f.a(), f.b(), f.scopes(),
        f.optional(), f.arguments(), kind, f.ttl(), storage);
  }

  private static Fields withTtl(Fields f, Integer ttl) {
    return new Fields(f.type(), f.eventId(), f.sessionId(), f.agentId(), f.occurredAt(), f.a(), f.b(), f.scopes(),
        f.optional(), f.arguments(), f.kind(), ttl, f.storage());
  }

  private static Integer otherTtl(Fields f, Random r) {
    boolean nullable = f.type().equals("CREDENTIAL_ISSUED");
    if (nullable && f.ttl() != null && r.nextBoolean()) {
      return null;
    }
    int base = f.ttl() == null ? 0 : f.ttl();
    return base == Integer.MAX_VALUE ? base - 1 : base + 1;
  }

  private static String other(String s, Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> s + "x";
      case 1 -> s.codePointCount(0, s.length()) > 1 ? s.substring(s.offsetByCodePoints(0, 1)) : s + "y";
      case 2 -> s.toUpperCase().equals(s) ? s + "\u00e9" : s.toUpperCase(); // case is content
      default -> s + " "; // so is white space
    };
  }

  private static List<String> otherScopes(List<String> scopes, Random r) {
    List<String> out = new ArrayList<>(scopes);
    if (out.size() >= 2 && r.nextBoolean()) {
      String first = out.get(0);
      int j = 1 + r.nextInt(out.size() - 1);
      if (!first.equals(out.get(j))) {
        Collections.swap(out, 0, j); // lists compare in order
        return out;
      }
    }
    if (!out.isEmpty() && r.nextBoolean()) {
      out.remove(r.nextInt(out.size()));
    } else {
      out.add(scope(r));
    }
    return out;
  }

  private static Map<String, String> otherArguments(Map<String, String> args, Random r) {
    Map<String, String> out = new LinkedHashMap<>(args);
    List<String> names = new ArrayList<>(args.keySet());
    switch (names.isEmpty() ? 0 : r.nextInt(4)) {
      case 0 -> out.put("n" + names.size() + "_" + r.nextInt(100), text(r));
      case 1 -> out.remove(names.get(r.nextInt(names.size())));
      case 2 -> {
        String k = names.get(r.nextInt(names.size()));
        out.put(k, other(out.get(k), r));
      }
      default -> {
        String k = names.get(r.nextInt(names.size()));
        String v = out.remove(k);
        out.put(other(k, r), v); // the same value under another name
      }
    }
    return out;
  }

  @Provide
  Arbitrary<Step> steps() {
    return Arbitraries.randomValue(StepFingerprintPropertyTest::step);
  }

  static Step step(Random r) {
    String eventId = id(r);
    String sessionId = id(r);
    String agentId = id(r);
    long t = r.nextLong(Step.MIN_OCCURRED_AT, Step.MAX_OCCURRED_AT);
    return switch (r.nextInt(7)) {
      case 0 -> new Step.SessionStarted(eventId, sessionId, agentId, t, text(r), scopes(r), optional(r));
      case 1 -> new Step.AgentDelegated(eventId, sessionId, agentId, t, id(r), scopes(r), optional(r));
      case 2 -> new Step.ToolCall(eventId, sessionId, agentId, t, text(r), arguments(r), r.nextBoolean() ? id(r) : null);
      case 3 -> new Step.CredentialIssued(eventId, sessionId, agentId, t, id(r), id(r), scopes(r),
          CredentialKind.values()[r.nextInt(7)], r.nextInt(4) == 0 ? null : r.nextInt(0, Integer.MAX_VALUE),
          CredentialStorage.values()[r.nextInt(7)]);
      case 4 -> new Step.CredentialRevoked(eventId, sessionId, agentId, t, id(r), optional(r));
      case 5 -> new Step.ApprovalGranted(eventId, sessionId, agentId, t, id(r), text(r), scopes(r),
          r.nextInt(1, Integer.MAX_VALUE));
      default -> new Step.SessionEnded(eventId, sessionId, agentId, t);
    };
  }

  private static final String CHARS = "ab:/-_ZAé\u00a0\u200b😀";

  static String text(Random r) {
    int n = r.nextInt(6);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int at = r.nextInt(CHARS.length() - 1);
      if (Character.isHighSurrogate(CHARS.charAt(at))) {
        sb.append(CHARS, at, at + 2);
      } else if (Character.isLowSurrogate(CHARS.charAt(at))) {
        sb.append(CHARS, at - 1, at + 1);
      } else {
        sb.append(CHARS.charAt(at));
      }
    }
    return sb.toString();
  }

  static String id(Random r) {
    return "i" + text(r);
  }

  private static String optional(Random r) {
    return switch (r.nextInt(3)) {
      case 0 -> null;
      case 1 -> "";
      default -> text(r);
    };
  }

  private static String scope(Random r) {
    String[] actions = {"read", "write", "admin", "*"};
    String[] resources = {"repo/**", "repo/acme/*", "deploy/prod/api", "A/b.c", "x"};
    return actions[r.nextInt(actions.length)] + ":" + resources[r.nextInt(resources.length)];
  }

  private static List<String> scopes(Random r) {
    int n = r.nextInt(4);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(scope(r));
    }
    return out;
  }

  private static Map<String, String> arguments(Random r) {
    int n = r.nextInt(4);
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      out.put(text(r), text(r));
    }
    return out;
  }
}
