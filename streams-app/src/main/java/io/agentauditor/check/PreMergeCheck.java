package io.agentauditor.check;

import io.agentauditor.engine.ArgumentScanner;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Verdict;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.policy.Waiver;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The pre-merge gate over files (contract section 13): each text file's content is scanned as the
 * value of one argument by the engine's own {@link ArgumentScanner#locate}, so the gate finds what
 * the runtime finds; each match becomes a {@link Finding} under the rule of its {@link
 * StorageLocation}, with that rule's severity, action and references from the bundle. A rule the
 * bundle disables reports nothing. A finding that one of the bundle's unexpired waivers names (file,
 * rule, fingerprint) is reported as waived and does not fail the check; expired waivers waive
 * nothing and are listed by {@link #expiredWaivers()}. Not thread-safe (the scanner isn't).
 */
public final class PreMergeCheck {

  /** Characters of a match an excerpt shows. */
  static final int EXCERPT_CHARS = 4;

  private final Policy policy;
  private final ArgumentScanner scanner;
  private final List<Finding> findings = new ArrayList<>();
  private final RepositoryFiles.Skipped skipped = new RepositoryFiles.Skipped();
  private final Map<String, Waiver> waivers = new HashMap<>();
  private final List<Waiver> expiredWaivers = new ArrayList<>();
  private int files;
  private long bytes;

  /** A check on today's date (UTC), for which waivers have expired. */
  public PreMergeCheck(Policy policy) {
    this(policy, LocalDate.now(ZoneOffset.UTC));
  }

  /**
   * @param policy the loaded bundle; not null
   * @param today the date waivers' expiry is compared with; not null
   */
  public PreMergeCheck(Policy policy, LocalDate today) {
    this.policy = policy;
    this.scanner = new ArgumentScanner(policy);
    for (Waiver w : policy.waivers()) {
      if (w.expiredOn(today)) {
        expiredWaivers.add(w);
      } else {
        waivers.put(waiverKey(w.file(), w.rule(), w.fingerprint()), w);
      }
    }
  }

  private static String waiverKey(String file, String rule, String fingerprint) {
    return file + "\0" + rule + "\0" + fingerprint;
  }

  /**
   * The unexpired waiver of a finding, or null: one naming its rule, its fingerprint and its file
   * as reported (a leading {@code ./} left out) or as it sits in the scanned directory.
   */
  private Waiver waiver(String shown, String relative, String rule, String fingerprint) {
    if (waivers.isEmpty()) {
      return null;
    }
    String file = shown;
    while (file.startsWith("./")) {
      file = file.substring(2);
    }
    Waiver w = waivers.get(waiverKey(file, rule, fingerprint));
    return w != null ? w : waivers.get(waiverKey(relative, rule, fingerprint));
  }

  /**
   * Scans a file or directory tree ({@link RepositoryFiles#walk}).
   *
   * @throws java.io.UncheckedIOException when it can't be read
   */
  public void scan(Path path) {
    boolean directory = java.nio.file.Files.isDirectory(path);
    RepositoryFiles.walk(
        path,
        skipped,
        file -> {
          String shown =
              directory
                  ? path.resolve(file.relative()).toString().replace('\\', '/')
                  : file.relative();
          scan(shown, file.relative(), file.content());
        });
  }

  /**
   * Scans one text.
   *
   * @param shown the file as reported
   * @param relative its path in its tree, which decides its {@link StorageLocation}
   */
  public void scan(String shown, String relative, String content) {
    scan(shown, relative, content, null);
  }

  /**
   * Scans the lines a change adds to one file ({@code --diff}): they are joined into one text, so a
   * match is found within added lines only, and reported at its line in the file.
   */
  public void scanAdded(String shown, String relative, List<GitDiff.AddedLine> added) {
    StringBuilder text = new StringBuilder();
    int[] lines = new int[added.size()];
    for (int i = 0; i < added.size(); i++) {
      text.append(i == 0 ? "" : "\n").append(added.get(i).text());
      lines[i] = added.get(i).line();
    }
    scan(shown, relative, text.toString(), lines);
  }

  /** @param lineNumbers the line in the file of each line of {@code content}; null: the same */
  private void scan(String shown, String relative, String content, int[] lineNumbers) {
    files++;
    bytes += content.length();
    StorageLocation location = StorageLocation.of(relative);
    ArgumentScanner.Located located = scanner.locate(content);
    if (located.matches().isEmpty()) {
      return;
    }
    int[] givenLines = lineStarts(content);
    int[] normalisedLines =
        located.normalised() == content ? givenLines : lineStarts(located.normalised());
    for (ArgumentScanner.Match m : located.matches()) {
      BuiltinRule rule = location.rule(m.code());
      RuleSettings settings = policy.builtins().get(rule);
      if (settings == null || !settings.enabled()) {
        continue;
      }
      int[] starts = m.form() == ArgumentScanner.Form.GIVEN ? givenLines : normalisedLines;
      int lineIndex = lineOf(starts, m.start());
      String fingerprint = fingerprint(rule.id(), m.patternId(), m.matched());
      findings.add(
          new Finding(
              shown,
              lineNumbers == null || lineIndex >= lineNumbers.length
                  ? lineIndex + 1
                  : lineNumbers[lineIndex],
              m.start() - starts[lineIndex] + 1,
              rule.id(),
              m.patternId(),
              switch (m.form()) {
                case GIVEN -> "given";
                case NORMALISED -> "normalised";
                case DECODED -> "base64";
              },
              settings.severity(),
              settings.action() == Verdict.BLOCK && settings.mode() == RuleMode.ENFORCE,
              settings.references(),
              location,
              mask(m.matched()),
              fingerprint,
              waiver(shown, relative, rule.id(), fingerprint)));
    }
  }

  /** The findings so far, in scan order (files in name order, each by position). */
  public List<Finding> findings() {
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort(
        java.util.Comparator.comparing(Finding::file)
            .thenComparingInt(Finding::line)
            .thenComparingInt(Finding::column)
            .thenComparing(Finding::ruleId)
            .thenComparing(Finding::patternId));
    return sorted;
  }

  public RepositoryFiles.Skipped skipped() {
    return skipped;
  }

  /** Text files read. */
  public int files() {
    return files;
  }

  /** Characters read. */
  public long characters() {
    return bytes;
  }

  /** Whether any finding fails the check: at BLOCK level and not waived. */
  public boolean blocks() {
    return findings.stream().anyMatch(Finding::failing);
  }

  /** The bundle's waivers that have expired, in bundle order: they waive nothing. */
  public List<Waiver> expiredWaivers() {
    return List.copyOf(expiredWaivers);
  }

  /** The first {@value #EXCERPT_CHARS} characters and an ellipsis: never the secret itself. */
  static String mask(String matched) {
    int n = Math.min(EXCERPT_CHARS, matched.length() / 2);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      char c = matched.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    return sb.append('\u2026').toString();
  }

  /**
   * The first 16 bytes of SHA-256 over rule, pattern and matched text, in hex: the same secret gives
   * the same fingerprint wherever it moves in the file. It would confirm a guessed secret, which
   * the patterns' tokens and keys are too long and random to be guessed for.
   */
  static String fingerprint(String ruleId, String patternId, String matched) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] h = d.digest((ruleId + "\0" + patternId + "\0" + matched).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(Arrays.copyOf(h, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static int[] lineStarts(String text) {
    int count = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        count++;
      }
    }
    int[] starts = new int[count];
    int k = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts[k++] = i + 1;
      }
    }
    return starts;
  }

  private static int lineOf(int[] starts, int offset) {
    int i = Arrays.binarySearch(starts, offset);
    return i >= 0 ? i : -i - 2;
  }
}
