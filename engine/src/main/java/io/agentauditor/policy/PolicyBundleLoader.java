package io.agentauditor.policy;

import io.agentauditor.policy.BundleYaml.Entry;
import io.agentauditor.policy.BundleYaml.Item;
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
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a policy bundle directory (format: {@code policies/README.md}) into a {@link Policy}.
 *
 * <p>The whole bundle is validated before anything is returned: every problem found in the manifest
 * and every included file is collected, and the bundle is rejected with one {@link
 * PolicyLoadException} listing them all as {@code file:line: message}. There is no partial result.
 *
 * <p>A built-in rule the bundle does not list gets its default ({@link
 * BuiltinRule#defaultSettings()}: the contract's action, enforce mode, enabled) and a {@link
 * PolicyWarning} in {@link Policy#warnings()}, so a bundle written before a rule existed still
 * loads, and says so.
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
      BundleYaml.keys("name", "version", "description", "include");
  private static final Set<String> SECTIONS =
      BundleYaml.keys(
          "settings",
          "lattice",
          "tools",
          "secretPatterns",
          "codePatterns",
          "rules",
          "customRules",
          "boundaries",
          "waivers");

  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
  private static final java.util.regex.Pattern VERSION =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final Path dir;
  private final List<PolicyError> errors = new ArrayList<>();
  private final Map<String, byte[]> loadedFiles = new TreeMap<>();
  private int includeLine = 1;

  private String name;
  private String version;

  private final SettingsReader settings = new SettingsReader();
  private final LatticeReader lattice = new LatticeReader();
  private final ToolsReader tools = new ToolsReader();
  private final PatternsReader patterns = new PatternsReader();
  private final RulesReader rules = new RulesReader();
  private final BoundariesReader boundaries = new BoundariesReader();
  private final WaiversReader waivers = new WaiversReader();

  private PolicyBundleLoader(Path dir) {
    this.dir = dir;
  }

  /**
   * Loads and validates the bundle in {@code dir}.
   *
   * @return the policy, never null; its {@link Policy#warnings()} for the caller to report
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
    if (!errors.isEmpty()) {
      throw rejected();
    }
    List<PolicyWarning> warnings = rules.defaultUnlisted(MANIFEST, includeLine);
    return new Policy(
        name,
        version,
        digest(loadedFiles),
        settings.settings(),
        lattice.lattice(),
        tools.tools(),
        patterns.secretPatterns(),
        patterns.codePatterns(),
        rules.builtins(),
        rules.customRules(),
        warnings,
        boundaries.boundaries(),
        waivers.waivers());
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
      } else if (!seen.add(rel)) {
        yaml.error(item.node(), "include '" + rel + "': included twice");
      } else if (!Files.isRegularFile(dir.resolve(rel))) {
        yaml.error(item.node(), "include '" + rel + "': no such file in the bundle");
      } else if (!insideBundle(rel)) {
        // A link may point anywhere; one that stays inside (a mounted ConfigMap's) is fine.
        yaml.error(item.node(), "include '" + rel + "': a link to a file outside the bundle directory");
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
    String problem = relativePathProblem(rel);
    if (problem != null) {
      return problem;
    }
    if (!rel.endsWith(".yaml") && !rel.endsWith(".yml")) {
      return "must be a .yaml or .yml file";
    }
    if (rel.equals(MANIFEST)) {
      return "the manifest can't include itself";
    }
    return null;
  }

  /** Why {@code rel} is not a plain relative path with {@code /} separators, or null when it is. */
  static String relativePathProblem(String rel) {
    if (rel.startsWith("/") || rel.contains("\\") || rel.matches("^[A-Za-z]:.*")) {
      return "must be a relative path, with / separators";
    }
    for (String seg : rel.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        return "must not contain empty, '.' or '..' segments";
      }
    }
    return null;
  }

  /** Reads, decodes and parses a file, remembering its bytes for the digest. */
  private Node read(BundleYaml yaml, Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
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
      yaml.error(1, "file is not valid UTF-8");
      return null;
    }
    return yaml.parse(text);
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
      return;
    }
    if (sections.isEmpty() && !BundleYaml.isNull(root)) {
      yaml.error(root, "file defines none of the sections " + String.join(", ", SECTIONS));
    }
    for (Map.Entry<String, Entry> s : sections.entrySet()) {
      Node value = s.getValue().value();
      switch (s.getKey()) {
        case "settings" -> settings.readSettings(yaml, value);
        case "lattice" -> lattice.readLattice(yaml, s.getValue());
        case "tools" -> tools.readTools(yaml, value);
        case "secretPatterns" -> patterns.readSecretPatterns(yaml, value);
        case "codePatterns" -> patterns.readCodePatterns(yaml, value);
        case "rules" -> rules.readRules(yaml, s.getValue());
        case "customRules" -> rules.readCustomRules(yaml, value);
        case "boundaries" -> boundaries.readBoundaries(yaml, s.getValue());
        case "waivers" -> waivers.readWaivers(yaml, s.getValue());
        default -> throw new IllegalStateException("unhandled section " + s.getKey());
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

  /** See {@link ToolsReader#templateProblem}. */
  static String templateProblem(String template) {
    return ToolsReader.templateProblem(template);
  }

  /** See {@link RuleReferences#problem}. */
  static String referenceProblem(String ref) {
    return RuleReferences.problem(ref);
  }
}
