package io.agentauditor.engine;

import io.agentauditor.policy.Policy;
import io.agentauditor.schema.CredentialStorage;
import java.util.List;
import java.util.Map;

/**
 * The argument scan of {@link AuditEngine} for one tool call, both pattern rules enabled, opened to
 * the load tests (the pattern sets are package-private): the secret patterns unless the tool's
 * sink is the secrets manager, then the code patterns when it is a repository or a config file.
 */
public final class ArgumentScan {

  private final ToolCatalog catalog;
  private final PatternSet secretPatterns;
  private final PatternSet codePatterns;

  public ArgumentScan(Policy policy) {
    this.catalog = new ToolCatalog(policy.tools());
    // As the engine builds them.
    List<PatternSet> sets = PatternSet.sharingOneScreen(policy.secretPatterns(), policy.codePatterns());
    this.secretPatterns = sets.get(0);
    this.codePatterns = sets.get(1);
  }

  /** The tool's sink in the bundle's catalog; null when it has none or is unknown. */
  public CredentialStorage sink(String tool) {
    ToolCatalog.Tool t = catalog.tool(tool);
    return t == null ? null : t.sink();
  }

  /** The total length of the two hit messages (0 when nothing fires), as the engine computes them. */
  public int scan(Map<String, String> args, CredentialStorage sink) {
    int n = 0;
    if (sink != CredentialStorage.SECRETS_MANAGER) {
      String hits = secretPatterns.hits(args);
      n += hits == null ? 0 : hits.length();
    }
    if (sink == CredentialStorage.REPOSITORY || sink == CredentialStorage.CONFIG_FILE) {
      String hits = codePatterns.hits(args);
      n += hits == null ? 0 : hits.length();
    }
    return n;
  }
}
