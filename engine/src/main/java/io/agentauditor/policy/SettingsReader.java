package io.agentauditor.policy;

import io.agentauditor.model.Scope;
import io.agentauditor.model.ScopeSyntaxException;
import io.agentauditor.policy.BundleYaml.Entry;
import io.agentauditor.policy.BundleYaml.Item;
import io.agentauditor.model.CredentialKind;
import io.agentauditor.model.CredentialStorage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code settings} sections of a bundle's files (format: {@code policies/README.md}),
 * each setting at most once across the bundle, into the {@link PolicySettings} they give with the
 * contract defaults for those left out. Errors go to each file's {@link BundleYaml}.
 */
final class SettingsReader {

  private static final Set<String> SETTINGS_KEYS =
      BundleYaml.keys(
          "maxDelegationDepth",
          "maxCredentialTtlSeconds",
          "forbiddenStorage",
          "staticKinds",
          "sensitiveScopes",
          "fanOut",
          "sessionIdleTimeoutSeconds",
          "sessionRetentionSeconds",
          "limits",
          "maxClockSkewSeconds");
  private static final Set<String> FAN_OUT_KEYS = BundleYaml.keys("max", "windowSeconds");
  private static final Set<String> LIMITS_KEYS =
      BundleYaml.keys("maxAgents", "maxDepth", "maxCredentials", "maxApprovals");

  /** The storage names a bundle may use (also a tool's sink). */
  static final List<String> STORAGES =
      names(CredentialStorage.values(), Set.of("UNRECOGNIZED"));
  private static final List<String> KINDS = names(CredentialKind.values(), Set.of("UNRECOGNIZED"));

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
  private Integer maxAgents;
  private Integer maxDepth;
  private Integer maxCredentials;
  private Integer maxApprovals;
  private Long maxClockSkewSeconds;

  /** Reads one {@code settings} section. */
  void readSettings(BundleYaml yaml, Node node) {
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
        case "limits" -> readLimits(yaml, v);
        case "maxClockSkewSeconds" ->
            maxClockSkewSeconds = yaml.integer(v, what, 0, Integer.MAX_VALUE);
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

  private void readLimits(BundleYaml yaml, Node node) {
    Map<String, Entry> f = yaml.fields(node, "settings.limits", LIMITS_KEYS);
    if (f == null) {
      return;
    }
    maxAgents = limit(yaml, f, "maxAgents", 1, 1_000_000, maxAgents);
    maxDepth = limit(yaml, f, "maxDepth", 0, 1000, maxDepth);
    maxCredentials = limit(yaml, f, "maxCredentials", 0, 1_000_000, maxCredentials);
    maxApprovals = limit(yaml, f, "maxApprovals", 0, 1_000_000, maxApprovals);
  }

  private static Integer limit(
      BundleYaml yaml, Map<String, Entry> f, String key, long min, long max, Integer current) {
    Entry e = f.get(key);
    return e == null ? current : toInt(yaml.integer(e.value(), "settings.limits." + key, min, max));
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

  /** The settings read, the contract default for each one left out. */
  PolicySettings settings() {
    return new PolicySettings(
        or(maxDelegationDepth, defaults.maxDelegationDepth()),
        or(maxCredentialTtlSeconds, defaults.maxCredentialTtlSeconds()),
        or(forbiddenStorage, defaults.forbiddenStorage()),
        or(staticKinds, defaults.staticKinds()),
        or(sensitiveScopes, defaults.sensitiveScopes()),
        or(fanOutMax, defaults.fanOutMax()),
        or(fanOutWindowSeconds, defaults.fanOutWindowSeconds()),
        or(sessionIdleTimeoutSeconds, defaults.sessionIdleTimeoutSeconds()),
        or(sessionRetentionSeconds, defaults.sessionRetentionSeconds()),
        new SessionLimits(
            or(maxAgents, defaults.limits().maxAgents()),
            or(maxDepth, defaults.limits().maxDepth()),
            or(maxCredentials, defaults.limits().maxCredentials()),
            or(maxApprovals, defaults.limits().maxApprovals())),
        or(maxClockSkewSeconds, defaults.maxClockSkewSeconds()));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
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
