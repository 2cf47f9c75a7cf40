package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentauditor.model.RuleMode;
import io.agentauditor.model.Severity;
import io.agentauditor.model.Verdict;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle that does not list a built-in rule gets it at its default (the contract's action,
 * enforce, enabled, the default bundle's severity and references), with a warning naming the rule
 * and the default it got.
 */
class BundleDefaultsTest {

  /** The line of {@code rules:} in the default bundle's rules.yaml. */
  private static final int RULES_LINE = 10;

  @TempDir Path tmp;
  private Path dir;
  private String rules;

  @BeforeEach
  void copyTheDefaultBundle() {
    dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
    rules = TestBundles.read(dir, "rules.yaml");
    assertThat(rules.split("\n")[RULES_LINE - 1]).isEqualTo("rules:");
  }

  private void keepOnly(String... ids) {
    TestBundles.write(dir, "rules.yaml", TestBundles.keepOnlyRules(rules, Set.of(ids)));
  }

  private static String[] allIdsBut(BuiltinRule... left) {
    Set<BuiltinRule> out = EnumSet.of(left[0], left);
    return Arrays.stream(BuiltinRule.values())
        .filter(r -> !out.contains(r))
        .map(BuiltinRule::id)
        .toArray(String[]::new);
  }

  @Test
  void shouldGiveABuiltinLeftOutItsDefaultWithOneWarningNamingTheRuleAndTheDefault() {
    // Given the default bundle without its fan-out item
    keepOnly(allIdsBut(BuiltinRule.FAN_OUT));

    // When it loads
    Policy policy = PolicyBundleLoader.load(dir);

    // Then fan-out runs at its default, and one warning, at the rules: key, says so
    assertThat(policy.builtins().get(BuiltinRule.FAN_OUT))
        .isEqualTo(
            new RuleSettings(
                "fan-out",
                true,
                Verdict.FLAG,
                RuleMode.ENFORCE,
                Severity.MEDIUM,
                List.of("NHI5", "ASI08", "ASI10", "DE.AE", "DE.CM", "MEASURE 2.4", "MEASURE 3.1")));
    assertThat(policy.warnings())
        .extracting(PolicyWarning::toString)
        .containsExactly(
            "rules.yaml:10: warning: built-in rule 'fan-out' is not listed; it gets its default:"
                + " action FLAG, mode enforce, enabled, severity MEDIUM, references [NHI5, ASI08,"
                + " ASI10, DE.AE, DE.CM, MEASURE 2.4, MEASURE 3.1]");
  }

  @Test
  void shouldDefaultEveryBuiltinButTheOneListedInTableOrder() {
    // Given a bundle that lists only fan-out, tuned to BLOCK in shadow mode
    keepOnly("fan-out");
    TestBundles.write(
        dir,
        "rules.yaml",
        TestBundles.read(dir, "rules.yaml")
            .replace(
                "  - id: fan-out\n    action: FLAG\n",
                "  - id: fan-out\n    action: BLOCK\n    mode: shadow\n"));

    // When it loads
    Policy policy = PolicyBundleLoader.load(dir);

    // Then the listed rule keeps its settings, every other one has its default and a warning
    assertThat(policy.builtins().get(BuiltinRule.FAN_OUT).action()).isEqualTo(Verdict.BLOCK);
    assertThat(policy.builtins().get(BuiltinRule.FAN_OUT).mode()).isEqualTo(RuleMode.SHADOW);
    List<BuiltinRule> defaulted =
        Arrays.stream(BuiltinRule.values()).filter(r -> r != BuiltinRule.FAN_OUT).toList();
    for (BuiltinRule r : defaulted) {
      assertThat(policy.builtins().get(r)).as(r.id()).isEqualTo(r.defaultSettings());
    }
    assertThat(policy.warnings()).hasSize(BuiltinRule.values().length - 1);
    for (int i = 0; i < defaulted.size(); i++) {
      PolicyWarning w = policy.warnings().get(i);
      assertThat(w.file()).isEqualTo("rules.yaml");
      assertThat(w.line()).isEqualTo(RULES_LINE);
      assertThat(w.message())
          .startsWith(
              "built-in rule '" + defaulted.get(i).id() + "' is not listed; it gets its default:");
    }
  }

  @Test
  void shouldDefaultAGateRuleToAnEnforcedEnabledBlock() {
    // Given a bundle that does not list the gate rule unknown-agent
    keepOnly(allIdsBut(BuiltinRule.UNKNOWN_AGENT));

    // When it loads, then the gate is as strong as it can be: left out is not weakened
    RuleSettings s = PolicyBundleLoader.load(dir).builtins().get(BuiltinRule.UNKNOWN_AGENT);
    assertThat(s.action()).isEqualTo(Verdict.BLOCK);
    assertThat(s.mode()).isEqualTo(RuleMode.ENFORCE);
    assertThat(s.enabled()).isTrue();
    for (BuiltinRule r : BuiltinRule.values()) {
      if (r.gate()) {
        assertThat(r.defaultSettings().action()).as(r.id()).isEqualTo(Verdict.BLOCK);
        assertThat(r.defaultSettings().mode()).as(r.id()).isEqualTo(RuleMode.ENFORCE);
        assertThat(r.defaultSettings().enabled()).as(r.id()).isTrue();
      }
    }
  }

  @Test
  void shouldStillRejectAGateRuleThatIsListedWeakened() {
    // Given every rule left out but unknown-session, which is listed in shadow mode
    keepOnly("unknown-session");
    TestBundles.write(
        dir,
        "rules.yaml",
        TestBundles.read(dir, "rules.yaml")
            .replace("    severity: HIGH\n", "    mode: shadow\n    severity: HIGH\n"));

    // When loaded, then it is rejected for the weakened gate only, and nothing is defaulted
    PolicyLoadException e =
        catchThrowableOfType(PolicyLoadException.class, () -> PolicyBundleLoader.load(dir));
    assertThat(e.errors())
        .extracting(PolicyError::message)
        .containsExactly("gate rule 'unknown-session' can't be put in shadow mode");
  }

  @Test
  void shouldWarnAtTheManifestsIncludeWhenNoFileHasARulesSection() {
    // Given a manifest that does not include rules.yaml at all
    String manifest = TestBundles.read(dir, "bundle.yaml");
    TestBundles.write(dir, "bundle.yaml", manifest.replace("  - rules.yaml\n", ""));

    // When it loads, then every built-in is defaulted, each warning at the include: key
    Policy policy = PolicyBundleLoader.load(dir);
    assertThat(policy.warnings()).hasSize(BuiltinRule.values().length);
    assertThat(policy.warnings())
        .allSatisfy(w -> assertThat(w.file() + ":" + w.line()).isEqualTo("bundle.yaml:8"));
    for (BuiltinRule r : BuiltinRule.values()) {
      assertThat(policy.builtins().get(r)).as(r.id()).isEqualTo(r.defaultSettings());
    }
  }

  @Test
  void shouldNotDefaultARuleThatIsListedWithAnError() {
    // Given fan-out listed with a bad severity
    TestBundles.write(
        dir,
        "rules.yaml",
        rules.replace(
            "  - id: fan-out\n    action: FLAG\n    severity: MEDIUM\n",
            "  - id: fan-out\n    action: FLAG\n    severity: HUGE\n"));

    // When loaded, then that is an error: a mistake is never papered over by a default
    PolicyLoadException e =
        catchThrowableOfType(PolicyLoadException.class, () -> PolicyBundleLoader.load(dir));
    assertThat(e.errors()).singleElement().asString().contains("severity: 'HUGE' is not one of");
  }

  @Test
  void shouldWarnOfNothingWhenEveryBuiltinIsListed() {
    assertThat(PolicyBundleLoader.load(dir).warnings()).isEmpty();
  }
}
