package io.agentauditor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.streams.AuditorTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyGateTest {

  private static final Policy DEFAULT = PolicyBundleLoader.load(TestBundles.defaultBundle());

  @Test
  void shouldAcceptANewVersionThatLoadsAndPassesItsOwnCases(@TempDir Path bundle) throws IOException {
    // Given
    TestBundles.copy(TestBundles.defaultBundle(), bundle);
    replace(bundle.resolve("bundle.yaml"), "version: 1.0.0", "version: 2.0.0");

    // When
    PolicyGate.Verdict verdict = new PolicyGate(Set.of()).candidate(bundle, DEFAULT);

    // Then
    assertThat(verdict.reasons()).isEmpty();
    assertThat(verdict.policy().version()).isEqualTo("2.0.0");
  }

  @Test
  void shouldRefuseABundleWhoseCasesFailNamingTheCase(@TempDir Path bundle) throws IOException {
    TestBundles.copy(TestBundles.defaultBundle(), bundle);
    replace(
        bundle.resolve("rules.yaml"),
        "  - id: agent-reparented\n    action: BLOCK",
        "  - id: agent-reparented\n    action: FLAG");

    PolicyGate.Verdict verdict = new PolicyGate(Set.of()).candidate(bundle, DEFAULT);

    assertThat(verdict.accepted()).isFalse();
    assertThat(verdict.reasons()).anyMatch(r -> r.startsWith("case agent-reparented/"));
  }

  @Test
  void shouldRefuseABundleThatDoesNotLoadWithItsErrors(@TempDir Path bundle) throws IOException {
    TestBundles.copy(TestBundles.defaultBundle(), bundle);
    Files.writeString(bundle.resolve("rules.yaml"), "rules: [\n");

    PolicyGate.Verdict verdict = new PolicyGate(Set.of()).candidate(bundle, DEFAULT);

    assertThat(verdict.accepted()).isFalse();
    assertThat(verdict.reasons()).anyMatch(r -> r.contains("rules.yaml:"));
  }

  @Test
  void shouldRefuseABundleWithoutCases(@TempDir Path bundle) throws IOException {
    TestBundles.copy(TestBundles.defaultBundle(), bundle);
    try (Stream<Path> cases = Files.list(bundle.resolve("cases"))) {
      for (Path c : cases.toList()) {
        Files.delete(c);
      }
    }

    assertThat(new PolicyGate(Set.of()).candidate(bundle, DEFAULT).accepted()).isFalse();
  }

  @Test
  void shouldRefuseADigestNotOnTheAllowList(@TempDir Path bundle) throws IOException {
    TestBundles.copy(TestBundles.defaultBundle(), bundle);
    PolicyGate pinned = new PolicyGate(Set.of(DEFAULT.digest()));
    replace(bundle.resolve("bundle.yaml"), "version: 1.0.0", "version: 2.0.0");

    assertThat(pinned.refuseDigest(DEFAULT)).isEmpty();
    PolicyGate.Verdict verdict = pinned.candidate(bundle, DEFAULT);
    assertThat(verdict.accepted()).isFalse();
    assertThat(verdict.reasons()).singleElement().asString().contains("policy.expected.digests");
  }

  @Test
  void shouldRefuseAChangedClockSkewBoundThatOnlyARestartApplies(@TempDir Path bundle)
      throws IOException {
    TestBundles.copy(TestBundles.defaultBundle(), bundle);
    String settings = Files.readString(bundle.resolve("settings.yaml"));
    assertThat(settings).containsPattern("maxClockSkewSeconds: \\d+");
    Files.writeString(
        bundle.resolve("settings.yaml"),
        settings.replaceFirst("maxClockSkewSeconds: \\d+", "maxClockSkewSeconds: 7"));

    PolicyGate.Verdict verdict = new PolicyGate(Set.of()).candidate(bundle, DEFAULT);

    assertThat(verdict.reasons()).anyMatch(r -> r.contains("only at a restart"));
  }

  @Test
  void shouldNotStartABundleWhoseDigestIsNotExpected(@TempDir Path stateDir) {
    // Given a configuration pinning another digest (and a cluster never contacted)
    AuditorConfig config =
        AuditorConfig.fromMap(
            Map.of(
                "bootstrap.servers", "127.0.0.1:1",
                "schema.registry.url", "mock://gate",
                "state.dir", stateDir.toString(),
                "policy.expected.digests", "0123abcd, " + "f".repeat(64)),
            Map.of());

    // When / Then
    assertThatThrownBy(
            () -> AuditorApp.start(config, DEFAULT, TestBundles.defaultBundle(), AuditorTopology::build))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(DEFAULT.identity())
        .hasMessageContaining("0123abcd");
  }

  static void replace(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    assertThat(text).contains(from);
    Files.writeString(file, text.replace(from, to));
  }

}
