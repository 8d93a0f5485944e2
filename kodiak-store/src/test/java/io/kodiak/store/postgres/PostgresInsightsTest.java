package io.kodiak.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.model.testing.TestResources.ManualClock;
import io.kodiak.store.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Insights shared between replicas: each reads the others' rows, never its own. */
class PostgresInsightsTest {
  private static PostgresServer server;
  private static PostgresOptions options;

  @BeforeAll
  static void start() {
    server = PostgresServer.start();
    server.createDatabase("insights");
    options = PostgresResourceStoreTest.options(server, "insights");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static final PostgresLeaderLock.Candidate QUIET =
      new PostgresLeaderLock.Candidate() {
        @Override
        public void elected() {}

        @Override
        public void deposed() {}
      };

  @Test
  void eachReplicaReadsWhatTheOthersWroteAndWhetherTheyStillRun() throws Exception {
    try (PostgresResourceStore store = new PostgresResourceStore(options, new ManualClock())) {
      PostgresInsights a = store.insights("replica-a");
      PostgresInsights b = store.insights("replica-b");
      PostgresLeaderLock aliveA = PostgresLeaderLock.join(options, "replica-a", QUIET);
      try {
        a.write(Map.of("probe.a", "{\"subscriptions\": []}")); // a's session is up first
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> b.others(List.of("probe.a")).get(0).replicaAlive());
        a.write(
            Map.of(
                "default.web-1", "{\"subscriptions\": [{\"id\": \"a-1\"}]}",
                "default.web-2", "{\"subscriptions\": []}"));
        a.write(Map.of("default.web-1", "{\"subscriptions\": [{\"id\": \"a-2\"}]}")); // replaced
        b.write(Map.of("default.web-1", "{\"subscriptions\": [{\"id\": \"b-1\"}]}"));

        assertThat(a.others(List.of("default.web-1", "default.web-2")))
            .singleElement()
            .satisfies(
                row -> {
                  assertThat(row.replica()).isEqualTo("replica-b");
                  assertThat(row.json()).contains("b-1");
                  assertThat(row.replicaAlive()).isFalse(); // b holds no election session
                });
        List<PostgresInsights.Row> seenByB = b.others(List.of("default.web-1", "unknown.x"));
        assertThat(seenByB)
            .singleElement()
            .satisfies(row -> assertThat(row.json()).contains("a-2"));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> b.others(List.of("default.web-1")).get(0).replicaAlive());

        aliveA.close(); // a dies: its rows stay, marked as from a replica that no longer runs
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> !b.others(List.of("default.web-1")).get(0).replicaAlive());

        assertThat(b.others(List.of("default.web-2"))).hasSize(1);
        b.write(Map.of("default.web-2", "{\"subscriptions\": [{\"id\": \"b-2\"}]}"));
        assertThat(b.others(List.of("default.web-2"))).isEmpty(); // the dead a's row of it went
        assertThat(b.others(List.of("default.web-1"))).hasSize(1); // not written by b since

        a.forget("default.web-1"); // the Dataplane was deleted: every replica's row goes
        assertThat(b.others(List.of("default.web-1"))).isEmpty();
        assertThat(a.others(List.of("default.web-1"))).isEmpty();
        assertThat(b.others(List.of())).isEmpty();
      } finally {
        aliveA.close();
      }
    }
  }
}
