package io.kodiak.cp.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way (model <- store <- xds <- policy <- cp, and ca beside model), policies
 * never import each other, only the xDS server knows java-control-plane, and generation (xds
 * generate, every policy) has no way to write to the store.
 */
class LayeringTest {
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.kodiak");
  }

  @Test
  void modelDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.kodiak.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.kodiak.store..", "io.kodiak.policy..", "io.kodiak.cp..", "io.kodiak.ctl..")
        .check(classes);
  }

  @Test
  void storeDependsOnModelOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.kodiak.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.kodiak.policy..", "io.kodiak.cp..", "io.kodiak.ctl..")
        .check(classes);
  }

  @Test
  void policiesDoNotReachUpOrSideways() {
    noClasses()
        .that()
        .resideInAPackage("io.kodiak.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.kodiak.cp..", "io.kodiak.ctl..")
        .check(classes);
    slices().matching("io.kodiak.policy.(mesh*)..").should().notDependOnEachOther().check(classes);
  }

  @Test
  void xdsKnowsNoPolicyAndNoControlPlane() {
    noClasses()
        .that()
        .resideInAPackage("io.kodiak.xds..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.kodiak.policy..", "io.kodiak.cp..", "io.kodiak.ctl..", "io.kodiak.ca..")
        .check(classes);
  }

  @Test
  void theCertificateAuthorityDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.kodiak.ca..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.kodiak.model..",
            "io.kodiak.store..",
            "io.kodiak.xds..",
            "io.kodiak.policy..",
            "io.kodiak.cp..",
            "io.kodiak.ctl..")
        .check(classes);
  }

  @Test
  void kubernetesModeReachesDownOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.kodiak.k8s..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.kodiak.cp..", "io.kodiak.ctl..")
        .check(classes);
  }

  @Test
  void onlyKodiakK8sKnowsTheKubernetesClient() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.kodiak.k8s..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.fabric8..")
        .check(classes);
  }

  @Test
  void onlyTheXdsServerKnowsJavaControlPlane() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.kodiak.xds.server..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.envoyproxy.controlplane..")
        .check(classes);
  }

  @Test
  void onlyTheModuleListNamesAPolicy() {
    noClasses()
        .that()
        .resideInAnyPackage("io.kodiak.policy.core..", "io.kodiak.policy.inspect..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kodiak.policy.mesh*..")
        .check(classes);
  }

  @Test
  void generationCannotWriteToTheStore() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.kodiak.xds.generate..", "io.kodiak.xds.mesh..", "io.kodiak.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kodiak.store..")
        .check(classes);
  }

  @Test
  void nothingImportsTheControlPlane() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.kodiak.cp..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kodiak.cp..")
        .check(classes);
  }
}
