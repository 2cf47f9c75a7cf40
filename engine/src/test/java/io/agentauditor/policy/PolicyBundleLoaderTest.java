package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.re2j.Pattern;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loader behaviour beyond the default and broken bundles: one mistake at a time. */
class PolicyBundleLoaderTest {

  @TempDir Path tmp;
  private Path dir;

  @BeforeEach
  void copyTheDefaultBundle() {
    dir = TestBundles.copy(TestBundles.defaultBundle(), tmp.resolve("bundle"));
  }

  private List<String> errors() {
    PolicyLoadException e =
        catchThrowableOfType(PolicyLoadException.class, () -> PolicyBundleLoader.load(dir));
    assertThat(e).as("the bundle is rejected").isNotNull();
    return e.errors().stream().map(PolicyError::toString).toList();
  }

  private void replaceIn(String rel, String from, String to) {
    String text = TestBundles.read(dir, rel);
    assertThat(text).contains(from);
    TestBundles.write(dir, rel, text.replace(from, to));
  }

  private void include(String rel, String text) {
    replaceIn("bundle.yaml", "  - rules.yaml\n", "  - rules.yaml\n  - " + rel + "\n");
    TestBundles.write(dir, rel, text);
  }

  @Test
  void shouldRejectADirectoryWithoutManifest() {
    TestBundles.write(dir, "bundle.yaml", "");
    dir = tmp.resolve("empty");
    TestBundles.write(dir, "README.md", "no manifest here\n");

    assertThat(errors())
        .singleElement()
        .asString()
        .startsWith("bundle.yaml:1: manifest bundle.yaml not found");
  }

  @Test
  void shouldRequireNameAndVersion() {
    TestBundles.write(dir, "bundle.yaml", "description: nameless\ninclude: [rules.yaml]\n");

    assertThat(errors())
        .contains(
            "bundle.yaml:1: manifest: missing required key 'name'",
            "bundle.yaml:1: manifest: missing required key 'version'");
  }

  @Test
  void shouldRejectAnUnknownBuiltinIdWithoutBlamingTheBuiltinLeftOut() {
    // Given fan-out's item renamed to an id no built-in has
    replaceIn(
        "rules.yaml",
        "  - id: fan-out\n    action: FLAG\n",
        "  - id: self-approval-2\n    action: FLAG\n");

    // Then the unknown id is the one error: fan-out, left out, would get its default
    // (BundleDefaultsTest)
    assertThat(errors())
        .singleElement()
        .asString()
        .startsWith("rules.yaml:")
        .contains("unknown built-in rule id 'self-approval-2'");
  }

  @Test
  void shouldRejectAGateRuleThatDoesNotBlock() {
    replaceIn(
        "rules.yaml",
        "  - id: unknown-agent\n    action: BLOCK\n",
        "  - id: unknown-agent\n    action: FLAG\n");

    assertThat(errors())
        .singleElement()
        .asString()
        .isEqualTo(
            "rules.yaml:29: gate rule 'unknown-agent' must BLOCK: there is no chain to go on with");
  }

  @Test
  void shouldAllowShadowingAndDisablingANonGateRule() {
    replaceIn(
        "rules.yaml",
        "  - id: fan-out\n    action: FLAG\n",
        "  - id: fan-out\n    action: BLOCK\n    mode: shadow\n");
    replaceIn(
        "rules.yaml",
        "  - id: static-credential\n    action: FLAG\n",
        "  - id: static-credential\n    enabled: false\n    action: FLAG\n");

    Policy p = PolicyBundleLoader.load(dir);

    assertThat(p.builtins().get(BuiltinRule.FAN_OUT).mode())
        .isEqualTo(io.agentauditor.model.RuleMode.SHADOW);
    assertThat(p.builtins().get(BuiltinRule.FAN_OUT).action())
        .isEqualTo(io.agentauditor.model.Verdict.BLOCK);
    assertThat(p.builtins().get(BuiltinRule.STATIC_CREDENTIAL).enabled()).isFalse();
  }

