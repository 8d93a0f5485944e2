package io.kodiak.cp.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.store.testing.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Control planes on one real PostgreSQL database ({@code store.type: postgres}): every replica
 * serves the API, one leads the singleton work, the admin token is one, and a database outage
 * refuses writes with 503 while reads go on, until it comes back by itself.
 */
class PostgresReplicasTest {
  private static final Duration SOON = Duration.ofSeconds(30);
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer server;

  @TempDir Path dir;
  private final List<RunningControlPlane> started = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private String database;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void stopReplicas() {
    started.forEach(RunningControlPlane::close);
  }

  private RunningControlPlane replica(String name) {
    RunningControlPlane cp =
        RunningControlPlane.onPostgres(dir.resolve(name), server, database, Map.of());
    started.add(cp);
    return cp;
  }

  private void newDatabase() {
    database = "replicas" + DATABASES.incrementAndGet();
    server.createDatabase(database);
  }

  private static final String TIMEOUT =
      """
      {"type": "MeshTimeout", "mesh": "default", "name": "shared-timeout",
       "spec": {"targetRef": {"kind": "Mesh"},
                "to": [{"targetRef": {"kind": "Mesh"}, "default": {"idleTimeout": "%s"}}]}}
      """;

  @Test
  void everyReplicaServesTheSameMeshAndOneLeads() throws Exception {
    newDatabase();
    RunningControlPlane a = replica("a");
    RunningControlPlane b = replica("b");
    assertThat(b.adminToken()).isEqualTo(a.adminToken()); // one token, in each data directory

    await().atMost(SOON).until(() -> leaderGauge(a) + leaderGauge(b) == 1);
    RunningControlPlane leader = leaderGauge(a) == 1 ? a : b;
    RunningControlPlane follower = leader == a ? b : a;
    // the default mesh and Kuma's initial policies, written once, by the leader
    await().atMost(SOON).until(() -> follower.get("/meshes/default").status() == 200);
    assertThat(follower.get("/meshes/default/meshtimeouts").json().path("total").asInt())
        .isEqualTo(leader.get("/meshes/default/meshtimeouts").json().path("total").asInt())
        .isPositive();

    // a write through either replica is read through the other
    assertThat(
            follower
                .put("/meshes/default/meshtimeouts/shared-timeout", TIMEOUT.formatted("11s"))
                .status())
        .isEqualTo(201);
    await()
        .atMost(SOON)
        .until(() -> leader.get("/meshes/default/meshtimeouts/shared-timeout").status() == 200);
    assertThat(
            leader
                .put("/meshes/default/meshtimeouts/shared-timeout", TIMEOUT.formatted("22s"))
                .status())
        .isEqualTo(200);
    await()
        .atMost(SOON)
        .until(
            () ->
                follower.get("/meshes/default/meshtimeouts/shared-timeout").body().contains("22s"));

    // the leader stops: the other takes the singleton work
    leader.close();
    started.remove(leader);
    await().atMost(SOON).until(() -> leaderGauge(follower) == 1);
  }

  @Test
  void theDatabasePasswordIsNeverShown() {
    newDatabase();
    RunningControlPlane a = replica("a");
    RunningControlPlane.Reply config = a.send("GET", "/config", null, a.adminToken());
    assertThat(config.status()).isEqualTo(200);
    assertThat(config.json().at("/store/postgres/dbName").asText()).isEqualTo(database);
    assertThat(config.body()).doesNotContain(server.password());
    assertThat(config.json().at("/store/postgres/password").asText()).isEqualTo("(set, not shown)");
  }

  @Test
  void whileTheDatabaseIsDownWritesAre503AndReadsGoOnUntilItIsBack() {
    newDatabase();
    RunningControlPlane a = replica("a");
    await().atMost(SOON).until(() -> a.get("/meshes/default").status() == 200);
    server.crash();
    try {
      RunningControlPlane.Reply refused =
          a.put(
              "/meshes/default/meshtimeouts/during-outage",
              TIMEOUT.formatted("5s").replace("shared-timeout", "during-outage"));
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.json().path("title").asText()).isEqualTo("Store Unavailable");
      assertThat(refused.json().path("detail").asText())
          .contains("PostgreSQL")
          .contains("during-outage")
          .contains("retry when the database is reachable")
          .doesNotContain(server.password());
      assertThat(a.get("/meshes/default").status()).isEqualTo(200);
      assertThat(a.get("/meshes/default/meshtimeouts/during-outage").status()).isEqualTo(404);
    } finally {
      server.restart();
    }
    await()
        .atMost(SOON)
        .until(
            () ->
                a.put(
                            "/meshes/default/meshtimeouts/after-outage",
                            TIMEOUT.formatted("5s").replace("shared-timeout", "after-outage"))
                        .status()
                    == 201);
  }

  private double leaderGauge(RunningControlPlane cp) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + cp.controlPlane().diagnosticsPort() + "/metrics");
    String metrics =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics
        .lines()
        .filter(line -> line.startsWith("kodiak_leader "))
        .map(line -> Double.parseDouble(line.substring("kodiak_leader ".length()).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no kodiak_leader in /metrics"));
  }
}
