package io.agentauditor.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine module's boundaries that Maven can't see. Maven's enforcer keeps Kafka, Avro, Jackson
 * and RocksDB off the module's classpath; these rules hold the layers inside it: the model at the
 * bottom (no other package of ours but {@code text}), the policy over it, the engine over both,
 * and no cycles.
 */
class ArchitectureTest {

  private static JavaClasses engineModule;

  @BeforeAll
  static void importTheModule() {
    engineModule =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.agentauditor");
  }

  @Test
  void shouldKeepKafkaAvroJacksonAndRocksDbOutOfTheEngine() {
    ArchRule rule =
        noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "org.apache.kafka..",
                "org.apache.avro..",
                "com.fasterxml.jackson..",
                "org.rocksdb..",
                "io.agentauditor.schema..");
    rule.check(engineModule);
  }

  @Test
  void shouldKeepTheModelFreeOfThePolicyTheEngineAndAnyLibrary() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.agentauditor.model..")
            .should()
            .dependOnClassesThat()
            .resideOutsideOfPackages("java..", "io.agentauditor.model..", "io.agentauditor.text..");
    rule.check(engineModule);
  }

  @Test
  void shouldKeepThePolicyFreeOfTheEngine() {
    noClasses()
        .that()
        .resideInAPackage("io.agentauditor.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.agentauditor.engine..")
        .check(engineModule);
  }

  @Test
  void shouldLeaveBundleFilesToThePolicyLoader() {
    noClasses()
        .that()
        .resideInAPackage("io.agentauditor.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.yaml..", "java.nio.file..")
        .check(engineModule);
  }

  @Test
  void shouldHaveNoCyclesBetweenPackages() {
    slices().matching("io.agentauditor.(*)..").should().beFreeOfCycles().check(engineModule);
  }
}
