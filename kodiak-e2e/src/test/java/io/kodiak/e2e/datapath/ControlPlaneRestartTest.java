package io.kodiak.e2e.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.ControlPlaneProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.ProxyStatus;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.Traffic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The control plane is killed (SIGKILL) while traffic flows: Envoys keep serving on their last
 * config. When it comes back, the proxies reconnect and converge on new changes, and the Dataplanes
 * of the proxies that came back were never deleted or re-created in between.
 */
class ControlPlaneRestartTest {
  @TempDir Path dir;
  private final Running running = new Running();

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void envoysSurviveAControlPlaneCrashAndReconnect() throws Exception {
    Path data = dir.resolve("data");
    Path log = dir.resolve("cp.log");
    ControlPlaneProcess first = ControlPlaneProcess.start(data, log);
    running.add(first);
    int app1 = Ports.free();
    HttpServer b1 = DemoApp.backend(app1, "b1");
    running.add(() -> b1.stop(0));
    int toBackend = Ports.free();
    agent(first, "backend-1", "backend", app1, Map.of());
    agent(first, "client-1", "client", Ports.free(), Map.of("backend", toBackend));
    await().atMost(Duration.ofSeconds(20)).until(() -> Traffic.get(toBackend, "/").status() == 200);

    first.kill();
    for (int i = 0; i < 20; i++) {
      assertThat(Traffic.get(toBackend, "/").body()).isEqualTo("hello from b1\n");
    }

    ControlPlaneProcess second = ControlPlaneProcess.start(data, log, first.port(), first.dpPort());
    running.add(second);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> online(second, "client-1") && online(second, "backend-1"));

    aSecondBackendIsReached(second, toBackend);
  }

  /** How the control plane goes away and comes back. */
  enum Restart {
    /** SIGKILL, then started again at once. */
    KILL,
    /** SIGTERM (a graceful stop), then started again at once. */
    STOP,
    /**
     * SIGKILL, started again only once the Envoys have backed off: what a slow start looks like to
     * them.
     */
    KILL_AND_SLOW_START
  }

  @ParameterizedTest
  @EnumSource(Restart.class)
  void aRestartKeepsTheRegistrationsOfProxiesThatComeBackAndDropsTheOthers(Restart restart)
      throws Exception {
    Path data = dir.resolve("data");
    Path log = dir.resolve("cp.log");
    ControlPlaneProcess first = running.add(ControlPlaneProcess.start(data, log));
    int app1 = Ports.free();
    HttpServer b1 = DemoApp.backend(app1, "b1");
    running.add(() -> b1.stop(0));
    int toBackend = Ports.free();
    Agent backend = agent(first, "backend-1", "backend", app1, Map.of());
    Agent client = agent(first, "client-1", "client", Ports.free(), Map.of("backend", toBackend));
    Agent gone = agent(first, "gone-1", "gone", Ports.free(), Map.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> Traffic.get(toBackend, "/").status() == 200);
    await().atMost(Duration.ofSeconds(20)).until(() -> online(first, "gone-1"));
    List<String> kept = List.of("backend-1", "client-1");
    Map<String, String> identities = new HashMap<>();
    kept.forEach(name -> identities.put(name, identity(first.url(), name)));

    ControlPlaneProcess second;
    try (RegistrationPoller poller = new RegistrationPoller(first.url(), kept)) {
      if (restart == Restart.STOP) {
        first.close();
      } else {
        first.kill();
      }
      gone.process().kill(); // its Envoy dies with it: this proxy does not come back
      if (restart == Restart.KILL_AND_SLOW_START) {
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> adsConnectFailures(backend) >= 6 && adsConnectFailures(client) >= 6);
      }
      second = running.add(ControlPlaneProcess.start(data, log, first.port(), first.dpPort()));
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> online(second, "client-1") && online(second, "backend-1"));
      // the one that did not come back is deregistered once the grace (10 s) is over
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  ProxyStatus.get(second.url(), "/meshes/default/dataplanes/gone-1").status()
                      == 404);
      for (String name : kept) {
        // never absent, never re-created, never rewritten: creation and modification times as
        // before
        assertThat(poller.seen(name))
            .as(name + " as polled across the restart")
            .containsOnly(identities.get(name));
      }
    }

    // and the restarted control plane still pushes new endpoints to them
    aSecondBackendIsReached(second, toBackend);
  }

  /**
   * A second backend registers with {@code cp}; the client's Envoy (outbound {@code toBackend})
   * uses both.
   */
  private void aSecondBackendIsReached(ControlPlaneProcess cp, int toBackend) throws Exception {
    int app2 = Ports.free();
    HttpServer b2 = DemoApp.backend(app2, "b2");
    running.add(() -> b2.stop(0));
    agent(cp, "backend-2", "backend", app2, Map.of());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> answeredBy(toBackend).containsAll(Set.of("b1", "b2")));
  }

  /** An agent and its Envoy's admin port. */
  private record Agent(AgentProcess process, int admin) {}

  private Agent agent(
      ControlPlaneProcess cp, String name, String service, int app, Map<String, Integer> outbounds)
      throws Exception {
    int admin = Ports.free();
    String yaml =
        Dataplanes.yaml("default", name, service, "http", Ports.free(), app, admin, outbounds);
    return new Agent(
        running.add(
            AgentProcess.start(
                cp.dpServerUrl(),
                dir.resolve("data/cp-ca.pem"),
                token(cp, name),
                yaml,
                admin,
                dir.resolve(name))),
        admin);
  }

  /** A Dataplane's creation and modification times, or its HTTP status when it cannot be read. */
  static String identity(String cpUrl, String name) {
    return identity(ProxyStatus.get(cpUrl, "/meshes/default/dataplanes/" + name));
  }

  /**
   * A Dataplane's creation and modification times from a GET of it, or the status with its body.
   */
  static String identity(ProxyStatus.Reply reply) {
    if (reply.status() != 200) {
      return "status " + reply.status() + ": " + reply.body();
    }
    JsonNode dp = reply.json();
    return "created "
        + dp.path("creationTime").asText()
        + ", modified "
        + dp.path("modificationTime").asText();
  }

  /** How often this agent's Envoy failed to connect to the control plane (its ADS cluster). */
  private static long adsConnectFailures(Agent agent) {
    String stats =
        ProxyStatus.get(
                "http://127.0.0.1:" + agent.admin(),
                "/stats?filter=%5Ecluster%5C.ads_cluster%5C.upstream_cx_connect_fail%24")
            .body();
    String value = stats.replaceAll("(?s).*upstream_cx_connect_fail: *(\\d+).*", "$1");
    return value.matches("\\d+") ? Long.parseLong(value) : 0;
  }

  private String token(ControlPlaneProcess cp, String name) throws Exception {
    String admin = Files.readString(dir.resolve("data/admin-token")).trim();
    HttpResponse<String> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(cp.url() + "/tokens/dataplane"))
                    .header("Authorization", "Bearer " + admin)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"mesh\": \"default\", \"name\": \"" + name + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return res.body();
  }

  private static boolean online(ControlPlaneProcess cp, String name) {
    return ProxyStatus.online(cp.url(), name);
  }

  private static Set<String> answeredBy(int port) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      Traffic.Answer answer = Traffic.get(port, "/");
      names.add(
          answer.status() == 200
              ? answer.body().replace("hello from ", "").trim()
              : "status " + answer.status());
    }
    return names;
  }
}
