package io.agentauditor.cli;

import io.agentauditor.check.CheckReports;
import io.agentauditor.policy.BuiltinRule;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyWarning;
import io.agentauditor.policy.RuleSettings;
import io.agentauditor.policy.Waiver;
import io.agentauditor.model.RuleMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.PolicyError;
import io.agentauditor.policy.PolicyLoadException;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./auditor policy check [DIR]}: loads the bundle the way the auditor does. Exit 0 with its
 * identity and a summary on stdout, and each warning (a built-in the bundle does not list, at its
 * default; a waiver that has expired), one {@code file:line: warning: message} per line, on stderr; exit 2 with every error,
 * one {@code file:line: message} per line, on stderr. Files as reachable from the working
 * directory.
 */
@Command(
    name = "check",
    header = "Validate a policy bundle and print what it holds.",
    mixinStandardHelpOptions = true,
    description =
        "Validate a policy bundle: print its identity, or every error as file:line: message.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the bundle is valid (warnings, if any, on stderr)",
      "2:the bundle is invalid, or a usage error"
    })
public final class PolicyCheckCommand implements Callable<Integer> {

  /** The exit code of a bundle that fails to load (contract section 10). */
  public static final int INVALID = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      defaultValue = "policies",
      description = "The bundle directory (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text (default) or json: {\"valid\", \"policy\", \"rules\", \"warnings\"} or"
              + " {\"valid\": false, \"errors\"} on stdout; the exit code is the same.")
  Format format;

  /** Output formats. */
  enum Format {
    text,
    json
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = BundleDirectory.resolve(this.dir);
    if (format == Format.json) {
      return json(dir, out);
    }
    Policy policy = BundleDirectory.loadOrReport(dir, err);
    if (policy == null) {
      return INVALID;
    }
    for (PolicyWarning w : policy.warnings()) {
      err.println(dir.resolve(w.file()) + ":" + w.line() + ": warning: " + w.message());
    }
    err.flush();
    long disabled = policy.builtins().values().stream().filter(r -> !r.enabled()).count();
    long shadow =
        policy.builtins().values().stream().filter(r -> r.mode() == RuleMode.SHADOW).count();
    long customShadow =
        policy.customRules().stream().filter(r -> r.settings().mode() == RuleMode.SHADOW).count();
    out.println(policy.identity());
    out.printf(
        "rules: %d built-in (%d shadow, %d disabled), %d custom (%d shadow)%n",
        BuiltinRule.values().length, shadow, disabled, policy.customRules().size(), customShadow);
    out.printf("tools: %d%n", policy.tools().size());
    out.printf("boundaries: %d%n", policy.boundaries().size());
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    List<Waiver> expired = policy.waivers().stream().filter(w -> w.expiredOn(today)).toList();
    out.printf("waivers: %d (%d expired)%n", policy.waivers().size(), expired.size());
    for (Waiver w : expired) {
      err.println(dir.resolve(w.where()) + ": warning: " + CheckReports.expiry(w));
    }
    err.flush();
    out.printf(
        "patterns: %d secret, %d long-lived-credential-in-code%n",
        policy.secretPatterns().size(), policy.codePatterns().size());
    for (BuiltinRule r : BuiltinRule.values()) {
      RuleSettings s = policy.builtins().get(r);
      if (!s.enabled() || s.mode() != RuleMode.ENFORCE || s.action() != r.defaultAction()) {
        out.printf(
            "  %s: %s%s%s (contract default %s)%n",
            r.id(),
            s.action(),
            s.mode() == RuleMode.SHADOW ? ", shadow" : "",
            s.enabled() ? "" : ", disabled",
            r.defaultAction());
      }
    }
    out.flush();
    return 0;
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static int json(Path dir, PrintWriter out) {
    ObjectNode root = JSON.createObjectNode();
    Policy policy;
    try {
      policy = PolicyBundleLoader.load(dir);
    } catch (PolicyLoadException e) {
      root.put("valid", false);
      ArrayNode errors = root.putArray("errors");
      for (PolicyError error : e.errors()) {
        errors
            .addObject()
            .put("file", dir.resolve(error.file()).toString())
            .put("line", error.line())
            .put("message", error.message());
      }
      print(root, out);
      return INVALID;
    }
    root.put("valid", true);
    root.putObject("policy")
        .put("identity", policy.identity())
        .put("name", policy.name())
        .put("version", policy.version())
        .put("digest", policy.digest());
    ArrayNode rules = root.putArray("rules");
    for (BuiltinRule r : BuiltinRule.values()) {
      RuleSettings s = policy.builtins().get(r);
      rules
          .addObject()
          .put("id", r.id())
          .put("kind", "builtin")
          .put("action", s.action().name())
          .put("mode", s.mode().name())
          .put("enabled", s.enabled())
          .put("contractDefault", r.defaultAction().name());
    }
    policy
        .customRules()
        .forEach(
            c ->
                rules
                    .addObject()
                    .put("id", c.settings().ruleId())
                    .put("kind", "custom")
                    .put("action", c.settings().action().name())
                    .put("mode", c.settings().mode().name())
                    .put("enabled", c.settings().enabled()));
    root.put("tools", policy.tools().size());
    root.put("boundaries", policy.boundaries().size());
    root.putObject("patterns")
        .put("secret", policy.secretPatterns().size())
        .put("code", policy.codePatterns().size());
    ArrayNode warnings = root.putArray("warnings");
    for (PolicyWarning w : policy.warnings()) {
      warnings
          .addObject()
          .put("file", dir.resolve(w.file()).toString())
          .put("line", w.line())
          .put("message", w.message());
    }
    print(root, out);
    return 0;
  }

  private static void print(ObjectNode root, PrintWriter out) {
    try {
      out.println(JSON.writeValueAsString(root));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
    out.flush();
  }
}
