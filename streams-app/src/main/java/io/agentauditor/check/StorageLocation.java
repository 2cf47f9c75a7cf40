package io.agentauditor.check;

import io.agentauditor.policy.BuiltinRule;

/**
 * Where a match sits, and so the rule the runtime would use for it (contract section 13): a secret
 * in a CI definition or a {@code .env}/config file is {@code insecure-secret-storage} (the runtime's
 * rule for a secret stored as a CI variable, in the environment or a config file); in any other
 * repository file it is {@code secret-in-arguments} (what an agent writing that file would be
 * stopped by); a long-lived-credential-in-code match is {@code long-lived-secret-in-code} wherever
 * it sits.
 */
public enum StorageLocation {
  /** {@code .github/workflows/*.yml|yaml}, {@code .gitlab-ci.yml}. */
  CI_DEFINITION,
  /**
   * {@code .env*}, {@code *.properties}, {@code *.ini}, {@code *.conf}, {@code *.cfg}, {@code
   * *.toml}, and {@code *.yaml}/{@code *.yml} outside CI definitions.
   */
  CONFIG_FILE,
  /** Any other file. */
  REPOSITORY;

  /** The location of the file at {@code relative} (slash-separated, from the scanned tree's top). */
  public static StorageLocation of(String relative) {
    String path = relative.replace('\\', '/');
    int slash = path.lastIndexOf('/');
    String name = path.substring(slash + 1);
    String dir = slash < 0 ? "" : path.substring(0, slash);
    boolean yaml = name.endsWith(".yml") || name.endsWith(".yaml");
    if (name.equals(".gitlab-ci.yml")
        || yaml && (dir.equals(".github/workflows") || dir.endsWith("/.github/workflows"))) {
      return CI_DEFINITION;
    }
    if (yaml
        || name.startsWith(".env")
        || name.endsWith(".properties")
        || name.endsWith(".ini")
        || name.endsWith(".conf")
        || name.endsWith(".cfg")
        || name.endsWith(".toml")) {
      return CONFIG_FILE;
    }
    return REPOSITORY;
  }

  /** The rule for a match here: of a code pattern when {@code code}, else of a secret pattern. */
  public BuiltinRule rule(boolean code) {
    if (code) {
      return BuiltinRule.LONG_LIVED_SECRET_IN_CODE;
    }
    return this == REPOSITORY ? BuiltinRule.SECRET_IN_ARGUMENTS : BuiltinRule.INSECURE_SECRET_STORAGE;
  }
}