  @Test
  void shouldRejectALatticeCycleAndAWildcardAction() {
    TestBundles.write(dir, "lattice.yaml", "lattice:\n  admin: [write]\n  write: [admin]\n");
    assertThat(errors())
        .singleElement()
        .asString()
        .startsWith("lattice.yaml:1: lattice: action lattice has a cycle");

    TestBundles.write(dir, "lattice.yaml", "lattice:\n  admin: [write, '*']\n");
    assertThat(errors())
        .singleElement()
        .asString()
        .startsWith("lattice.yaml:2: lattice.admin: '*' is not an action");
  }

  @Test
  void shouldRejectASettingOrToolOrLatticeDefinedTwice() {
    include(
        "more.yaml",
        "settings:\n"
            + "  maxDelegationDepth: 5\n"
            + "tools:\n"
            + "  secrets.get:\n"
            + "    requiredScopes: [\"read:secrets/{path}\"]\n"
            + "lattice:\n"
            + "  admin: [read]\n");

    assertThat(errors())
        .containsExactly(
            "more.yaml:2: setting 'maxDelegationDepth' is already set at settings.yaml:5",
            "more.yaml:4: tool 'secrets.get' is already defined at tools.yaml:27",
            "more.yaml:6: lattice is already defined at lattice.yaml:4");
  }

  @Test
  void shouldLoadBoundariesInTheirOrder() {
    include(
        "boundaries.yaml",
        "boundaries:\n"
            + "  - agents: \"agent:ci-*\"\n"
            + "    description: CI agents\n"
            + "    scopes: [\"read:repo/**\"]\n"
            + "  - agents: \"*\"\n"
            + "    scopes: []\n");

    Policy policy = PolicyBundleLoader.load(dir);

    assertThat(policy.boundaries())
        .containsExactly(
            new AgentBoundary("agent:ci-*", List.of(io.agentauditor.model.Scope.parse("read:repo/**"))),
            new AgentBoundary("*", List.of()));
    assertThat(PolicyBundleLoader.load(TestBundles.defaultBundle()).boundaries()).isEmpty();
  }

  private static final String FINGERPRINT = "0123456789abcdef0123456789abcdef";

  @Test
  void shouldLoadWaiversExpiredOnesIncluded() {
    include(
        "waivers.yaml",
        "waivers:\n"
            + "  - file: infra/legacy/main.tf\n"
            + "    rule: long-lived-secret-in-code\n"
            + "    fingerprint: " + FINGERPRINT + "\n"
            + "    reason: the legacy key is rotated by hand until the module is retired\n"
            + "    expires: 2099-03-31\n"
            + "  - file: .env.example\n"
            + "    rule: insecure-secret-storage\n"
            + "    fingerprint: \"" + FINGERPRINT + "\"\n"
            + "    reason: a documented fake token\n"
            + "    expires: \"2020-01-31\"\n");

    Policy policy = PolicyBundleLoader.load(dir);

    assertThat(policy.waivers())
        .containsExactly(
            new Waiver(
                "infra/legacy/main.tf",
                "long-lived-secret-in-code",
                FINGERPRINT,
                "the legacy key is rotated by hand until the module is retired",
                java.time.LocalDate.of(2099, 3, 31),
                "waivers.yaml:2"),
            new Waiver(
                ".env.example",
                "insecure-secret-storage",
                FINGERPRINT,
                "a documented fake token",
                java.time.LocalDate.of(2020, 1, 31),
                "waivers.yaml:7"));
    assertThat(policy.waivers().get(1).expiredOn(java.time.LocalDate.of(2020, 1, 31))).isFalse();
    assertThat(policy.waivers().get(1).expiredOn(java.time.LocalDate.of(2020, 2, 1))).isTrue();
    assertThat(PolicyBundleLoader.load(TestBundles.defaultBundle()).waivers()).isEmpty();
  }

