package io.kodiak.cp.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dependencies point one way (model <- store <- policy <- cp) and policies never import each other. */
class LayeringTest {
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.kodiak");
  }

  @Test
  void modelDependsOnNothingOfOurs() {
    noClasses().that().resideInAPackage("io.kodiak.model..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kodiak.store..", "io.kodiak.policy..", "io.kodiak.cp..",
            "io.kodiak.ctl..")
        .check(classes);
  }

  @Test
  void storeDependsOnModelOnly() {
    noClasses().that().resideInAPackage("io.kodiak.store..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kodiak.policy..", "io.kodiak.cp..", "io.kodiak.ctl..")
        .check(classes);
  }

  @Test
  void policiesDoNotReachUpOrSideways() {
    noClasses().that().resideInAPackage("io.kodiak.policy..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kodiak.cp..", "io.kodiak.ctl..")
        .check(classes);
    slices().matching("io.kodiak.policy.(mesh*)..").should().notDependOnEachOther().check(classes);
  }

  @Test
  void nothingImportsTheControlPlane() {
    noClasses().that().resideOutsideOfPackage("io.kodiak.cp..")
        .should().dependOnClassesThat().resideInAPackage("io.kodiak.cp..")
        .check(classes);
  }
}
