package io.kodiak.cp.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.kodiak.cp.metrics.MeteredStore;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.store.api.ResourceStore;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writes go through one door: among the control plane's classes only {@link ResourceManager} writes
 * to the {@link ResourceStore}. {@link MeteredStore} is the one exception: a decorator that times
 * the writes it passes on, and is itself the store the manager writes to.
 */
class StoreWritesTest {
  private static final Set<String> WRITES = Set.of("create", "update", "delete", "putSetting");
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.kodiak.cp");
  }

  @Test
  void onlyTheResourceManagerWritesToTheStore() {
    noClasses()
        .that()
        .doNotBelongToAnyOf(ResourceManager.class, MeteredStore.class)
        .should()
        .callMethodWhere(aStoreWrite())
        .because(
            "only ResourceManager writes to the store (system writes too: CA secrets, signing keys, defaults, "
                + "settings); generation and GETs never write")
        .check(classes);
  }

  @Test
  void theRuleSeesTheWritesThatAreThere() {
    assertThat(classes.get(ResourceManager.class).getMethodCallsFromSelf()).anyMatch(aStoreWrite());
  }

  private static DescribedPredicate<JavaMethodCall> aStoreWrite() {
    return DescribedPredicate.describe(
        "a ResourceStore write " + WRITES,
        call ->
            WRITES.contains(call.getName())
                && call.getTargetOwner().isAssignableTo(ResourceStore.class));
  }
}
