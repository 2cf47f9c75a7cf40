package io.agentauditor.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.policy.Waiver;
import java.io.PrintWriter;
import java.util.List;

/** The forms of a check's report: text lines, one JSON object, SARIF 2.1.0, JUnit XML. */
public final class CheckReports {

  /** The rules a check can report, in this order in SARIF. */
  static final List<BuiltinRule> RULES =
      List.of(
          BuiltinRule.SECRET_IN_ARGUMENTS,
          BuiltinRule.INSECURE_SECRET_STORAGE,
          BuiltinRule.LONG_LIVED_SECRET_IN_CODE);

  static final String SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CheckReports() {}

  /**
   * One line per finding: {@code file:line:col: SEVERITY rule-id pattern-id excerpt}, and for a
   * waived one {@code [waived until DATE by WAIVER: reason]} after it.
   */
  public static void text(PreMergeCheck check, PrintWriter out) {
    for (Finding f : check.findings()) {
      out.printf(
          "%s:%d:%d: %s %s %s %s%s%n",
          f.file(),
          f.line(),
          f.column(),
          f.severity(),
          f.ruleId(),
          f.patternId(),
          f.excerpt(),
          f.waiver() == null
              ? ""
              : " [waived until " + f.waiver().expires() + " by " + f.waiver().where() + ": "
                  + oneLine(f.waiver().reason()) + "]");
    }
  }

  /**
   * One warning per expired waiver, {@code WHERE: warning: ...}, {@code WHERE} the waiver's place
   * in the bundle under {@code bundle} (as reachable from the working directory).
   */
  public static List<String> expiredWaivers(PreMergeCheck check, java.nio.file.Path bundle) {
    return check.expiredWaivers().stream()
        .map(
            w ->
                bundle.resolve(w.where()).toString().replace('\\', '/')
                    + ": warning: "
                    + expiry(w))
        .toList();
  }

  /** What an expired waiver's warning says. */
  public static String expiry(Waiver w) {
    return "the waiver of "
        + w.rule()
        + " in "
        + w.file()
        + " (fingerprint "
        + w.fingerprint()
        + ") expired on "
        + w.expires()
        + " and no longer waives";
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ");
  }

  /** The summary line: files read, what was skipped, findings. */
  public static String summary(PreMergeCheck check) {
    RepositoryFiles.Skipped s = check.skipped();
    List<Finding> findings = check.findings();
    long failing = findings.stream().filter(Finding::failing).count();
    long waived = findings.stream().filter(f -> f.waiver() != null).count();
    return String.format(
        "%d files scanned (%d characters), skipped %d binary, %d over %d MiB, %d ignored; %d"
            + " findings, %d at BLOCK level, %d waived%s",
        check.files(),
        check.characters(),
        s.binary(),
        s.large(),
        RepositoryFiles.MAX_BYTES >> 20,
        s.ignored(),
        findings.size(),
        failing,
        waived,
        check.expiredWaivers().isEmpty()
            ? ""
            : "; " + check.expiredWaivers().size() + " expired waivers");
  }

  /** One JSON object: the bundle's identity, the findings and the counts. */
  public static void json(PreMergeCheck check, Policy policy, PrintWriter out) {
    ObjectNode root = JSON.createObjectNode();
    root.put("policy", policy.identity());
    ArrayNode findings = root.putArray("findings");
    long blocking = 0;
    long waived = 0;
    for (Finding f : check.findings()) {
      ObjectNode n = findings.addObject();
      n.put("file", f.file());
      n.put("line", f.line());
      n.put("column", f.column());
      n.put("ruleId", f.ruleId());
      n.put("patternId", f.patternId());
      n.put("form", f.form());
      n.put("location", f.location().name());
      n.put("severity", f.severity().name());
      n.put("action", f.blocking() ? "BLOCK" : "FLAG");
      f.references().forEach(n.putArray("references")::add);
      n.put("excerpt", f.excerpt());
      n.put("fingerprint", f.fingerprint());
      if (f.waiver() != null) {
        ObjectNode w = n.putObject("waived");
        w.put("reason", f.waiver().reason());
        w.put("expires", f.waiver().expires().toString());
        w.put("waiver", f.waiver().where());
        waived++;
      }
      blocking += f.failing() ? 1 : 0;
    }
    ArrayNode expired = root.putArray("expiredWaivers");
    for (Waiver w : check.expiredWaivers()) {
      ObjectNode n = expired.addObject();
      n.put("file", w.file());
      n.put("rule", w.rule());
      n.put("fingerprint", w.fingerprint());
      n.put("expires", w.expires().toString());
      n.put("waiver", w.where());
    }
    ObjectNode counts = root.putObject("counts");
    counts.put("files", check.files());
    counts.put("characters", check.characters());
    counts.put("skippedBinary", check.skipped().binary());
    counts.put("skippedLarge", check.skipped().large());
    counts.put("ignored", check.skipped().ignored());
    counts.put("findings", findings.size());
    counts.put("blocking", blocking);
    counts.put("waived", waived);
    write(root, out);
  }

