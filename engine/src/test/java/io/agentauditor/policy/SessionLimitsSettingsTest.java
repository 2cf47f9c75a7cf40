package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code settings.limits} (contract sections 4 and 8): defaults, tuning, ranges, and the gate. */
class SessionLimitsSettingsTest {

  @TempDir Path tmp;
  private Path dir;

  @BeforeEach
  void copyTheDefaultBundle() {
    dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
  }

  private void replaceIn(String rel, String from, String to) {
    String text = TestBundles.read(dir, rel);
    assertThat(text).contains(from);
    TestBundles.write(dir, rel, text.replace(from, to));
  }

  private List<String> errors() {
    PolicyLoadException e =
        catchThrowableOfType(PolicyLoadException.class, () -> PolicyBundleLoader.load(dir));
    assertThat(e).as("the bundle is rejected").isNotNull();
    return e.errors().stream().map(PolicyError::toString).toList();
  }

  @Test
  void shouldGiveTheDefaultBundleTheContractsLimits() {
    // When
    Policy policy = PolicyBundleLoader.load(TestBundles.defaultBundle());
    // Then
    assertThat(policy.settings().limits()).isEqualTo(new SessionLimits(256, 16, 1024, 256));
    assertThat(PolicySettings.defaults().limits()).isEqualTo(SessionLimits.defaults());
  }

  @Test
  void shouldReadEachLimitAndDefaultTheOnesLeftOut() {
    // Given
    replaceIn("settings.yaml", "    maxAgents: 256", "    maxAgents: 8");
    replaceIn("settings.yaml", "    maxApprovals: 256      # approvals recorded, expired ones included\n", "");
    // When
    Policy policy = PolicyBundleLoader.load(dir);
    // Then
    assertThat(policy.settings().limits()).isEqualTo(new SessionLimits(8, 16, 1024, 256));
  }

  @Test
  void shouldRejectLimitsOutOfRangeAndUnknownKeysWithTheirLines() {
    // Given
    replaceIn("settings.yaml", "    maxAgents: 256", "    maxAgents: 0");
    replaceIn("settings.yaml", "    maxDepth: 16", "    maxDepth: -1\n    maxDepht: 3");
    // When
    List<String> errors = errors();
    // Then
    assertThat(errors)
        .anyMatch(e -> e.startsWith("settings.yaml:") && e.contains("settings.limits.maxAgents"))
        .anyMatch(e -> e.contains("settings.limits.maxDepth"))
        .anyMatch(e -> e.contains("maxDepht"));
  }

  @Test
  void shouldRefuseToShadowOrDisableTheSessionLimitGate() {
    // Given
    replaceIn(
        "rules.yaml",
        "  - id: session-limit\n    action: BLOCK\n",
        "  - id: session-limit\n    action: FLAG\n    mode: shadow\n    enabled: false\n");
    // When / Then
    assertThat(errors())
        .anyMatch(e -> e.contains("gate rule 'session-limit' can't be disabled"))
        .anyMatch(e -> e.contains("gate rule 'session-limit' can't be put in shadow mode"))
        .anyMatch(e -> e.contains("gate rule 'session-limit' must BLOCK"));
  }

  @Test
  void shouldPlaceSessionLimitRightAfterUnknownAgentAsAGate() {
    // Then
    assertThat(BuiltinRule.SESSION_LIMIT.ordinal()).isEqualTo(BuiltinRule.UNKNOWN_AGENT.ordinal() + 1);
    assertThat(BuiltinRule.SESSION_LIMIT.gate()).isTrue();
    assertThat(BuiltinRule.byId("session-limit")).contains(BuiltinRule.SESSION_LIMIT);
  }
}
