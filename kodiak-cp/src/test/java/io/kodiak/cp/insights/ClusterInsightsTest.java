package io.kodiak.cp.insights;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.model.testing.TestResources.ManualClock;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Insights merged from this replica's memory and the others' rows, and a store that is away. */
class ClusterInsightsTest {
  private final ManualClock clock = new ManualClock();
  private final DataplaneInsights local = new DataplaneInsights(clock, "replica-a");

  /** The other replicas' rows, as the shared store would give them, or its failure. */
  private static final class Others implements SharedInsights {
    final AtomicInteger asked = new AtomicInteger();
    volatile boolean away;
    volatile List<Remote> rows = List.of();

    @Override
    public void write(Map<String, String> jsonByNode, Set<String> deleted) {}

    @Override
    public List<Remote> others(Collection<String> nodeIds) throws SQLException {
      asked.incrementAndGet();
      if (away) {
        throw new SQLException("Connection is not available, request timed out after 5000ms");
      }
      return rows;
    }
  }

  @Test
  void subscriptionsOfEveryReplicaAreMergedByConnectTimeAndADeadReplicasStreamEnded() {
    Others others = new Others();
    others.rows =
        List.of(
            new SharedInsights.Remote(
                "default.web-1",
                "replica-b",
                "{\"subscriptions\": [{\"id\": \"b-1\", \"controlPlaneInstanceId\": \"replica-b\","
                    + " \"connectTime\": {\"seconds\": 100, \"nanos\": 0}}]}",
                Instant.ofEpochSecond(150),
                false));
    clock.advance(Duration.ofDays(1));
    local.connected("default", "web-1", 7, "1.40.0", "0.1.0");
    var merged = new ClusterInsights(local, others, clock).of("default", List.of("web-1"));
    var subscriptions = merged.get("web-1").path("subscriptions");
    assertThat(subscriptions).hasSize(2);
    assertThat(subscriptions.get(0).path("controlPlaneInstanceId").asText()).isEqualTo("replica-b");
    assertThat(subscriptions.get(0).at("/disconnectTime/seconds").asLong()).isEqualTo(150);
    assertThat(subscriptions.get(1).path("controlPlaneInstanceId").asText()).isEqualTo("replica-a");
    assertThat(subscriptions.get(1).has("disconnectTime")).isFalse();
  }

  @Test
  void whileTheSharedStoreIsAwayTheLocalViewIsShownWithoutAskingItAgainAndAgain() {
    Others others = new Others();
    others.away = true;
    local.connected("default", "web-1", 7, "1.40.0", "0.1.0");
    ClusterInsights insights = new ClusterInsights(local, others, clock);
    for (int i = 0; i < 5; i++) {
      assertThat(insights.of("default", List.of("web-1")).get("web-1").path("subscriptions"))
          .hasSize(1);
    }
    assertThat(others.asked.get()).isEqualTo(1); // not once per answer while it is away
    clock.advance(ClusterInsights.BACK_OFF);
    others.away = false;
    insights.of("default", List.of("web-1"));
    assertThat(others.asked.get()).isEqualTo(2); // asked again after the back-off
  }
}
