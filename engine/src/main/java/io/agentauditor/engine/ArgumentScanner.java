package io.agentauditor.engine;

import io.agentauditor.model.CredentialStorage;
import io.agentauditor.policy.Policy;
import java.util.List;
import java.util.Map;

/**
 * The bundle's argument patterns (contract section 7) as the engine applies them: the secret
 * patterns and the long-lived-credential-in-code patterns, sharing one keyword screen, and the
 * catalog's sink of each tool. The engine's tool-call rules scan through it, and so may anything
 * else that must find exactly what the engine finds (benchmarks, a pre-merge scan). Immutable and
 * thread-safe once built.
 */
public final class ArgumentScanner {

  private final ToolCatalog catalog;
  private final PatternSet secretPatterns;
  private final PatternSet codePatterns;

  /** @param policy the loaded bundle; not null */
  public ArgumentScanner(Policy policy) {
    this.catalog = new ToolCatalog(policy.tools());
    // One screen for both sets: a value scanned for secrets is not read again for code patterns.
    List<PatternSet> sets =
        PatternSet.sharingOneScreen(policy.secretPatterns(), policy.codePatterns());
    this.secretPatterns = sets.get(0);
    this.codePatterns = sets.get(1);
  }

  /** The tool's sink in the bundle's catalog; null when it has none or is not in the catalog. */
  public CredentialStorage sink(String tool) {
    ToolCatalog.Tool t = catalog.tool(tool);
    return t == null ? null : t.sink();
  }

  /**
   * What the secret patterns find in {@code arguments}, as {@code secret-in-arguments} words it
   * ({@code argument 'b' matches private-key; ...}), or null when nothing matches.
   */
  public String secretHits(Map<String, String> arguments) {
    return secretPatterns.hits(arguments);
  }

  /** What the long-lived-credential-in-code patterns find in {@code arguments}, or null. */
  public String codeHits(Map<String, String> arguments) {
    return codePatterns.hits(arguments);
  }

  ToolCatalog catalog() {
    return catalog;
  }
}
