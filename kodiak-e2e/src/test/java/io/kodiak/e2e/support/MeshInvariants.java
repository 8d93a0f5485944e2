package io.kodiak.e2e.support;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After every end-to-end test, checks every {@link Invariant} on every control plane still running
 * (in this JVM or in its own process): no proxy it knows NACKed during the test, nothing was
 * regenerated or pushed once nothing changed, and no ERROR was logged during the test (for a
 * process, in its log from where the test began; in-process, in this JVM's log). A test that breaks
 * one on purpose says so with {@link InvariantsExempt}. Registered for every test class of
 * kodiak-e2e through JUnit's extension autodetection ({@code META-INF/services} and {@code
 * junit-platform.properties}); it runs after the test method and before its {@code @AfterEach}
 * methods, which may stop what the test started. A test that already failed is not checked. Keeps
 * each test's state in the test's extension store; tests run one at a time.
 */
public final class MeshInvariants
    implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MeshInvariants.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    exemptions(context); // a bad exemption fails before the test runs
    context.getStore(NAMESPACE).put(TestWindow.class, TestWindow.open());
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      return;
    }
    TestWindow window = context.getStore(NAMESPACE).get(TestWindow.class, TestWindow.class);
    List<String> broken = window.violations(exemptions(context));
    if (!broken.isEmpty()) {
      throw new AssertionError(
          testName(context)
              + " broke "
              + broken.size()
              + " end-to-end invariant(s) ("
              + "exempt a test that does so on purpose with @InvariantsExempt):\n  "
              + String.join("\n  ", broken));
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    StartedControlPlanes.testEnded();
  }

  private static Set<Invariant> exemptions(ExtensionContext context) {
    Set<Invariant> exempt = EnumSet.noneOf(Invariant.class);
    context
        .getTestMethod()
        .map(m -> m.getAnnotation(InvariantsExempt.class))
        .ifPresent(
            annotation -> {
              if (annotation.reason().isBlank() || annotation.value().length == 0) {
                throw new IllegalStateException(
                    testName(context)
                        + ": @InvariantsExempt names no invariant or "
                        + "gives no reason");
              }
              exempt.addAll(List.of(annotation.value()));
            });
    return exempt;
  }

  private static String testName(ExtensionContext context) {
    String method =
        context.getRequiredTestClass().getSimpleName()
            + "."
            + context.getRequiredTestMethod().getName();
    return context.getDisplayName().startsWith(context.getRequiredTestMethod().getName())
        ? method
        : method + " " + context.getDisplayName();
  }
}
