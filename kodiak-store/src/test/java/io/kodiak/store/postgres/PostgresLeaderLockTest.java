package io.kodiak.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.store.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two replicas compete for one advisory lock on a real server. */
class PostgresLeaderLockTest {
  private static final Duration SOON = Duration.ofSeconds(15);
  private static PostgresServer server;
  private static PostgresOptions options;

  @BeforeAll
  static void start() {
    server = PostgresServer.start();
    server.createDatabase("election");
    options = PostgresResourceStoreTest.options(server, "election");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Records what a replica is told, as "elected" and "deposed". */
  static final class Replica implements PostgresLeaderLock.Candidate {
    final List<String> heard = new CopyOnWriteArrayList<>();
    volatile boolean leading;

    @Override
    public void elected() {
      leading = true;
      heard.add("elected");
    }

    @Override
    public void deposed() {
      leading = false;
      heard.add("deposed");
    }
  }

  @Test
  void oneLeadsTheOtherTakesOverWhenItLeavesOrLosesItsSession() throws Exception {
    Replica a = new Replica();
    Replica b = new Replica();
    PostgresLeaderLock lockA = PostgresLeaderLock.join(options, "a", a);
    await().atMost(SOON).until(() -> a.leading);
    PostgresLeaderLock lockB = PostgresLeaderLock.join(options, "b", b);
    try {
      // b waits inside PostgreSQL for as long as a holds the lock
      await().pollDelay(Duration.ofMillis(500)).atMost(SOON).until(() -> true);
      assertThat(b.heard).isEmpty();

      // a's session killed by the server (as after a database failover): a steps down, b leads
      try (Connection c = server.connect("election");
          Statement s = c.createStatement()) {
        s.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE application_name = 'kodiak-cp-leader a'");
      }
      await().atMost(SOON).until(() -> b.leading && !a.leading);
      assertThat(a.heard).containsExactly("elected", "deposed");

      // b leaves cleanly: a, competing again, leads
      lockB.close();
      await().atMost(SOON).until(() -> a.leading);
      assertThat(b.heard).containsExactly("elected", "deposed");
    } finally {
      lockA.close();
      lockB.close();
    }
    assertThat(a.heard).containsExactly("elected", "deposed", "elected", "deposed");
  }

  private static int sessions(String instance) throws Exception {
    try (Connection c = server.connect("election");
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kodiak-cp-leader "
                    + instance
                    + "'")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  @Test
  void aFollowerWaitingForTheLockLeavesWithItsSession() throws Exception {
    Replica a = new Replica();
    Replica b = new Replica();
    PostgresLeaderLock lockA = PostgresLeaderLock.join(options, "a2", a);
    await().atMost(SOON).until(() -> a.leading);
    PostgresLeaderLock lockB = PostgresLeaderLock.join(options, "b2", b);
    await().atMost(SOON).until(() -> sessions("b2") == 1);
    lockB.close(); // it is blocked in pg_advisory_lock: cancelled, not left waiting in the server
    await().atMost(SOON).until(() -> sessions("b2") == 0);
    assertThat(b.heard).isEmpty();
    lockA.close();
    assertThat(a.heard).containsExactly("elected", "deposed");
  }
}
