package io.agentauditor.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.agentauditor.model.Scope;
import io.agentauditor.model.ScopeSyntaxException;
import io.agentauditor.policy.BundleYaml.Entry;
import io.agentauditor.policy.BundleYaml.Item;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Loads a policy bundle directory (format: {@code policies/README.md}) into a {@link Policy}.
 *
 * <p>The whole bundle is validated before anything is returned: every problem found in the manifest
 * and every included file is collected, and the bundle is rejected with one {@link
 * PolicyLoadException} listing them all as {@code file:line: message}. There is no partial result.
 *
 * <p>The digest is SHA-256 over the manifest and every included file, in the order of their
 * relative paths (sorted, {@code /}-separated), each as {@code path NUL length NUL bytes} with the
 * length in decimal ASCII. Files the manifest does not load (README, test cases, extras not
 * included) are not part of it.
 */
public final class PolicyBundleLoader {

  /** The manifest's file name, at the root of the bundle directory. */
  public static final String MANIFEST = "bundle.yaml";

  private static final Logger LOGGER = LoggerFactory.getLogger(PolicyBundleLoader.class);

  private static final Set<String> MANIFEST_KEYS =
      keys("name", "version", "description", "include");
  private static final Set<String> SECTIONS =
      keys(
          "settings", "lattice", "tools", "secretPatterns", "codePatterns", "rules", "customRules");
  private static final Set<String> SETTINGS_KEYS =
      keys(
          "maxDelegationDepth",
          "maxCredentialTtlSeconds",
          "forbiddenStorage",
          "staticKinds",
          "sensitiveScopes",
          "fanOut",
          "sessionIdleTimeoutSeconds",
          "sessionRetentionSeconds");
  private static final Set<String> FAN_OUT_KEYS = keys("max", "windowSeconds");
  private static final Set<String> TOOL_KEYS = keys("description", "requiredScopes", "sink");
  private static final Set<String> PATTERN_KEYS = keys("id", "description", "regex", "unless", "keywords");
  private static final Set<String> RULE_KEYS =
      keys("id", "enabled", "action", "mode", "severity", "references");
  private static final Set<String> CUSTOM_RULE_KEYS =
      keys(
          "id", "description", "expression", "enabled", "action", "mode", "severity", "references");

  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
  private static final java.util.regex.Pattern VERSION =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final java.util.regex.Pattern ID =
      java.util.regex.Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final java.util.regex.Pattern PLACEHOLDER =
      java.util.regex.Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)\\}");
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

  private static final List<String> ACTIONS = List.of("BLOCK", "FLAG");
  private static final List<String> MODES = List.of("enforce", "shadow");
  private static final List<String> SEVERITIES =
      List.of("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL");
  private static final List<String> STORAGES =
      names(CredentialStorage.values(), Set.of("UNRECOGNIZED"));
  private static final List<String> KINDS = names(CredentialKind.values(), Set.of("UNRECOGNIZED"));

  private final Path dir;
  private final List<PolicyError> errors = new ArrayList<>();
  private final Map<String, byte[]> loadedFiles = new TreeMap<>();
  private boolean someFileUnreadable;
  private int includeLine = 1;

  private String name;
  private String version;
  private final Map<String, String> settingDefinedAt = new HashMap<>();
  private final PolicySettings defaults = PolicySettings.defaults();
  private Integer maxDelegationDepth;
  private Long maxCredentialTtlSeconds;
  private Set<CredentialStorage> forbiddenStorage;
  private Set<CredentialKind> staticKinds;
  private List<Scope> sensitiveScopes;
  private Integer fanOutMax;
  private Long fanOutWindowSeconds;
  private Long sessionIdleTimeoutSeconds;
  private Long sessionRetentionSeconds;
  private String latticeDefinedAt;
  private ActionLattice lattice;
  private final Map<String, ToolSpec> tools = new LinkedHashMap<>();
  private final Map<String, String> toolDefinedAt = new HashMap<>();
  private final List<NamedPattern> secretPatterns = new ArrayList<>();
  private final List<NamedPattern> codePatterns = new ArrayList<>();
  private final Map<String, String> patternDefinedAt = new HashMap<>();
  private final Map<BuiltinRule, RuleSettings> builtins = new EnumMap<>(BuiltinRule.class);
  private final List<CustomRule> customRules = new ArrayList<>();
  private final Map<String, String> ruleDefinedAt = new HashMap<>();

  private PolicyBundleLoader(Path dir) {
    this.dir = dir;
  }

  /**
   * Loads and validates the bundle in {@code dir}.
   *
   * @return the policy, never null
   * @throws PolicyLoadException when anything in the bundle is wrong, listing every error
   */
  public static Policy load(Path dir) {
    Policy policy = new PolicyBundleLoader(dir).run();
    LOGGER.info("loaded policy bundle {} from {}", policy.identity(), dir);
    return policy;
  }

  private Policy run() {
    if (!Files.isDirectory(dir)) {
      errors.add(new PolicyError(MANIFEST, 1, "bundle directory " + dir + " does not exist"));
      throw rejected();
    }
    List<Item> includes = readManifest();
    if (includes == null) {
      throw rejected();
    }
    for (Item include : includes) {
      readBundleFile(include.value());
    }
    checkEveryBuiltinConfigured();
    if (!errors.isEmpty()) {
      throw rejected();
    }
    return new Policy(
        name,
        version,
        digest(loadedFiles),
        settings(),
        lattice != null ? lattice : ActionLattice.defaults(),
        tools,
        secretPatterns,
        codePatterns,
        builtins,
        customRules);
  }

  private PolicyLoadException rejected() {
    return new PolicyLoadException(dir, errors);
  }

  // ---------------------------------------------------------------- manifest

  /** The valid include items, or null when the manifest can't be used at all. */
  private List<Item> readManifest() {
    BundleYaml yaml = new BundleYaml(MANIFEST, errors);
    Path path = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(path)) {
      yaml.error(1, "manifest " + MANIFEST + " not found in " + dir);
      return null;
    }
    Node root = read(yaml, path);
    if (root == null) {
      return null;
    }
    Map<String, Entry> f = yaml.fields(root, "manifest", MANIFEST_KEYS);
    if (f == null) {
      return null;
    }
    yaml.require(root, f, "manifest", "name", "version");
    if (f.containsKey("name")) {
      name = checked(yaml, f.get("name").value(), "name", NAME);
    }
    if (f.containsKey("version")) {
      version = checked(yaml, f.get("version").value(), "version", VERSION);
    }
    if (f.containsKey("description")) {
      yaml.string(f.get("description").value(), "description");
    }
    List<Item> valid = new ArrayList<>();
    if (!f.containsKey("include")) {
      return valid;
    }
    includeLine = BundleYaml.line(f.get("include").key());
    List<Item> items = yaml.strings(f.get("include").value(), "include");
    if (items == null) {
      return valid;
    }
    Set<String> seen = new LinkedHashSet<>();
    for (Item item : items) {
      String rel = item.value();
      String problem = includeProblem(rel);
      if (problem != null) {
        yaml.error(item.node(), "include '" + rel + "': " + problem);
        someFileUnreadable = true;
      } else if (!seen.add(rel)) {
        yaml.error(item.node(), "include '" + rel + "': included twice");
      } else if (!Files.isRegularFile(dir.resolve(rel))) {
        yaml.error(item.node(), "include '" + rel + "': no such file in the bundle");
        someFileUnreadable = true;
      } else if (!insideBundle(rel)) {
        // A link may point anywhere; one that stays inside (a mounted ConfigMap's) is fine.
        yaml.error(item.node(), "include '" + rel + "': a link to a file outside the bundle directory");
        someFileUnreadable = true;
      } else {
        valid.add(item);
      }
    }
    return valid;
  }

  /** Whether {@code rel}, links resolved, is a file inside the bundle directory. */
  private boolean insideBundle(String rel) {
    try {
      return dir.resolve(rel).toRealPath().startsWith(dir.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  private static String checked(
      BundleYaml yaml, Node node, String what, java.util.regex.Pattern p) {
    String s = yaml.nonEmpty(node, what);
    if (s != null && !p.matcher(s).matches()) {
      yaml.error(node, what + " '" + s + "' must match " + p.pattern());
      return null;
    }
    return s;
  }

  private static String includeProblem(String rel) {
    if (rel.startsWith("/") || rel.contains("\\") || rel.matches("^[A-Za-z]:.*")) {
      return "must be a path relative to the bundle directory, with / separators";
    }
    for (String seg : rel.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        return "must not contain empty, '.' or '..' segments";
      }
    }
    if (!rel.endsWith(".yaml") && !rel.endsWith(".yml")) {
      return "must be a .yaml or .yml file";
    }
    if (rel.equals(MANIFEST)) {
      return "the manifest can't include itself";
    }
    return null;
  }

  /** Reads, decodes and parses a file, remembering its bytes for the digest. */
  private Node read(BundleYaml yaml, Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      someFileUnreadable = true;
      yaml.error(1, "can't read file: " + e.getMessage());
      return null;
    }
    loadedFiles.put(yaml.file(), bytes);
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      someFileUnreadable = true;
      yaml.error(1, "file is not valid UTF-8");
      return null;
    }
    Node root = yaml.parse(text);
    if (root == null) {
      someFileUnreadable = true;
    }
    return root;
  }

  // ---------------------------------------------------------------- bundle files

  private void readBundleFile(String rel) {
    BundleYaml yaml = new BundleYaml(rel, errors);
    Node root = read(yaml, dir.resolve(rel));
    if (root == null) {
      return;
    }
    Map<String, Entry> sections = yaml.fields(root, "bundle file", SECTIONS);
    if (sections == null) {
      someFileUnreadable = true;
      return;
    }
    if (sections.isEmpty() && !BundleYaml.isNull(root)) {
      yaml.error(root, "file defines none of the sections " + String.join(", ", SECTIONS));
    }
    for (Map.Entry<String, Entry> s : sections.entrySet()) {
      Node value = s.getValue().value();
      switch (s.getKey()) {
        case "settings" -> readSettings(yaml, value);
        case "lattice" -> readLattice(yaml, s.getValue());
        case "tools" -> readTools(yaml, value);
        case "secretPatterns" -> readPatterns(yaml, value, "secretPatterns", secretPatterns);
        case "codePatterns" -> readPatterns(yaml, value, "codePatterns", codePatterns);
        case "rules" -> readRules(yaml, value);
        case "customRules" -> readCustomRules(yaml, value);
        default -> throw new IllegalStateException("unhandled section " + s.getKey());
      }
    }
  }

  // ---------------------------------------------------------------- settings

  private void readSettings(BundleYaml yaml, Node node) {
    Map<String, Entry> f = yaml.fields(node, "settings", SETTINGS_KEYS);
    if (f == null) {
      return;
    }
    for (Map.Entry<String, Entry> e : f.entrySet()) {
      String key = e.getKey();
      Node v = e.getValue().value();
      String earlier = settingDefinedAt.putIfAbsent(key, yaml.where(e.getValue().key()));
      if (earlier != null) {
        yaml.error(e.getValue().key(), "setting '" + key + "' is already set at " + earlier);
        continue;
      }
      String what = "settings." + key;
      switch (key) {
        case "maxDelegationDepth" -> maxDelegationDepth = toInt(yaml.integer(v, what, 0, 1000));
        case "maxCredentialTtlSeconds" ->
            maxCredentialTtlSeconds = yaml.integer(v, what, 0, Integer.MAX_VALUE);
        case "forbiddenStorage" ->
            forbiddenStorage = enumSet(yaml, v, what, STORAGES, CredentialStorage.class);
        case "staticKinds" -> staticKinds = enumSet(yaml, v, what, KINDS, CredentialKind.class);
        case "sensitiveScopes" -> sensitiveScopes = scopes(yaml, v, what);
        case "fanOut" -> readFanOut(yaml, v);
        case "sessionIdleTimeoutSeconds" ->
            sessionIdleTimeoutSeconds = yaml.integer(v, what, 1, Integer.MAX_VALUE);
        case "sessionRetentionSeconds" ->
            sessionRetentionSeconds = yaml.integer(v, what, 0, Long.MAX_VALUE / 1000);
        default -> throw new IllegalStateException("unhandled setting " + key);
      }
    }
  }

  private void readFanOut(BundleYaml yaml, Node node) {
    Map<String, Entry> f = yaml.fields(node, "settings.fanOut", FAN_OUT_KEYS);
    if (f == null) {
      return;
    }
    if (f.containsKey("max")) {
      fanOutMax = toInt(yaml.integer(f.get("max").value(), "settings.fanOut.max", 1, 1_000_000));
    }
    if (f.containsKey("windowSeconds")) {
      fanOutWindowSeconds =
          yaml.integer(f.get("windowSeconds").value(), "settings.fanOut.windowSeconds", 1, 86_400);
    }
  }

  private static Integer toInt(Long v) {
    return v == null ? null : Math.toIntExact(v);
  }

  private static <E extends Enum<E>> Set<E> enumSet(
      BundleYaml yaml, Node node, String what, List<String> allowed, Class<E> type) {
    List<Node> items = yaml.list(node, what);
    if (items == null) {
      return null;
    }
    Set<E> out = EnumSet.noneOf(type);
    for (Node n : items) {
      String s = yaml.oneOf(n, what + " item", allowed);
      if (s != null && !out.add(Enum.valueOf(type, s))) {
        yaml.error(n, what + ": '" + s + "' is listed twice");
      }
    }
    return out;
  }

  private static List<Scope> scopes(BundleYaml yaml, Node node, String what) {
    List<Item> items = yaml.strings(node, what);
    if (items == null) {
      return null;
    }
    List<Scope> out = new ArrayList<>();
    for (Item item : items) {
      try {
        out.add(Scope.parse(item.value()));
      } catch (ScopeSyntaxException e) {
        yaml.error(item.node(), what + ": " + e.getMessage());
      }
    }
    return out;
  }

  private PolicySettings settings() {
    return new PolicySettings(
        or(maxDelegationDepth, defaults.maxDelegationDepth()),
        or(maxCredentialTtlSeconds, defaults.maxCredentialTtlSeconds()),
        or(forbiddenStorage, defaults.forbiddenStorage()),
        or(staticKinds, defaults.staticKinds()),
        or(sensitiveScopes, defaults.sensitiveScopes()),
        or(fanOutMax, defaults.fanOutMax()),
        or(fanOutWindowSeconds, defaults.fanOutWindowSeconds()),
        or(sessionIdleTimeoutSeconds, defaults.sessionIdleTimeoutSeconds()),
        or(sessionRetentionSeconds, defaults.sessionRetentionSeconds()));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }

  // ---------------------------------------------------------------- lattice

  private void readLattice(BundleYaml yaml, Entry section) {
    if (latticeDefinedAt != null) {
      yaml.error(section.key(), "lattice is already defined at " + latticeDefinedAt);
      return;
    }
    latticeDefinedAt = yaml.where(section.key());
    Map<String, Entry> entries = yaml.entries(section.value(), "lattice");
    if (entries == null) {
      return;
    }
    Map<String, List<String>> implications = new LinkedHashMap<>();
    boolean ok = true;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (!isLatticeAction(e.getKey())) {
        yaml.error(
            e.getValue().key(),
            "lattice: '" + e.getKey() + "' is not an action ([a-z][a-z0-9_-]*)");
        ok = false;
      }
      List<Item> implied = yaml.strings(e.getValue().value(), "lattice." + e.getKey());
      if (implied == null) {
        ok = false;
        continue;
      }
      List<String> actions = new ArrayList<>();
      for (Item i : implied) {
        if (!isLatticeAction(i.value())) {
          yaml.error(
              i.node(),
              "lattice."
                  + e.getKey()
                  + ": '"
                  + i.value()
                  + "' is not an action ([a-z][a-z0-9_-]*)");
          ok = false;
        } else {
          actions.add(i.value());
        }
      }
      implications.put(e.getKey(), actions);
    }
    if (!ok) {
      return;
    }
    try {
      lattice = new ActionLattice(implications);
    } catch (IllegalArgumentException e) {
      yaml.error(section.key(), "lattice: " + e.getMessage());
    }
  }

  private static boolean isLatticeAction(String a) {
    return !a.equals(Scope.ANY) && Scope.isAction(a);
  }

  // ---------------------------------------------------------------- tools

  private void readTools(BundleYaml yaml, Node node) {
    Map<String, Entry> entries = yaml.entries(node, "tools");
    if (entries == null) {
      return;
    }
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      String tool = e.getKey();
      Node keyNode = e.getValue().key();
      String what = "tool '" + tool + "'";
      boolean ok = true;
      if (tool.chars().anyMatch(Character::isWhitespace)) {
        yaml.error(keyNode, what + ": a tool name has no whitespace");
        ok = false;
      }
      String earlier = toolDefinedAt.putIfAbsent(tool, yaml.where(keyNode));
      if (earlier != null) {
        yaml.error(keyNode, what + " is already defined at " + earlier);
        ok = false;
      }
      Map<String, Entry> f = yaml.fields(e.getValue().value(), what, TOOL_KEYS);
      if (f == null) {
        continue;
      }
      if (!yaml.require(e.getValue().value(), f, what, "requiredScopes")) {
        ok = false;
      }
      if (f.containsKey("description")) {
        yaml.string(f.get("description").value(), what + " description");
      }
      List<String> templates = new ArrayList<>();
      if (f.containsKey("requiredScopes")) {
        List<Item> items = yaml.strings(f.get("requiredScopes").value(), what + " requiredScopes");
        if (items == null) {
          ok = false;
        } else {
          for (Item item : items) {
            String problem = templateProblem(item.value());
            if (problem != null) {
              yaml.error(item.node(), what + ": scope template '" + item.value() + "': " + problem);
              ok = false;
            } else {
              templates.add(item.value());
            }
          }
        }
      }
      CredentialStorage sink = null;
      if (f.containsKey("sink") && !BundleYaml.isNull(f.get("sink").value())) {
        String s = yaml.oneOf(f.get("sink").value(), what + " sink", STORAGES);
        if (s == null) {
          ok = false;
        } else {
          sink = CredentialStorage.valueOf(s);
        }
      }
      if (ok) {
        tools.put(tool, new ToolSpec(tool, templates, sink));
      }
    }
  }

  /**
   * Why a required-scope template is malformed, or null. Placeholders are {@code {name}} with
   * {@code name} an identifier, in the resource only; with a literal in place of each, the template
   * must be a scope of contract section 3.
   */
  static String templateProblem(String template) {
    int colon = template.indexOf(':');
    if (colon >= 0 && template.substring(0, colon).contains("{")) {
      return "placeholders are allowed in the resource only, not in the action";
    }
    Matcher m = PLACEHOLDER.matcher(template);
    String rest = m.replaceAll("");
    if (rest.contains("{") || rest.contains("}")) {
      return "malformed placeholder: write {name}, name = [A-Za-z_][A-Za-z0-9_]*";
    }
    try {
      Scope.parse(m.replaceAll("x"));
    } catch (ScopeSyntaxException e) {
      return e.getMessage();
    }
    return null;
  }

  // ---------------------------------------------------------------- patterns

  private void readPatterns(BundleYaml yaml, Node node, String section, List<NamedPattern> into) {
    List<Node> items = yaml.list(node, section);
    if (items == null) {
      return;
    }
    for (Node item : items) {
      Map<String, Entry> f = yaml.fields(item, section + " item", PATTERN_KEYS);
      if (f == null) {
        continue;
      }
      boolean ok = yaml.require(item, f, section + " item", "id", "description", "regex");
      String id = f.containsKey("id") ? id(yaml, f.get("id").value(), section + " id") : null;
      String what = section + " '" + (id == null ? "?" : id) + "'";
      if (id != null) {
        String earlier = patternDefinedAt.putIfAbsent(id, yaml.where(f.get("id").value()));
        if (earlier != null) {
          yaml.error(
              f.get("id").value(),
              "duplicate pattern id '" + id + "' (first defined at " + earlier + ")");
          ok = false;
        }
      } else {
        ok = false;
      }
      String description =
          f.containsKey("description")
              ? yaml.string(f.get("description").value(), what + " description")
              : null;
      Pattern regex =
          f.containsKey("regex") ? regex(yaml, f.get("regex").value(), what + " regex") : null;
      Pattern unless = null;
      if (f.containsKey("unless")) {
        unless = regex(yaml, f.get("unless").value(), what + " unless");
        ok &= unless != null;
      }
      List<String> keywords = List.of();
      if (f.containsKey("keywords")) {
        keywords = keywords(yaml, f.get("keywords").value(), what, regex);
        ok &= keywords != null;
      }
      if (ok && description != null && regex != null) {
        into.add(new NamedPattern(id, description, regex, unless, keywords));
      }
    }
  }

  /**
   * The pattern's keywords: non-empty strings, each found verbatim in the regex source. The check is
   * a guard against typos, not a proof that every match contains a keyword (see NamedPattern).
   */
  private static List<String> keywords(BundleYaml yaml, Node node, String what, Pattern regex) {
    int errorsBefore = yaml.errorCount();
    List<Item> items = yaml.strings(node, what + " keywords");
    if (items == null) {
      return null;
    }
    if (items.isEmpty() && yaml.errorCount() == errorsBefore) {
      yaml.error(node, what + " keywords must list at least one keyword, or be left out");
    }
    List<String> out = new ArrayList<>(items.size());
    for (Item item : items) {
      if (regex != null && !regex.pattern().contains(item.value())) {
        yaml.error(
            item.node(),
            what
                + " keyword '"
                + item.value()
                + "' does not occur in its regex (a keyword is a literal piece of every match)");
      }
      out.add(item.value());
    }
    return yaml.errorCount() == errorsBefore ? out : null;
  }

  private static Pattern regex(BundleYaml yaml, Node node, String what) {
    String source = yaml.nonEmpty(node, what);
    if (source == null) {
      return null;
    }
    Pattern p;
    try {
      p = Pattern.compile(source);
    } catch (PatternSyntaxException e) {
      yaml.error(node, what + ": RE2 rejects '" + source + "': " + e.getDescription());
      return null;
    }
    if (p.matcher("").find()) {
      yaml.error(
          node,
          what + ": '" + source + "' matches the empty string, so it would match every value");
      return null;
    }
    return p;
  }

  private static String id(BundleYaml yaml, Node node, String what) {
    String s = yaml.nonEmpty(node, what);
    if (s != null && !ID.matcher(s).matches()) {
      yaml.error(
          node,
          what + " '" + s + "' must be lower-case words joined by '-' ([a-z0-9]+(-[a-z0-9]+)*)");
      return null;
    }
    return s;
  }

  // ---------------------------------------------------------------- rules

  private void readRules(BundleYaml yaml, Node node) {
    List<Node> items = yaml.list(node, "rules");
    if (items == null) {
      return;
    }
    List<String> builtinIds = Arrays.stream(BuiltinRule.values()).map(BuiltinRule::id).toList();
    for (Node item : items) {
      Map<String, Entry> f = yaml.fields(item, "rules item", RULE_KEYS);
      if (f == null) {
        continue;
      }
      if (!yaml.require(item, f, "rules item", "id", "action", "severity")) {
        if (!f.containsKey("id")) {
          continue;
        }
      }
      Node idNode = f.get("id").value();
      String id = yaml.nonEmpty(idNode, "rule id");
      if (id == null) {
        continue;
      }
      BuiltinRule rule = BuiltinRule.byId(id).orElse(null);
      if (rule == null) {
        yaml.error(
            idNode,
            "unknown built-in rule id '"
                + id
                + "'"
                + BundleYaml.suggestion(id, builtinIds)
                + "; custom rules go under customRules:");
      }
      boolean unique = claimRuleId(yaml, idNode, id);
      RuleSettings settings = ruleSettings(yaml, f, "rule '" + id + "'", id);
      if (rule != null && rule.gate() && !gateKept(yaml, f, id)) {
        settings = null;
      }
      if (rule != null && unique && settings != null) {
        builtins.put(rule, settings);
      }
    }
  }

  /**
   * Whether gate rule {@code id} stays an enforced BLOCK (contract 5: gate rules can't be shadowed
   * or switched off), each way it is weakened an error of its own. Read from the raw values, so
   * it is reported even when another field of the rule is invalid too; an unreadable value is the
   * field check's error, not this one's.
   */
  private static boolean gateKept(BundleYaml yaml, Map<String, Entry> f, String id) {
    boolean kept = true;
    if (isScalar(f, "enabled", "false")) {
      yaml.error(f.get("enabled").value(), "gate rule '" + id + "' can't be disabled");
      kept = false;
    }
    if (isScalar(f, "mode", "shadow")) {
      yaml.error(f.get("mode").value(), "gate rule '" + id + "' can't be put in shadow mode");
      kept = false;
    }
    if (isScalar(f, "action", "FLAG")) {
      yaml.error(
          f.get("action").value(), "gate rule '" + id + "' must BLOCK: there is no chain to go on with");
      kept = false;
    }
    return kept;
  }

  /** Whether {@code key} holds the scalar {@code value}, ignoring case. */
  private static boolean isScalar(Map<String, Entry> f, String key, String value) {
    return f.containsKey(key)
        && f.get(key).value() instanceof ScalarNode s
        && s.getValue().trim().equalsIgnoreCase(value);
  }

  private boolean claimRuleId(BundleYaml yaml, Node idNode, String id) {
    String earlier = ruleDefinedAt.putIfAbsent(id, yaml.where(idNode));
    if (earlier != null) {
      yaml.error(idNode, "duplicate rule id '" + id + "' (first defined at " + earlier + ")");
      return false;
    }
    return true;
  }

  /** Action, mode, severity, enabled and references of a rule; null after an error. */
  private static RuleSettings ruleSettings(
      BundleYaml yaml, Map<String, Entry> f, String what, String id) {
    boolean ok = true;
    Boolean enabled = true;
    if (f.containsKey("enabled")) {
      enabled = yaml.bool(f.get("enabled").value(), what + " enabled");
      ok &= enabled != null;
    }
    String action =
        f.containsKey("action")
            ? yaml.oneOf(f.get("action").value(), what + " action", ACTIONS)
            : null;
    ok &= action != null;
    String mode = "enforce";
    if (f.containsKey("mode")) {
      mode = yaml.oneOf(f.get("mode").value(), what + " mode", MODES);
      ok &= mode != null;
    }
    String severity =
        f.containsKey("severity")
            ? yaml.oneOf(f.get("severity").value(), what + " severity", SEVERITIES)
            : null;
    ok &= severity != null;
    List<String> references = new ArrayList<>();
    if (f.containsKey("references")) {
      List<Item> items = yaml.strings(f.get("references").value(), what + " references");
      if (items == null) {
        ok = false;
      } else {
        for (Item i : items) {
          String problem = referenceProblem(i.value());
          if (problem != null) {
            yaml.error(i.node(), what + ": reference '" + i.value() + "': " + problem);
            ok = false;
          } else if (references.contains(i.value())) {
            yaml.error(i.node(), what + ": reference '" + i.value() + "' is listed twice");
            ok = false;
          } else {
            references.add(i.value());
          }
        }
      }
    }
    if (!ok) {
      return null;
    }
    return new RuleSettings(
        id,
        enabled,
        Verdict.valueOf(action),
        RuleMode.valueOf(mode.toUpperCase()),
        Severity.valueOf(severity),
        references);
  }

  /**
   * Why a reference is malformed, or null. OWASP NHI ({@code NHI1}..{@code NHI10}) and OWASP
   * Agentic ({@code ASI01}..{@code ASI10}) ids are checked against their lists, NIST CSF 2.0 ids
   * ({@code PR.AA}, {@code PR.AA-05}) for their category and the shape of the subcategory number,
   * in upper case; other references (e.g. {@code CWE-798}) only for their shape.
   */
  static String referenceProblem(String ref) {
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

  private void readCustomRules(BundleYaml yaml, Node node) {
    List<Node> items = yaml.list(node, "customRules");
    if (items == null) {
      return;
    }
    for (Node item : items) {
      Map<String, Entry> f = yaml.fields(item, "customRules item", CUSTOM_RULE_KEYS);
      if (f == null) {
        continue;
      }
      yaml.require(
          item, f, "customRules item", "id", "description", "expression", "action", "severity");
      String id = null;
      boolean ok = true;
      if (f.containsKey("id")) {
        Node idNode = f.get("id").value();
        id = id(yaml, idNode, "custom rule id");
        if (id != null && BuiltinRule.byId(id).isPresent()) {
          yaml.error(idNode, "duplicate rule id '" + id + "': it is a built-in rule's id");
          ok = false;
        } else if (id != null) {
          ok &= claimRuleId(yaml, idNode, id);
        }
      }
      ok &= id != null;
      String what = "custom rule '" + (id == null ? "?" : id) + "'";
      String description =
          f.containsKey("description")
              ? yaml.nonEmpty(f.get("description").value(), what + " description")
              : null;
      RuleSettings settings = ruleSettings(yaml, f, what, id == null ? "?" : id);
      CelCustomRule rule = null;
      if (f.containsKey("expression")) {
        rule = compile(yaml, f.get("expression").value(), what, settings, description);
      }
      if (ok && settings != null && description != null && rule != null) {
        customRules.add(rule);
      }
    }
  }

  private static CelCustomRule compile(
      BundleYaml yaml, Node node, String what, RuleSettings settings, String description) {
    String expression = yaml.nonEmpty(node, what + " expression");
    if (expression == null) {
      return null;
    }
    // Compile even when the rest of the rule is wrong, so that its CEL errors are reported too.
    RuleSettings forCompile =
        settings != null
            ? settings
            : new RuleSettings(
                "?", true, Verdict.BLOCK, RuleMode.ENFORCE, Severity.MEDIUM, List.of());
    try {
      return CelCustomRule.compile(forCompile, description == null ? "" : description, expression);
    } catch (CelCustomRule.InvalidExpressionException e) {
      for (CelCustomRule.Issue issue : e.issues()) {
        String at =
            issue.line() < 1
                ? ""
                : " (expression line " + issue.line() + ", column " + (issue.column() + 1) + ")";
        yaml.error(
            expressionLine(yaml, node, expression, issue.line(), issue.column()),
            what + ": CEL: " + issue.message() + at);
      }
      return null;
    }
  }

  /**
   * The file line of a CEL issue at {@code exprLine}, {@code column} of {@code expression}, the
   * value of scalar {@code node}. A literal block keeps its lines; folded, plain and quoted
   * scalars join theirs (a line break becomes a space), so the issue's offset in the expression is
   * traced back through the source lines, each holding its trimmed text and one joining character.
   */
  private static int expressionLine(
      BundleYaml yaml, Node node, String expression, int exprLine, int column) {
    int start = BundleYaml.line(node);
    if (exprLine < 1 || !(node instanceof ScalarNode s)) {
      return start;
    }
    if (s.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL) {
      return start + exprLine; // a block's text starts on the line after its '|'
    }
    String[] exprLines = expression.split("\n", -1);
    int offset = column;
    for (int i = 0; i < exprLine - 1 && i < exprLines.length; i++) {
      offset += exprLines[i].length() + 1;
    }
    boolean block = s.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED;
    int last = Math.max(start, s.getEndMark().getLine() + 1);
    int consumed = 0;
    for (int line = block ? start + 1 : start; line <= last; line++) {
      String text = yaml.sourceLine(line);
      if (line == start) {
        text = text.substring(Math.min(s.getStartMark().getColumn(), text.length()));
      }
      consumed += text.strip().length() + 1;
      if (offset < consumed) {
        return line;
      }
    }
    return last;
  }

  private void checkEveryBuiltinConfigured() {
    if (someFileUnreadable) {
      // The missing rules are likely in the file that failed; listing them would bury the cause.
      return;
    }
    for (BuiltinRule r : BuiltinRule.values()) {
      if (!builtins.containsKey(r) && !ruleDefinedAt.containsKey(r.id())) {
        errors.add(
            new PolicyError(
                MANIFEST,
                includeLine,
                "built-in rule '"
                    + r.id()
                    + "' is not configured: every built-in must be listed under rules: (default"
                    + " action "
                    + r.defaultAction()
                    + ")"));
      }
    }
  }

  // ---------------------------------------------------------------- digest

  /** Lower-case hex SHA-256 over {@code files} (relative path to bytes) in path order. */
  static String digest(Map<String, byte[]> files) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
      sha.update(f.getKey().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(Integer.toString(f.getValue().length).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) 0);
      sha.update(f.getValue());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  // ---------------------------------------------------------------- helpers

  private static Set<String> keys(String... keys) {
    return new LinkedHashSet<>(List.of(keys));
  }

  private static List<String> names(Enum<?>[] values, Set<String> excluded) {
    List<String> out = new ArrayList<>();
    for (Enum<?> v : values) {
      if (!excluded.contains(v.name())) {
        out.add(v.name());
      }
    }
    return List.copyOf(out);
  }
}
