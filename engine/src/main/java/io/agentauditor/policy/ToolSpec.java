package io.agentauditor.policy;

import io.agentauditor.model.CredentialStorage;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the tool catalog (contract section 6).
 *
 * @param requiredScopes scope templates such as {@code write:repo/{repo}}; each {@code {name}} is
 *     replaced by the value of argument {@code name}
 * @param sink where the call's arguments end up, or null when they end up nowhere persistent
 */
public record ToolSpec(String name, List<String> requiredScopes, CredentialStorage sink) {
  public ToolSpec {
    Objects.requireNonNull(name, "name");
    requiredScopes = List.copyOf(requiredScopes);
  }
}
