package io.kodiak.e2e.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.ContinuousLoad;
import io.kodiak.e2e.support.ControlPlaneProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.ProxyStatus;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.Traffic;
import io.kodiak.store.testing.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control-plane processes on one real PostgreSQL database, four real Envoys whose agents list
 * both, the stock default mesh with mTLS, traffic without pause and writes through both APIs; the
 * leader is killed with SIGKILL. Each replica shows every proxy with the replica holding it, and
 * refuses a second proxy of the same name held by the other. The survivor takes the singleton work,
 * the killed replica's proxies move to it, not one request fails, every acknowledged write is
 * there, the mesh CA is the same, and no Dataplane is deregistered.
 */
class ReplicaFailoverTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SOON = Duration.ofSeconds(60);
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Running running = new Running();

  @TempDir Path dir;

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void killingTheLeaderLosesNoRequestNoWriteAndNoProxy() throws Exception {
    Fleet fleet = startFleet();
    ControlPlaneProcess a = fleet.a();
    ControlPlaneProcess b = fleet.b();
    String token = fleet.token();
    int out1 = fleet.out1();
    int out2 = fleet.out2();
    List<String> proxies = fleet.proxies();
    ControlPlaneProcess leader = leads(a) ? a : b;
    ControlPlaneProcess survivor = leader == a ? b : a;
    String caBefore = body(survivor, "/meshes/default/secrets/default.ca-builtin-cert-ca-1", token);

    // each replica shows every proxy, naming the replica that holds it
    String idA = instanceId(a);
    String idB = instanceId(b);
    Map<String, String> holders = new HashMap<>();
    await()
        .atMost(SOON)
        .until(
            () -> {
              for (String proxy : proxies) {
                String holder = ProxyStatus.heldBy(a.url(), proxy);
                if (holder.isEmpty() || !holder.equals(ProxyStatus.heldBy(b.url(), proxy))) {
                  return false;
                }
                holders.put(proxy, holder);
              }
              return true;
            });
    assertThat(holders.values()).isSubsetOf(idA, idB);

    // a second proxy named backend-1, on the replica that does not hold the first: refused there,
    // and the first keeps its stream
    ControlPlaneProcess other = holders.get("backend-1").equals(idA) ? b : a;
    String holderOfFirst = holders.get("backend-1");
    int dupAdmin = Ports.free();
    String dupToken =
        body(
            a,
            "POST",
            "/tokens/dataplane",
            "{\"mesh\": \"default\", \"name\": \"backend-1\"}",
            token);
    try (AgentProcess duplicate =
        AgentProcess.launch(
            other.dpServerUrl(),
            dir.resolve("a/cp-ca.pem"),
            dupToken,
            Dataplanes.yaml(
                "default",
                "backend-1",
                "backend",
                "http",
                Ports.free(),
                Ports.free(),
                dupAdmin,
                Map.of()),
            dupAdmin,
            dir.resolve("backend-1-duplicate"),
            0)) {
      await().atMost(SOON).until(() -> !duplicate.alive());
      assertThat(duplicate.log())
          .contains(
              "a proxy named \"backend-1\" is already connected to mesh \"default\" through"
                  + " control-plane replica "
                  + holderOfFirst);
    }
    assertThat(ProxyStatus.heldBy(other.url(), "backend-1")).isEqualTo(holderOfFirst);
    await().atMost(SOON).until(() -> Traffic.get(out1, "/").status() == 200);

    ContinuousLoad load1 = ContinuousLoad.start(out1);
    ContinuousLoad load2 = ContinuousLoad.start(out2);
    WriteLoop writes = WriteLoop.start(this, fleet);
    Map<String, String> acknowledged = writes.acknowledged;
    try {
      await()
          .atMost(SOON)
          .until(() -> acknowledged.size() >= 20 && load1.ok() > 50 && load2.ok() > 50);
      leader.kill();

      await().atMost(SOON).until(() -> leads(survivor));
      String survivorId = survivor == a ? idA : idB;
      for (String proxy : proxies) { // held by the survivor now, as it and its insights say
        await()
            .atMost(SOON)
            .until(() -> ProxyStatus.heldBy(survivor.url(), proxy).equals(survivorId));
      }
      int after1 = load1.ok();
      int after2 = load2.ok();
      // past the grace period: the survivor deregistered none of the proxies that moved to it
      await()
          .pollDelay(Duration.ofSeconds(5))
          .atMost(SOON)
          .until(() -> load1.ok() > after1 + 50 && load2.ok() > after2 + 50);
    } finally {
      writes.stop();
      load1.close();
      load2.close();
    }
    assertThat(load1.failures()).as("failed requests from client-1").isEmpty();
    assertThat(load2.failures()).as("failed requests from client-2").isEmpty();
    for (String proxy : proxies) {
      assertThat(status(survivor, "GET", "/meshes/default/dataplanes/" + proxy, null, null))
          .as(proxy + " still registered")
          .isEqualTo(200);
    }
    assertThat(timeouts(survivor)).containsAllEntriesOf(acknowledged);
    assertThat(body(survivor, "/meshes/default/secrets/default.ca-builtin-cert-ca-1", token))
        .isEqualTo(caBefore);
  }

  @Test
  void restartingTheDatabaseUnderLoadLosesNoAcknowledgedWriteAndTheMeshConverges()
      throws Exception {
    Fleet fleet = startFleet();
    ContinuousLoad load1 = ContinuousLoad.start(fleet.out1());
    ContinuousLoad load2 = ContinuousLoad.start(fleet.out2());
    WriteLoop writes = WriteLoop.start(this, fleet);
    try {
      await()
          .atMost(SOON)
          .until(() -> writes.acknowledged.size() >= 20 && load1.ok() > 50 && load2.ok() > 50);
      fleet.db().crash(); // every connection cut, nothing flushed on the way down
      await().atMost(SOON).until(() -> writes.refused.get() >= 4); // 503s through both replicas
      int okDuringOutage = load1.ok();
      await().atMost(SOON).until(() -> load1.ok() > okDuringOutage + 50); // proxies keep serving
      fleet.db().restart();
      int acknowledgedBefore = writes.acknowledged.size();
      await().atMost(SOON).until(() -> writes.acknowledged.size() >= acknowledgedBefore + 20);
    } finally {
      writes.stop();
      load1.close();
      load2.close();
    }
    assertThat(load1.failures()).as("failed requests from client-1").isEmpty();
    assertThat(load2.failures()).as("failed requests from client-2").isEmpty();
    for (ControlPlaneProcess replica : List.of(fleet.a(), fleet.b())) {
      await() // each replica's change feed caught up on what the other wrote
          .atMost(SOON)
          .untilAsserted(
              () -> assertThat(timeouts(replica)).containsAllEntriesOf(writes.acknowledged));
    }
    // the mesh converges: a change after the restart reaches proxies held by either replica
    assertThat(
            status(
                fleet.b(),
                "PUT",
                "/meshes/default/meshtimeouts/after-restart",
                timeout("after-restart", "4321s"),
                fleet.token()))
        .isEqualTo(201);
    for (String client : List.of("client-1", "client-2")) {
      AgentProcess agent = fleet.agents().get(client);
      await().atMost(SOON).until(() -> agent.configDump().contains("4321s"));
    }
  }

  /** Writes MeshTimeouts through both replicas in turn, remembering those acknowledged (201). */
  private static final class WriteLoop {
    final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    final AtomicInteger refused = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private Thread thread;

    static WriteLoop start(ReplicaFailoverTest test, Fleet fleet) {
      WriteLoop loop = new WriteLoop();
      loop.thread =
          new Thread(
              () -> {
                for (int i = 0; !loop.stopping.get(); i++) {
                  ControlPlaneProcess via = i % 2 == 0 ? fleet.a() : fleet.b();
                  String name = "w-" + i;
                  String idle = (i % 50 + 10) + "s";
                  try {
                    int status =
                        test.status(
                            via,
                            "PUT",
                            "/meshes/default/meshtimeouts/" + name,
                            timeout(name, idle),
                            fleet.token());
                    if (status == 201) {
                      loop.acknowledged.put(name, idle);
                    } else if (status == 503) {
                      loop.refused.incrementAndGet();
                    }
                    Thread.sleep(100); // a steady trickle, not a flood of policies to regenerate
                  } catch (IOException e) {
                    // that replica is gone: this write was not acknowledged
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "writer");
      loop.thread.start();
      return loop;
    }

    void stop() throws InterruptedException {
      stopping.set(true);
      thread.join();
    }
  }

  private Map<String, String> timeouts(ControlPlaneProcess cp) throws Exception {
    JsonNode stored = JSON.readTree(body(cp, "/meshes/default/meshtimeouts?size=1000", null));
    Map<String, String> found = new HashMap<>();
    for (JsonNode item : stored.path("items")) {
      found.put(item.path("name").asText(), item.at("/spec/to/0/default/idleTimeout").asText());
    }
    return found;
  }

  /** Two replicas on one database, the stock mesh with mTLS, four proxies split between them. */
  private record Fleet(
      PostgresServer db,
      ControlPlaneProcess a,
      ControlPlaneProcess b,
      String token,
      int out1,
      int out2,
      List<String> proxies,
      Map<String, AgentProcess> agents) {}

  private Fleet startFleet() throws Exception {
    PostgresServer db = PostgresServer.start();
    running.add(db::close);
    db.createDatabase("ha");
    Map<String, String> env = new HashMap<>(RunningControlPlane.postgresSettings(db, "ha"));
    env.put("KODIAK_DP_SERVER_DEREGISTRATION_GRACE", "3s"); // short: a wrong deletion shows

    ControlPlaneProcess a = ControlPlaneProcess.start(dir.resolve("a"), dir.resolve("a.log"), env);
    running.add(a::close);
    Files.createDirectories(dir.resolve("b"));
    for (String file :
        List.of("cp-ca.pem", "cp-ca-key.pem", "cp-tls.pem", "cp-tls-key.pem")) { // one dp-server CA
      Files.copy(dir.resolve("a").resolve(file), dir.resolve("b").resolve(file));
    }
    ControlPlaneProcess b = ControlPlaneProcess.start(dir.resolve("b"), dir.resolve("b.log"), env);
    running.add(b::close);
    String token = Files.readString(dir.resolve("a/admin-token")).trim();
    assertThat(Files.readString(dir.resolve("b/admin-token")).trim()).isEqualTo(token);
    await().atMost(SOON).until(() -> leads(a) != leads(b));

    // the stock default mesh (Kuma's initial policies), with mTLS and a permission
    await().atMost(SOON).until(() -> status(b, "GET", "/meshes/default", null, null) == 200);
    assertThat(
            status(
                a,
                "PUT",
                "/meshes/default",
                "{\"type\": \"Mesh\", \"name\": \"default\", \"mtls\": {\"enabledBackend\": \"ca-1\","
                    + " \"backends\": [{\"name\": \"ca-1\", \"type\": \"builtin\"}]}}",
                token))
        .isEqualTo(200);
    assertThat(
            status(
                b,
                "PUT",
                "/meshes/default/meshtrafficpermissions/allow-all",
                "{\"type\": \"MeshTrafficPermission\", \"mesh\": \"default\", \"name\": \"allow-all\","
                    + " \"spec\": {\"targetRef\": {\"kind\": \"Mesh\"}, \"from\": [{\"targetRef\":"
                    + " {\"kind\": \"Mesh\"}, \"default\": {\"action\": \"Allow\"}}]}}",
                token))
        .isEqualTo(201);
    await()
        .atMost(SOON)
        .until(() -> body(b, "/meshes/default/secrets", token).contains("ca-builtin-cert-ca-1"));

    // four Envoys; each agent lists both replicas, in either order
    String ab = a.dpServerUrl() + "," + b.dpServerUrl();
    String ba = b.dpServerUrl() + "," + a.dpServerUrl();
    int out1 = Ports.free();
    int out2 = Ports.free();
    Map<String, AgentProcess> agents = new HashMap<>();
    agents.put("backend-1", backend("backend-1", ab, token, a));
    agents.put("backend-2", backend("backend-2", ba, token, a));
    agents.put("client-1", client("client-1", ab, token, a, out1));
    agents.put("client-2", client("client-2", ba, token, a, out2));
    List<String> proxies = List.of("backend-1", "backend-2", "client-1", "client-2");
    await().atMost(SOON).until(() -> Traffic.get(out1, "/").status() == 200);
    await().atMost(SOON).until(() -> Traffic.get(out2, "/").status() == 200);

    return new Fleet(db, a, b, token, out1, out2, proxies, agents);
  }

  private AgentProcess backend(String name, String cps, String token, ControlPlaneProcess issuer)
      throws Exception {
    int app = Ports.free();
    HttpServer server = DemoApp.backend(app, name);
    running.add(() -> server.stop(0));
    return agent(name, "backend", Ports.free(), app, Map.of(), cps, token, issuer);
  }

  private AgentProcess client(
      String name, String cps, String token, ControlPlaneProcess issuer, int out) throws Exception {
    return agent(
        name, "client", Ports.free(), Ports.free(), Map.of("backend", out), cps, token, issuer);
  }

  private AgentProcess agent(
      String name,
      String service,
      int inbound,
      int app,
      Map<String, Integer> outs,
      String cps,
      String token,
      ControlPlaneProcess issuer)
      throws Exception {
    int admin = Ports.free();
    String yaml = Dataplanes.yaml("default", name, service, "http", inbound, app, admin, outs);
    String dpToken =
        body(
            issuer,
            "POST",
            "/tokens/dataplane",
            "{\"mesh\": \"default\", \"name\": \"" + name + "\"}",
            token);
    return running.add(
        AgentProcess.start(
            cps, dir.resolve("a/cp-ca.pem"), dpToken, yaml, admin, dir.resolve(name)));
  }

  private String instanceId(ControlPlaneProcess cp) throws Exception {
    return JSON.readTree(body(cp, "/", null)).path("instanceId").asText();
  }

  private static boolean leads(ControlPlaneProcess cp) throws IOException {
    return cp.isAlive() && Files.readString(cp.log()).contains("leads (PostgreSQL lock");
  }

  private static String timeout(String name, String idle) {
    return "{\"type\":\"MeshTimeout\",\"mesh\":\"default\",\"name\":\""
        + name
        + "\",\"spec\":{\"targetRef\":{\"kind\":\"Mesh\"},\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},"
        + "\"default\":{\"idleTimeout\":\""
        + idle
        + "\"}}]}}";
  }

  int status(ControlPlaneProcess cp, String method, String path, String body, String token)
      throws IOException, InterruptedException {
    return send(cp, method, path, body, token).statusCode();
  }

  private String body(ControlPlaneProcess cp, String path, String token)
      throws IOException, InterruptedException {
    return body(cp, "GET", path, null, token);
  }

  private String body(ControlPlaneProcess cp, String method, String path, String body, String token)
      throws IOException, InterruptedException {
    HttpResponse<String> res = send(cp, method, path, body, token);
    if (res.statusCode() != 200) {
      throw new AssertionError(method + " " + path + ": " + res.statusCode() + " " + res.body());
    }
    return res.body();
  }

  private HttpResponse<String> send(
      ControlPlaneProcess cp, String method, String path, String body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(cp.url() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }
}