  @Test
  void shouldRejectBadWaiversWithEveryErrorAtItsLine() {
    include("more.yaml", "waivers: []\n"); // included after waivers.yaml
    include(
        "waivers.yaml",
        "waivers:\n"
            + "  - file: /etc/passwd\n"
            + "    rule: unknown-tool\n"
            + "    fingerprint: ABC\n"
            + "    reason: \"\"\n"
            + "    expires: 2027-02-30\n"
            + "  - file: a.tf\n"
            + "    rule: secret-in-arguments\n"
            + "    fingerprint: " + FINGERPRINT + "\n"
            + "    reason: fine\n"
            + "    expires: 2027-01-01\n"
            + "  - file: a.tf\n"
            + "    rule: secret-in-arguments\n"
            + "    fingerprint: " + FINGERPRINT + "\n"
            + "    reason: the same again\n"
            + "    expires: 2028-01-01\n"
            + "  - file: b.tf\n"
            + "    rule: secret-in-arguments\n"
            + "    reason: no fingerprint, no expiry\n");

    assertThat(errors())
        .containsExactly(
            "waivers.yaml:2: waivers[0].file '/etc/passwd' must be a relative path, with / separators",
            "waivers.yaml:3: waivers[0].rule: 'unknown-tool' is not one of secret-in-arguments,"
                + " insecure-secret-storage, long-lived-secret-in-code",
            "waivers.yaml:4: waivers[0].fingerprint 'ABC' must be 32 lower-case hex digits, as the"
                + " check reports it",
            "waivers.yaml:5: waivers[0].reason must not be empty",
            "waivers.yaml:6: waivers[0].expires '2027-02-30' must be a date, YYYY-MM-DD",
            "waivers.yaml:12: waivers[2]: the same file, rule and fingerprint are waived at"
                + " waivers.yaml:7",
            "waivers.yaml:17: waivers[3]: missing required key 'fingerprint'",
            "waivers.yaml:17: waivers[3]: missing required key 'expires'",
            "more.yaml:1: waivers are already defined at waivers.yaml:1");
  }

  @Test
  void shouldRejectBadBoundariesWithEveryErrorAtItsLine() {
    include("more.yaml", "boundaries: []\n"); // included after boundaries.yaml
    include(
        "boundaries.yaml",
        "boundaries:\n"
            + "  - agents: \"agent:a\"\n"
            + "    scopes: [\"read:repo/**\", \"read:/x\", \"nope\"]\n"
            + "  - agents: \"\"\n"
            + "    scopes: []\n"
            + "  - scopes: [\"read:x\"]\n"
            + "  - agents: \"agent:a\"\n"
            + "    scope: []\n"
            + "  - agents: \"agent:b\"\n"
            + "    scopes: \"read:x\"\n");

    assertThat(errors())
        .containsExactly(
            "boundaries.yaml:3: boundaries[0].scopes: malformed scope \"read:/x\": empty segment",
            "boundaries.yaml:3: boundaries[0].scopes: malformed scope \"nope\": expected ACTION:RESOURCE",
            "boundaries.yaml:4: boundaries[1].agents must not be empty",
            "boundaries.yaml:6: boundaries[2]: missing required key 'agents'",
            "boundaries.yaml:8: boundaries[3]: unknown key 'scope' (did you mean 'scopes'?); expected one of agents, scopes, description",
            "boundaries.yaml:7: boundaries[3]: missing required key 'scopes'",
            "boundaries.yaml:10: boundaries[4].scopes must be a list",
            "more.yaml:1: boundaries are already defined at boundaries.yaml:1");
  }

  @Test
  void shouldRejectUnknownSectionsAndDuplicateKeys() {
    include(
        "more.yaml",
        "secretPattern:\n"
            + "  - id: x\n"
            + "tools:\n"
            + "  a.b:\n"
            + "    requiredScopes: []\n"
            + "    requiredScopes: []\n");

    assertThat(errors())
        .containsExactly(
            "more.yaml:1: bundle file: unknown key 'secretPattern' (did you mean"
                + " 'secretPatterns'?); expected one of settings, lattice, tools, secretPatterns,"
                + " codePatterns, rules, customRules, boundaries, waivers",
            "more.yaml:6: tool 'a.b': duplicate key 'requiredScopes' (first at line 5)");
  }

