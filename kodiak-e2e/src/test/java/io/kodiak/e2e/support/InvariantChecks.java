package io.kodiak.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.cp.testing.RunningControlPlane;
import java.time.Duration;
import java.util.List;

/** The checks every end-to-end test ends with, as Kuma's own suite does. */
public final class InvariantChecks {
  private InvariantChecks() {}

  /** No proxy rejected any config, and with nothing changing nothing is regenerated or pushed. */
  public static void noNacksAndNoIdleRegeneration(RunningControlPlane cp, String mesh, List<String> proxies) {
    for (String proxy : proxies) {
      var insights = cp.controlPlane().insights();
      assertThat(insights.nacks(mesh, proxy))
          .as(() -> "NACKs from " + proxy + ": " + insights.insight(mesh, proxy).map(Object::toString).orElse("-"))
          .isZero();
    }
    // let in-flight changes settle, then require a quiet period with no generation at all
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          long before = cp.controlPlane().xdsStats().generations();
          return quiet(cp, before);
        });
  }

  private static boolean quiet(RunningControlPlane cp, long before) {
    try {
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
          .until(() -> cp.controlPlane().xdsStats().generations() == before);
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }
}
