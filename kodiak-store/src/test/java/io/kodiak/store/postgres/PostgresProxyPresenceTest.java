package io.kodiak.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.model.testing.TestResources.ManualClock;
import io.kodiak.store.testing.PostgresServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who holds which proxy, as replicas see it: only live replicas count. */
class PostgresProxyPresenceTest {
  private static PostgresServer server;
  private static PostgresOptions options;

  @BeforeAll
  static void start() {
    server = PostgresServer.start();
    server.createDatabase("presence");
    options = PostgresResourceStoreTest.options(server, "presence");
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
  void aProxyHeldByALiveReplicaIsHeldElsewhereUntilThatReplicaDiesOrLetsGo() throws Exception {
    try (PostgresResourceStore store = new PostgresResourceStore(options, new ManualClock())) {
      PostgresProxyPresence a = store.presence("replica-a");
      PostgresProxyPresence b = store.presence("replica-b");
      PostgresLeaderLock aliveA = PostgresLeaderLock.join(options, "replica-a", QUIET);
      PostgresLeaderLock aliveB = PostgresLeaderLock.join(options, "replica-b", QUIET);
      try {
        a.connected("default.web-1");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> b.heldElsewhere("default.web-1").isPresent());
        assertThat(b.heldElsewhere("default.web-1")).contains("replica-a");
        assertThat(a.heldElsewhere("default.web-1")).isEmpty(); // its own, not elsewhere

        // the proxy moves to b; a's late disconnect does not erase b's claim
        b.connected("default.web-1");
        a.disconnected("default.web-1");
        assertThat(a.heldElsewhere("default.web-1")).contains("replica-b");

        // a dies (its election session ends): its rows no longer count
        a.connected("default.web-2");
        aliveA.close();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> b.heldElsewhere("default.web-2").isEmpty());
      } finally {
        aliveA.close();
        aliveB.close();
      }
    }
  }
}
