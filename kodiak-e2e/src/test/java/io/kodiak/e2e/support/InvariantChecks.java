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

  /**
   * The same checks against a control plane in its own process, through its REST API and log: no
   * proxy rejected any config on its current stream, no ERROR was logged, and with nothing
   * changing nothing more is pushed to any proxy.
   */
  public static void noNacksNoErrorsAndQuiet(ControlPlaneProcess cp, java.nio.file.Path log, List<String> proxies)
      throws java.io.IOException {
    for (String proxy : proxies) {
      assertThat(ProxyStatus.latestTotals(cp.url(), proxy).path("responsesRejected").asLong())
          .as(proxy + " NACKs").isZero();
    }
    assertThat(java.nio.file.Files.readAllLines(log)).noneMatch(line -> line.contains(" ERROR "));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      long before = sent(cp, proxies);
      try {
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(100))
            .until(() -> sent(cp, proxies) == before);
        return true;
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        return false;
      }
    });
  }

  private static long sent(ControlPlaneProcess cp, List<String> proxies) {
    long total = 0;
    for (String proxy : proxies) {
      total += ProxyStatus.latestTotals(cp.url(), proxy).path("responsesSent").asLong();
    }
    return total;
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