  @Test
  void shouldRejectPlaceholdersInTheActionAndMalformedOnes() {
    assertThat(PolicyBundleLoader.templateProblem("{verb}:repo/{repo}")).contains("resource only");
    assertThat(PolicyBundleLoader.templateProblem("read:repo/{re-po}"))
        .contains("malformed placeholder");
    assertThat(PolicyBundleLoader.templateProblem("read:repo/{}"))
        .contains("malformed placeholder");
    assertThat(PolicyBundleLoader.templateProblem("read:repo/{repo}/")).contains("empty segment");
    assertThat(PolicyBundleLoader.templateProblem("read:repo/**/{x}"))
        .contains("last segment only");
    assertThat(PolicyBundleLoader.templateProblem("write:deploy/{env}/{service}")).isNull();
    assertThat(PolicyBundleLoader.templateProblem("read:repo/acme-{name}/**")).isNull();
  }

  @Test
  void shouldRejectAPatternThatMatchesTheEmptyString() {
    include(
        "more.yaml",
        "secretPatterns:\n  - id: everything\n    description: oops\n    regex: 'a*'\n");

    assertThat(errors())
        .singleElement()
        .asString()
        .startsWith(
            "more.yaml:4: secretPatterns 'everything' regex: 'a*' matches the empty string");
  }

  @Test
  void shouldValidateReferences() {
    assertThat(PolicyBundleLoader.referenceProblem("NHI7")).isNull();
    assertThat(PolicyBundleLoader.referenceProblem("ASI03")).isNull();
    assertThat(PolicyBundleLoader.referenceProblem("PR.AA")).isNull();
    assertThat(PolicyBundleLoader.referenceProblem("PR.AA-05")).isNull();
    assertThat(PolicyBundleLoader.referenceProblem("CWE-798")).isNull();
    assertThat(PolicyBundleLoader.referenceProblem("NHI11")).isNotNull();
    assertThat(PolicyBundleLoader.referenceProblem("ASI3")).isNotNull();
    assertThat(PolicyBundleLoader.referenceProblem("PR.XX")).isNotNull();
  }

  @Test
  void shouldRejectMoreThanOneYamlDocumentInAFile() {
    TestBundles.write(dir, "lattice.yaml", "lattice:\n  admin: [write]\n---\nlattice: {}\n");

    assertThat(errors())
        .singleElement()
        .asString()
        .startsWith("lattice.yaml:4: a bundle file holds one YAML document");
  }

  @Test
  void shouldRejectAKeywordThatIsNotInTheRegex() {
    replaceIn("patterns/secrets.yaml", "    keywords: [ghp_]\n", "    keywords: [gph_]\n");

    assertThat(errors())
        .singleElement()
        .asString()
        .matches("patterns/secrets\\.yaml:\\d+: secretPatterns 'github-classic-token' keyword 'gph_'"
            + " does not occur in its regex.*");
  }

  @Test
  void shouldRejectAnEmptyKeywordAndAnEmptyKeywordList() {
    replaceIn("patterns/secrets.yaml", "    keywords: [xox]\n", "    keywords: [xox, '']\n");
    replaceIn("patterns/code.yaml", "    keywords: [expiration]\n", "    keywords: []\n");

    assertThat(errors())
        .hasSize(2)
        .anyMatch(
            e ->
                e.matches("patterns/secrets\\.yaml:\\d+: secretPatterns 'slack-token' keywords item"
                    + " must not be empty"))
        .anyMatch(
            e ->
                e.matches("patterns/code\\.yaml:\\d+: codePatterns 'token-expiration-never' keywords"
                    + " must list at least one keyword, or be left out"));
  }

  @Test
  void shouldLoadTheKeywordsOfEachDefaultPattern() {
    Policy policy = PolicyBundleLoader.load(dir);

    assertThat(policy.secretPatterns())
        .filteredOn(p -> p.id().equals("aws-access-key-id"))
        .singleElement()
        .extracting(NamedPattern::keywords)
        .isEqualTo(List.of("AKIA", "ASIA"));
    assertThat(policy.secretPatterns()).allSatisfy(p -> assertThat(p.keywords()).isNotEmpty());
    assertThat(policy.codePatterns()).allSatisfy(p -> assertThat(p.keywords()).isNotEmpty());
  }

