package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code maxClockSkewSeconds} (contract 9.3, v2): a bundle setting, default 300. */
class ClockSkewSettingTest {

  @TempDir Path tmp;
  private Path dir;
  private String settings;

  @BeforeEach
  void copyTheDefaultBundle() {
    dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
    settings = TestBundles.read(dir, "settings.yaml");
    assertThat(settings).contains("\n  maxClockSkewSeconds: 300\n");
  }

  @Test
  void shouldReadTheSkewABundleSets() {
    // Given
    TestBundles.write(dir, "settings.yaml", settings.replace("maxClockSkewSeconds: 300", "maxClockSkewSeconds: 60"));
    // When / Then
    assertThat(PolicyBundleLoader.load(dir).settings().maxClockSkewSeconds()).isEqualTo(60);
  }

  @Test
  void shouldGiveABundleThatLeavesItOutTheContractDefault() {
    // Given
    TestBundles.write(dir, "settings.yaml", settings.replace("  maxClockSkewSeconds: 300\n", ""));
    // When / Then
    assertThat(PolicyBundleLoader.load(dir).settings().maxClockSkewSeconds()).isEqualTo(300);
    assertThat(PolicySettings.defaults().maxClockSkewSeconds()).isEqualTo(300);
  }

  @Test
  void shouldRejectANegativeSkewWithItsFileAndLine() {
    // Given
    TestBundles.write(dir, "settings.yaml", settings.replace("maxClockSkewSeconds: 300", "maxClockSkewSeconds: -1"));
    // When
    PolicyLoadException e = catchThrowableOfType(PolicyLoadException.class, () -> PolicyBundleLoader.load(dir));
    // Then
    assertThat(e.getMessage()).containsPattern("settings\\.yaml:\\d+: settings\\.maxClockSkewSeconds must be between 0 and");
  }
}
