package io.agentauditor.policytest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import io.agentauditor.policy.TestBundles;
import io.agentauditor.replay.RocksDbStateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of the default bundle ({@code policies/cases/}) as a test of its own: the contract's
 * built-in rules, their boundaries, multi-finding steps, retries, idle timeouts and invalid input,
 * decided through the replay path.
 */
class PolicyCasesTest {

  @TestFactory
  Stream<DynamicTest> defaultBundleCases() {
    return cases(InMemoryStateStore::new);
  }

  /** The same cases on the scratch RocksDB store that {@code ./auditor replay} uses. */
  @TestFactory
  Stream<DynamicTest> defaultBundleCasesOnRocksDb() {
    return cases(() -> RocksDbStateStore.temporary(8L << 20));
  }

  /** On RocksDB writing a batch every two keys: reads meet held and written records mixed. */
  @TestFactory
  Stream<DynamicTest> defaultBundleCasesOnRocksDbWithTinyBatches() {
    return cases(
        () -> {
          try {
            return new RocksDbStateStore(Files.createTempDirectory("cases-"), 8L << 20, true, 2);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** The same cases through the decoded-record cache the topology and replay put in front. */
  @TestFactory
  Stream<DynamicTest> defaultBundleCasesThroughCache() {
    return cases(() -> new CachingStateStore(new InMemoryStateStore()));
  }

  /** The same cases with a cache of two records: nearly every read evicts, nothing may be lost. */
  @TestFactory
  Stream<DynamicTest> defaultBundleCasesThroughTinyCache() {
    return cases(() -> new CachingStateStore(new InMemoryStateStore(), 2));
  }

  private static Stream<DynamicTest> cases(Supplier<StateStore> stores) {
    Path bundle = TestBundles.defaultBundle();
    Policy policy = PolicyBundleLoader.load(bundle);
    List<PolicyCase> cases;
    try {
      cases = PolicyCaseLoader.load(bundle);
    } catch (CaseFileException e) {
      // A case file that does not load is a failing test that names its path and line.
      return Stream.of(DynamicTest.dynamicTest("case files load", () -> fail(e.getMessage())));
    }
    PolicyCaseRunner runner = new PolicyCaseRunner(policy);
    return cases.stream()
        .map(
            c ->
                // No file URI as test source: surefire's -Dtest filter drops dynamic tests whose
                // source is not a method.
                DynamicTest.dynamicTest(
                    c.id() + " (" + bundle.resolve(c.file()) + ":" + c.line() + ")",
                    () -> {
                      StateStore store = stores.get();
                      CaseResult result;
                      try {
                        result = runner.run(c, store);
                      } finally {
                        if (store instanceof AutoCloseable closeable) {
                          closeable.close();
                        }
                      }
                      assertThat(result.passed())
                          .withFailMessage("%s%n%s", c.id(), result.diff())
                          .isTrue();
                    }));
  }
}