  @Test
  void shouldScreenByKeywordsIgnoringCaseOnlyWhenTheRegexIgnoresCase() {
    NamedPattern exact =
        new NamedPattern("t", "", Pattern.compile("token_[a-z]+"), null, List.of("token_"));
    NamedPattern inline =
        new NamedPattern("t", "", Pattern.compile("(?i)token_[a-z]+"), null, List.of("token_"));
    NamedPattern flagged =
        new NamedPattern(
            "t", "", Pattern.compile("token_[a-z]+", Pattern.CASE_INSENSITIVE), null, List.of("token_"));

    assertThat(exact.ignoresCase()).isFalse();
    assertThat(exact.screens("TOKEN_abc")).isFalse();
    assertThat(inline.ignoresCase()).isTrue();
    assertThat(flagged.ignoresCase()).isTrue();
    // The Kelvin sign folds to k in RE2: the screen must let it through.
    assertThat(inline.screens("TO\u212AEN_abc")).isTrue();
    assertThat(inline.matches("TO\u212AEN_abc")).isTrue();
    assertThat(new NamedPattern("t", "", Pattern.compile("(?-i:x)y"), null, List.of("y")).ignoresCase())
        .isFalse();
  }

  @Test
  void shouldRefuseAnEmptyKeywordInJava() {
    assertThat(
            catchThrowableOfType(
                IllegalArgumentException.class,
                () -> new NamedPattern("t", "", Pattern.compile("x"), null, List.of(""))))
        .hasMessageContaining("empty keyword");
  }

  @Test
  void shouldFireAnUnlessPatternOnlyOnAMatchWithoutTheExclusion() {
    NamedPattern p =
        new NamedPattern(
            "block-without-ttl",
            "a block without ttl",
            Pattern.compile("\\{[^}]*\\}"),
            Pattern.compile("ttl"));

    assertThat(p.matches("{ name = 1 }")).isTrue();
    assertThat(p.matches("{ ttl = 1 }")).isFalse();
    assertThat(p.matches("{ ttl = 1 } { name = 2 }")).isTrue();
    assertThat(p.matches("ttl outside { name = 2 }")).isTrue();
    assertThat(p.matches("no block")).isFalse();
    assertThat(new NamedPattern("x", "", Pattern.compile("x*")).matches("abc")).isTrue();
  }

  @Test
  void shouldListEveryWayAGateRuleIsWeakenedNotOnlyTheFirst() {
    // Given a gate rule that is at once not BLOCK, in shadow mode and disabled
    replaceIn(
        "rules.yaml",
        "  - id: unknown-agent\n    action: BLOCK\n",
        "  - id: unknown-agent\n    action: FLAG\n    mode: shadow\n    enabled: false\n");

    // When the bundle is loaded, then each of the three errors is listed (README: every error)
    assertThat(errors())
        .anyMatch(e -> e.contains("gate rule 'unknown-agent' can't be disabled"))
        .anyMatch(e -> e.contains("gate rule 'unknown-agent' can't be put in shadow mode"))
        .anyMatch(e -> e.contains("gate rule 'unknown-agent' must BLOCK"));
  }

  @Test
  void shouldReportAShadowedGateRuleEvenWhenItsSeverityIsAlsoWrong() {
    // Given a gate rule in shadow mode whose severity is also invalid
    replaceIn(
        "rules.yaml",
        "  - id: unknown-session\n    action: BLOCK\n    severity: HIGH\n",
        "  - id: unknown-session\n    action: BLOCK\n    mode: shadow\n    severity: HUGE\n");

    // When loaded, then both mistakes are reported (contract 5: gates can't be shadowed)
    assertThat(errors())
        .anyMatch(e -> e.contains("severity: 'HUGE' is not one of"))
        .anyMatch(e -> e.contains("gate rule 'unknown-session' can't be put in shadow mode"));
  }

