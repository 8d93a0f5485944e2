package io.kodiak.store.postgres;

import static io.kodiak.model.testing.TestResources.mesh;
import static io.kodiak.model.testing.TestResources.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.testing.TestResources.ManualClock;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceConflictException;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.StoreUnavailableException;
import io.kodiak.store.testing.PostgresServer;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only a shared database has: two stores (each with its own pool and change feed, as two
 * control planes have) on one PostgreSQL database, and that database going away.
 */
class SharedDatabaseTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final Duration SOON = Duration.ofSeconds(10);
  private static PostgresServer server;

  private final ManualClock clock = new ManualClock();
  private final List<ResourceChange> seenByB = new CopyOnWriteArrayList<>();
  private String database;
  private PostgresResourceStore a;
  private PostgresResourceStore b;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void openTwoStores() {
    database = "shared" + DATABASES.incrementAndGet();
    server.createDatabase(database);
    a = open();
    b = open();
    b.addListener(seenByB::add);
  }

  @AfterEach
  void closeStores() {
    a.close();
    b.close();
  }

  private PostgresResourceStore open() {
    return new PostgresResourceStore(PostgresResourceStoreTest.options(server, database), clock);
  }

  private static ResourceKey timeoutKey(String name) {
    return ResourceKey.of(ResourceCatalog.MESH_TIMEOUT, "demo", name);
  }

  @Test
  void aWriteOnOneIsSeenByTheOtherWithItsEvent() {
    a.create(mesh("demo"));
    Resource created = a.create(timeout("demo", "t1", "1s"));
    await().atMost(SOON).until(() -> b.get(created.key()).isPresent());
    assertThat(b.get(created.key())).contains(created);

    Resource updated = a.update(timeout("demo", "t1", "2s"), created.meta().version());
    await().atMost(SOON).until(() -> b.get(created.key()).equals(Optional.of(updated)));
    a.delete(created.key());
    await().atMost(SOON).until(() -> b.get(created.key()).isEmpty());

    assertThat(seenByB)
        .extracting(c -> c.kind() + " " + c.resource().name())
        .containsExactly("CREATED demo", "CREATED t1", "UPDATED t1", "DELETED t1");
  }

  @Test
  void concurrentWritersAndLostFeedsLeaveEveryCopyAsTheDatabaseHasIt() throws Exception {
    a.create(mesh("demo"));
    List<String> names = List.of("r0", "r1", "r2");
    List<RuntimeException> unexpected = new CopyOnWriteArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      PostgresResourceStore store = t % 2 == 0 ? a : b; // both stores write, racing
      Random random = new Random(t);
      writers.add(
          new Thread(
              () -> {
                for (int i = 0; i < 150; i++) {
                  String name = names.get(random.nextInt(names.size()));
                  try {
                    switch (random.nextInt(3)) {
                      case 0 -> store.create(timeout("demo", name, i + "s"));
                      case 1 -> {
                        Optional<Resource> current = store.get(timeoutKey(name));
                        if (current.isPresent()) {
                          store.update(
                              timeout("demo", name, (1000 + i) + "s"),
                              current.get().meta().version());
                        }
                      }
                      default -> store.delete(timeoutKey(name));
                    }
                  } catch (ResourceAlreadyExistsException
                      | ResourceNotFoundException
                      | ResourceConflictException e) {
                    // lost a race: expected, and it must leave nothing behind
                  } catch (RuntimeException e) {
                    unexpected.add(e);
                    return;
                  }
                }
              }));
    }
    writers.forEach(Thread::start);
    for (int cut = 0; cut < 3; cut++) { // both feeds lost and caught up while the writers race
      Thread.sleep(150);
      try (Connection c = server.connect(database);
          Statement s = c.createStatement()) {
        s.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
                + " AND datname = current_database()");
      }
    }
    for (Thread writer : writers) {
      writer.join(Duration.ofSeconds(60).toMillis());
      assertThat(writer.isAlive()).as("a writer still waiting after a minute").isFalse();
    }
    assertThat(unexpected).isEmpty();
    try (PostgresResourceStore fresh = open()) { // reads everything from the database
      for (String name : names) {
        Optional<Resource> truth = fresh.get(timeoutKey(name));
        await().atMost(SOON).until(() -> a.get(timeoutKey(name)).equals(truth));
        await().atMost(SOON).until(() -> b.get(timeoutKey(name)).equals(truth));
      }
    }
  }

  @Test
  void concurrentCreatesGoTogetherYetEachKeepsItsOwnOutcome() throws Exception {
    a.create(mesh("demo"));
    int callers = 24;
    AtomicInteger created = new AtomicInteger();
    AtomicInteger existed = new AtomicInteger();
    AtomicInteger noMesh = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      int n = t;
      threads.add(
          new Thread(
              () -> {
                try {
                  switch (n % 3) {
                    case 0 -> a.create(timeout("demo", "same", n + "s")); // one of 8 wins
                    case 1 -> a.create(timeout("demo", "own-" + n, n + "s"));
                    default -> a.create(timeout("missing", "lost-" + n, n + "s"));
                  }
                  created.incrementAndGet();
                } catch (ResourceAlreadyExistsException e) {
                  existed.incrementAndGet();
                } catch (ResourceNotFoundException e) {
                  assertThat(e.getMessage()).contains("missing");
                  noMesh.incrementAndGet();
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join(Duration.ofSeconds(60).toMillis());
      assertThat(thread.isAlive()).as("a create still waiting after a minute").isFalse();
    }
    assertThat(created.get()).isEqualTo(1 + 8);
    assertThat(existed.get()).isEqualTo(7);
    assertThat(noMesh.get()).isEqualTo(8);
    try (PostgresResourceStore fresh = open()) {
      assertThat(fresh.list(ResourceCatalog.MESH_TIMEOUT, ListQuery.all(Optional.empty())).total())
          .isEqualTo(9);
    }
  }

  @Test
  void optimisticVersionsHoldAcrossStores() {
    a.create(mesh("demo"));
    Resource created = a.create(timeout("demo", "t1", "1s"));
    await().atMost(SOON).until(() -> b.get(created.key()).isPresent());

    a.update(timeout("demo", "t1", "2s"), created.meta().version());
    // b has not necessarily seen a's update: the database refuses b's stale version all the same
    assertThatThrownBy(() -> b.update(timeout("demo", "t1", "3s"), created.meta().version()))
        .isInstanceOf(ResourceConflictException.class)
        .hasMessageContaining("expected version 1 but found 2");
    assertThatThrownBy(() -> b.create(timeout("demo", "t1", "9s")))
        .isInstanceOf(ResourceAlreadyExistsException.class);
    await().atMost(SOON).until(() -> b.get(created.key()).orElseThrow().meta().version() == 2);
    assertThat(a.get(created.key()).orElseThrow().spec().at("/to/0/default/idleTimeout").asText())
        .isEqualTo("2s");
  }

  @Test
  void aMeshDeletedOnOneRefusesCreatesOnTheOther() {
    a.create(mesh("demo"));
    await().atMost(SOON).until(() -> b.get(mesh("demo").key()).isPresent());
    a.create(timeout("demo", "t1", "1s"));
    a.delete(mesh("demo").key());
    // b may still hold the Mesh in memory; the database says it is gone
    assertThatThrownBy(() -> b.create(timeout("demo", "t2", "1s")))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("demo");
    await()
        .atMost(SOON)
        .until(
            () ->
                b.get(timeoutKey("t1")).isEmpty()
                    && b.count(ResourceCatalog.MESH, Optional.empty()) == 0);
  }

  @Test
  void aRowWrittenOutsideKodiakIsAnnouncedToo() throws Exception {
    a.create(mesh("demo"));
    Resource created = a.create(timeout("demo", "t1", "1s"));
    try (Connection c = server.connect(database);
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE resources SET version = version + 1, spec = replace(spec, '1s', '7s')"
              + " WHERE name = 't1'");
    }
    await()
        .atMost(SOON)
        .until(
            () ->
                b.get(created.key())
                        .orElseThrow()
                        .spec()
                        .at("/to/0/default/idleTimeout")
                        .asText()
                        .equals("7s")
                    && a.get(created.key()).orElseThrow().meta().version() == 2);
  }

  @Test
  void aChangeMissedWhileTheFeedWasDownIsCaughtUp() throws Exception {
    a.create(mesh("demo"));
    await().atMost(SOON).until(() -> b.get(mesh("demo").key()).isPresent());
    // cut every listening connection (b's and a's), then write at once: the notifications of this
    // write go to no one, or to a feed that reconnected already; either way b must end up with it
    try (Connection c = server.connect(database);
        Statement s = c.createStatement()) {
      s.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
              + " AND datname = current_database()");
    }
    Resource created = a.create(timeout("demo", "missed", "1s"));
    await().atMost(SOON).until(() -> b.get(created.key()).equals(Optional.of(created)));
    assertThat(seenByB).extracting(ResourceChange::kind).contains(ChangeKind.CREATED);
  }

  @Test
  void whileTheDatabaseIsDownReadsAnswerWritesAreRefusedAndItRecoversByItself() throws Exception {
    a.create(mesh("demo"));
    Resource kept = a.create(timeout("demo", "kept", "1s"));
    await().atMost(SOON).until(() -> b.get(kept.key()).isPresent());
    server.crash();
    try {
      assertThat(a.get(kept.key())).contains(kept);
      assertThat(b.count(ResourceCatalog.MESH_TIMEOUT, Optional.of("demo"))).isEqualTo(1);
      assertThatThrownBy(() -> a.create(timeout("demo", "refused", "1s")))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("PostgreSQL")
          .hasMessageContaining("refused")
          .hasMessageNotContaining(server.password());
      assertThat(a.get(timeoutKey("refused"))).isEmpty();
    } finally {
      server.restart();
    }
    // no restart of the stores: the pool and the feeds reconnect on their own
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> a.create(timeout("demo", "after", "1s")) != null);
    await().atMost(Duration.ofSeconds(30)).until(() -> b.get(timeoutKey("after")).isPresent());
    assertThat(b.get(timeoutKey("refused"))).isEmpty();
  }

  @Test
  void aWrongPasswordIsRefusedWithoutEchoingIt() {
    PostgresOptions good = PostgresResourceStoreTest.options(server, database);
    String guess = "guess-" + server.password().substring(0, 6) + "-not-it";
    PostgresOptions wrong =
        new PostgresOptions(
            good.host(),
            good.port(),
            good.user(),
            guess,
            database,
            2,
            Duration.ofSeconds(2),
            good.tls(),
            "");
    assertThatThrownBy(() -> new PostgresResourceStore(wrong, clock))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("kodiak@127.0.0.1:" + server.port() + "/" + database)
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining(guess);
    assertThat(wrong.toString()).doesNotContain(guess);
  }

  @Test
  void noServerAtTheAddressIsAClearError() throws Exception {
    int closedPort;
    try (var socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    PostgresOptions nowhere =
        new PostgresOptions(
            "127.0.0.1",
            closedPort,
            "kodiak",
            "x",
            "kodiak",
            2,
            Duration.ofSeconds(1),
            PostgresOptions.TlsMode.disable,
            "");
    assertThatThrownBy(() -> new PostgresResourceStore(nowhere, clock))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(
            "cannot reach PostgreSQL at kodiak@127.0.0.1:" + closedPort + "/kodiak");
  }
}