  /**
   * SARIF 2.1.0 for code-scanning services: one run, the three rules with their bundle severity and
   * references, one result per finding ({@code error} when its rule blocks, else {@code warning}),
   * each with its location and a partial fingerprint that follows the secret, not the line. A
   * waived finding carries an accepted external suppression with the waiver's reason; an expired
   * waiver is a warning notification of the run's invocation. A file given as a relative path is a
   * relative URI from {@value #SRCROOT} (the working directory), as code-scanning services read
   * repository paths; an absolute one is a {@code file:} URI.
   */
  public static void sarif(PreMergeCheck check, Policy policy, String version, PrintWriter out) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "2.1.0");
    root.put("$schema", SARIF_SCHEMA);
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "agent-auditor");
    driver.put("version", version);
    ArrayNode rules = driver.putArray("rules");
    for (BuiltinRule r : RULES) {
      RuleSettings s = policy.builtins().get(r);
      ObjectNode rule = rules.addObject();
      rule.put("id", r.id());
      rule.put("name", friendlyName(r));
      rule.putObject("shortDescription").put("text", description(r));
      rule.putObject("defaultConfiguration").put("level", level(s));
      ObjectNode props = rule.putObject("properties");
      props.put("severity", s.severity().name());
      props.put("action", s.action().name());
      s.references().forEach(props.putArray("references")::add);
      ArrayNode tags = props.putArray("tags");
      tags.add("security");
      s.references().forEach(tags::add);
    }
    ObjectNode invocation = run.putArray("invocations").addObject();
    invocation.put("executionSuccessful", true);
    if (!check.expiredWaivers().isEmpty()) {
      ArrayNode notes = invocation.putArray("toolConfigurationNotifications");
      for (Waiver w : check.expiredWaivers()) {
        ObjectNode n = notes.addObject();
        n.putObject("descriptor").put("id", "expired-waiver");
        n.put("level", "warning");
        n.putObject("message").put("text", w.where() + ": " + expiry(w));
      }
    }
    boolean relative = false;
    ArrayNode results = run.putArray("results");
    for (Finding f : check.findings()) {
      ObjectNode result = results.addObject();
      result.put("ruleId", f.ruleId());
      result.put("ruleIndex", RULES.indexOf(BuiltinRule.byId(f.ruleId()).orElseThrow()));
      result.put("level", f.blocking() ? "error" : "warning");
      result
          .putObject("message")
          .put(
              "text",
              f.patternId()
                  + " matches"
                  + (f.form().equals("given") ? "" : " (" + f.form() + ")")
                  + " in "
                  + where(f.location())
                  + ": "
                  + f.excerpt());
      ObjectNode physical = result.putArray("locations").addObject().putObject("physicalLocation");
      ObjectNode artifact = physical.putObject("artifactLocation");
      java.nio.file.Path file = java.nio.file.Path.of(f.file());
      if (file.isAbsolute()) {
        artifact.put("uri", file.toUri().toString());
      } else {
        artifact.put("uri", relativeUri(f.file()));
        artifact.put("uriBaseId", SRCROOT);
        relative = true;
      }
      ObjectNode region = physical.putObject("region");
      region.put("startLine", f.line());
      region.put("startColumn", f.column());
      result.putObject("partialFingerprints").put("agentAuditorMatch/v1", f.fingerprint());
      if (f.waiver() != null) {
        ObjectNode suppression = result.putArray("suppressions").addObject();
        suppression.put("kind", "external");
        suppression.put("status", "accepted");
        suppression.put("justification", f.waiver().reason());
        ObjectNode sp = suppression.putObject("properties");
        sp.put("expires", f.waiver().expires().toString());
        sp.put("waiver", f.waiver().where());
      }
      ObjectNode props = result.putObject("properties");
      props.put("patternId", f.patternId());
      props.put("severity", f.severity().name());
    }
    if (relative) {
      String cwd = java.nio.file.Path.of("").toAbsolutePath().toUri().toString();
      run.putObject("originalUriBaseIds")
          .putObject(SRCROOT)
          .put("uri", cwd.endsWith("/") ? cwd : cwd + "/");
    }
    write(root, out);
  }

  /** The base of relative artifact URIs: the directory the check ran in. */
  static final String SRCROOT = "SRCROOT";

  /** A relative path as a relative URI reference: {@code ./} left out, each segment encoded. */
  static String relativeUri(String path) {
    String p = path;
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    try {
      // Encoded behind "./", so that a first segment holding ':' is not read as a scheme; the
      // "./" stays only where it is needed.
      String raw = new java.net.URI(null, null, "./" + p, null).getRawPath().substring(2);
      int slash = raw.indexOf('/');
      return (slash < 0 ? raw : raw.substring(0, slash)).contains(":") ? "./" + raw : raw;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a path: " + path, e);
    }
  }

  /** {@code secret-in-arguments} as {@code SecretInArguments}: SARIF's friendly rule name. */
  private static String friendlyName(BuiltinRule r) {
    StringBuilder sb = new StringBuilder();
    for (String word : r.id().split("-")) {
      sb.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
    }
    return sb.toString();
  }

  /**
   * JUnit XML for CI test reports: one suite, one test case per finding (class name the file, name
   * the rule, pattern and position), a failure when its rule blocks, skipped when waived; with no
   * finding, one passing case, so a clean scan still shows.
   */
  public static void junit(PreMergeCheck check, PrintWriter out) {
    List<Finding> findings = check.findings();
    long failures = findings.stream().filter(Finding::failing).count();
    long skipped = findings.stream().filter(f -> f.waiver() != null).count();
    int tests = Math.max(1, findings.size());
    java.io.StringWriter buffer = new java.io.StringWriter();
    try {
      javax.xml.stream.XMLStreamWriter x =
          javax.xml.stream.XMLOutputFactory.newFactory().createXMLStreamWriter(buffer);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      x.writeAttribute("name", "agent-auditor check");
      x.writeAttribute("tests", Integer.toString(tests));
      x.writeAttribute("failures", Long.toString(failures));
      x.writeCharacters("\n  ");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", "agent-auditor check");
      x.writeAttribute("tests", Integer.toString(tests));
      x.writeAttribute("failures", Long.toString(failures));
      x.writeAttribute("errors", "0");
      x.writeAttribute("skipped", Long.toString(skipped));
      if (findings.isEmpty()) {
        x.writeCharacters("\n    ");
        x.writeEmptyElement("testcase");
        x.writeAttribute("classname", "agent-auditor.check");
        x.writeAttribute("name", summary(check));
      }
      for (Finding f : findings) {
        x.writeCharacters("\n    ");
        x.writeStartElement("testcase");
        x.writeAttribute("classname", f.file());
        x.writeAttribute(
            "name", f.ruleId() + " " + f.patternId() + " at " + f.line() + ":" + f.column());
        String message =
            f.severity() + " " + f.ruleId() + " " + f.patternId() + " " + f.excerpt();
        if (f.waiver() != null) {
          x.writeEmptyElement("skipped");
          x.writeAttribute(
              "message",
              "waived until " + f.waiver().expires() + " by " + f.waiver().where() + ": "
                  + f.waiver().reason());
          x.writeStartElement("system-out");
          x.writeCharacters(f.file() + ":" + f.line() + ":" + f.column() + ": " + message);
          x.writeEndElement();
        } else if (f.blocking()) {
          x.writeStartElement("failure");
          x.writeAttribute("type", f.ruleId());
          x.writeAttribute("message", message);
          x.writeCharacters(f.file() + ":" + f.line() + ":" + f.column() + ": " + message);
          x.writeEndElement();
        } else {
          x.writeStartElement("system-out");
          x.writeCharacters(f.file() + ":" + f.line() + ":" + f.column() + ": " + message);
          x.writeEndElement();
        }
        x.writeEndElement();
      }
      x.writeCharacters("\n  ");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeEndDocument();
      x.close();
    } catch (javax.xml.stream.XMLStreamException e) {
      throw new IllegalStateException("writing XML to a string can't fail", e);
    }
    out.println(buffer);
  }

  private static String level(RuleSettings s) {
    return s.enabled() && s.action() == io.agentauditor.model.Verdict.BLOCK
            && s.mode() == io.agentauditor.model.RuleMode.ENFORCE
        ? "error"
        : "warning";
  }

  private static String where(StorageLocation l) {
    return switch (l) {
      case CI_DEFINITION -> "a CI definition";
      case CONFIG_FILE -> "a .env or config file";
      case REPOSITORY -> "a repository file";
    };
  }

  private static String description(BuiltinRule r) {
    return switch (r) {
      case SECRET_IN_ARGUMENTS -> "A secret written into a repository file.";
      case INSECURE_SECRET_STORAGE -> "A secret stored in a CI definition, .env or config file.";
      case LONG_LIVED_SECRET_IN_CODE -> "Code that creates a credential that never expires.";
      default -> r.id();
    };
  }

  private static void write(ObjectNode root, PrintWriter out) {
    try {
      out.println(JSON.writeValueAsString(root));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }
}