  @Test
  void shouldRejectOutOfRangeFrameworkIdsWhateverTheirCase() {
    // Action, mode and severity are read ignoring case, so a lower-case framework id is one too:
    // nhi11 / asi00 / pr.zz must not slip through as "free" references.
    assertThat(PolicyBundleLoader.referenceProblem("nhi11")).isNotNull();
    assertThat(PolicyBundleLoader.referenceProblem("asi00")).isNotNull();
    assertThat(PolicyBundleLoader.referenceProblem("pr.zz")).isNotNull();
  }

  @Test
  void shouldCheckACsfSubcategoryForItsCategoryAndTheShapeOfItsNumber() {
    // README: a category of the framework, and a two-digit subcategory number
    assertThat(PolicyBundleLoader.referenceProblem("PR.AA-05")).isNull();
    assertThat(PolicyBundleLoader.referenceProblem("PR.ZZ-05")).isNotNull();
    assertThat(PolicyBundleLoader.referenceProblem("PR.AA-5")).isNotNull();
  }

  /** The NIST AI RMF 1.0 core (NIST AI 100-1, section 5), written out: 72 subcategories. */
  private static final List<String> AI_RMF_CORE =
      List.of(
          "GOVERN 1.1-1.7", "GOVERN 2.1-2.3", "GOVERN 3.1-3.2", "GOVERN 4.1-4.3", "GOVERN 5.1-5.2",
          "GOVERN 6.1-6.2", "MAP 1.1-1.6", "MAP 2.1-2.3", "MAP 3.1-3.5", "MAP 4.1-4.2", "MAP 5.1-5.2",
          "MEASURE 1.1-1.3", "MEASURE 2.1-2.13", "MEASURE 3.1-3.3", "MEASURE 4.1-4.3",
          "MANAGE 1.1-1.4", "MANAGE 2.1-2.4", "MANAGE 3.1-3.2", "MANAGE 4.1-4.3");

  @Test
  void shouldAcceptEveryNistAiRmfSubcategoryAndNoNumberPastACategorysLast() {
    // Given every subcategory of the AI RMF 1.0 core, and the number right after each category's last
    int accepted = 0;
    for (String range : AI_RMF_CORE) {
      String function = range.substring(0, range.indexOf(' '));
      String[] bounds = range.substring(range.indexOf(' ') + 1).split("-");
      int category = Integer.parseInt(bounds[0].substring(0, bounds[0].indexOf('.')));
      int last = Integer.parseInt(bounds[1].substring(bounds[1].indexOf('.') + 1));
      for (int sub = 1; sub <= last; sub++) {
        // Then each subcategory is a valid reference
        assertThat(PolicyBundleLoader.referenceProblem(function + " " + category + "." + sub))
            .as(function + " " + category + "." + sub)
            .isNull();
        accepted++;
      }
      // And the next number is not
      assertThat(PolicyBundleLoader.referenceProblem(function + " " + category + "." + (last + 1)))
          .isEqualTo(
              "NIST AI RMF 1.0 has no subcategory %s %d.%d (%s %d.1 to %d.%d)",
              function, category, last + 1, function, category, category, last);
    }
    assertThat(accepted).isEqualTo(72);
  }

  @Test
  void shouldRejectAnAiRmfCategoryPastAFunctionsLast() {
    assertThat(PolicyBundleLoader.referenceProblem("GOVERN 7.1"))
        .isEqualTo("NIST AI RMF 1.0 has no category GOVERN 7 (GOVERN 1 to GOVERN 6)");
    assertThat(PolicyBundleLoader.referenceProblem("MAP 6.1")).contains("no category MAP 6");
    assertThat(PolicyBundleLoader.referenceProblem("MEASURE 5.1"))
        .contains("no category MEASURE 5");
    assertThat(PolicyBundleLoader.referenceProblem("MANAGE 5.1")).contains("no category MANAGE 5");
    assertThat(PolicyBundleLoader.referenceProblem("MANAGE 99999999999.1"))
        .contains("no category MANAGE 99999999999");
  }

  @Test
  void shouldRejectAnAiRmfReferenceNotWrittenAsFunctionSpaceNumberInUpperCase() {
    // The function in upper case, one space, category.subcategory: anything else near it is an
    // error, not a free reference (as nhi11 is no free reference).
    for (String ref :
        List.of(
            "manage 2.4", "Manage 2.4", "MANAGE  2.4", "MANAGE\t2.4", "MANAGE2.4", "MANAGE-2.4",
            "MANAGE 2", "MANAGE", "MANAGE 2.4 ", "MANAGE 02.4", "MANAGE 2.04", "MANAGE 2.4.1",
            "MAP 0.1", "GOVERN 1.0")) {
      assertThat(PolicyBundleLoader.referenceProblem(ref))
          .as(ref)
          .startsWith("not a NIST AI RMF 1.0 subcategory");
    }
    // Words that merely start like a function stay free references.
    assertThat(PolicyBundleLoader.referenceProblem("MAPPING-7")).isNull();
    assertThat(PolicyBundleLoader.referenceProblem("Management")).isNull();
  }

  @Test
  void shouldReportAnUnknownAiRmfSubcategoryAtItsLine() {
    // Given a rule whose references name MANAGE 2.5, which the AI RMF 1.0 core does not have
    replaceIn(
        "rules.yaml",
        "    references: [NHI5, ASI08, ASI10, DE.AE, DE.CM",
        "    references: [NHI5, ASI08, ASI10, DE.AE, DE.CM, MANAGE 2.5");

    // When loaded, then it is the one error, at the line of the reference
    assertThat(errors())
        .singleElement()
        .asString()
        .matches(
            "rules\\.yaml:\\d+: rule 'fan-out': reference 'MANAGE 2\\.5': NIST AI RMF 1\\.0 has no"
                + " subcategory MANAGE 2\\.5 \\(MANAGE 2\\.1 to 2\\.4\\)");
  }

  @Test
  void shouldRejectAnIncludedFileThatIsASymlinkOutOfTheBundle() throws IOException {
    // Given lattice.yaml replaced by a symbolic link to a file outside the bundle directory
    Path outside = tmp.resolve("outside.yaml");
    Files.writeString(outside, "lattice:\n  admin: [write]\n  write: [read]\n");
    Files.delete(dir.resolve("lattice.yaml"));
    Files.createSymbolicLink(dir.resolve("lattice.yaml"), outside);

    // When loaded, then it is rejected like '../outside.yaml' is: the path escapes the bundle
    assertThat(errors()).anyMatch(e -> e.startsWith("bundle.yaml:") && e.contains("lattice.yaml"));
  }

  @Test
  void shouldReportACelErrorOfAFoldedExpressionAtTheLineOfTheFaultyText() {
    // Given a folded (>) expression whose undeclared identifier is on file line 7
    String error =
        celError(
            "    expression: >\n"
                + "      step.type == \"TOOL_CALL\"\n"
                + "      && tool.name == \"cloud.deploy\"\n"
                + "      && stepp.agentId == \"x\"\n");

    // Then the error points at line 7 (README: at the line of the faulty text)
    assertThat(error).startsWith("custom.yaml:7: custom rule 'r': CEL: undeclared reference to 'stepp'");
  }

  @Test
  void shouldReportACelErrorOfAPlainMultiLineExpressionAtTheLineOfTheFaultyText() {
    // Given a plain scalar expression continued on a second line (file line 5) holding the error
    String error =
        celError("    expression: step.type == \"TOOL_CALL\"\n      && stepp.agentId == \"x\"\n");

    // Then the error points at line 5
    assertThat(error).startsWith("custom.yaml:5: custom rule 'r': CEL: undeclared reference to 'stepp'");
  }

  /** The one error of a bundle whose custom rule 'r' (from file line 2) has {@code expressionYaml}. */
  private String celError(String expressionYaml) {
    include(
        "custom.yaml",
        "customRules:\n  - id: r\n    description: r\n"
            + expressionYaml
            + "    action: FLAG\n    severity: LOW\n");
    List<String> errors = errors();
    assertThat(errors).hasSize(1);
    return errors.get(0);
  }
}
