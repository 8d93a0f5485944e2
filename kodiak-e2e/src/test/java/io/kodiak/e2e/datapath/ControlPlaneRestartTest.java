package io.kodiak.e2e.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.ControlPlaneProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.Traffic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane is killed (SIGKILL) while traffic flows: Envoys keep serving on their last
 * config. When it comes back, the proxies reconnect and converge on new changes.
 */
class ControlPlaneRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
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
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> online(second, "client-1") && online(second, "backend-1"));

    int app2 = Ports.free();
    HttpServer b2 = DemoApp.backend(app2, "b2");
    running.add(() -> b2.stop(0));
    agent(second, "backend-2", "backend", app2, Map.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> answeredBy(toBackend).containsAll(Set.of("b1", "b2")));

    for (String proxy : List.of("client-1", "backend-1", "backend-2")) {
      assertThat(subscriptionTotals(second, proxy).path("responsesRejected").asLong()).as(proxy + " NACKs").isZero();
    }
    assertThat(Files.readAllLines(log)).noneMatch(line -> line.contains(" ERROR "));
    // nothing changes any more, so nothing more is sent to any proxy
    await().atMost(Duration.ofSeconds(10)).until(() -> quiet(second, List.of("client-1", "backend-1", "backend-2")));
  }

  private static boolean quiet(ControlPlaneProcess cp, List<String> proxies) throws Exception {
    long before = sent(cp, proxies);
    try {
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(100))
          .until(() -> sent(cp, proxies) == before);
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }

  private static long sent(ControlPlaneProcess cp, List<String> proxies) throws Exception {
    long total = 0;
    for (String proxy : proxies) {
      total += subscriptionTotals(cp, proxy).path("responsesSent").asLong();
    }
    return total;
  }

  private void agent(ControlPlaneProcess cp, String name, String service, int app, Map<String, Integer> outbounds)
      throws Exception {
    int admin = Ports.free();
    String yaml = Dataplanes.yaml("default", name, service, "http", Ports.free(), app, admin, outbounds);
    running.add(AgentProcess.start(cp.dpServerUrl(), dir.resolve("data/cp-ca.pem"), token(cp, name), yaml, admin,
        dir.resolve(name)));
  }

  private String token(ControlPlaneProcess cp, String name) throws Exception {
    String admin = Files.readString(dir.resolve("data/admin-token")).trim();
    HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(cp.url() + "/tokens/dataplane")).header("Authorization", "Bearer " + admin)
        .POST(HttpRequest.BodyPublishers.ofString("{\"mesh\": \"default\", \"name\": \"" + name + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return res.body();
  }

  private static boolean online(ControlPlaneProcess cp, String name) throws Exception {
    JsonNode subscriptions = overview(cp, name).path("dataplaneInsight").path("subscriptions");
    return subscriptions.size() > 0 && !subscriptions.get(subscriptions.size() - 1).has("disconnectTime");
  }

  private static JsonNode subscriptionTotals(ControlPlaneProcess cp, String name) throws Exception {
    JsonNode subscriptions = overview(cp, name).path("dataplaneInsight").path("subscriptions");
    return subscriptions.get(subscriptions.size() - 1).path("status").path("total");
  }

  private static JsonNode overview(ControlPlaneProcess cp, String name) throws Exception {
    HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(cp.url() + "/meshes/default/dataplanes/" + name + "/_overview")).build(),
        HttpResponse.BodyHandlers.ofString());
    return res.statusCode() == 200 ? JSON.readTree(res.body()) : JSON.createObjectNode();
  }

  private static Set<String> answeredBy(int port) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      Traffic.Answer answer = Traffic.get(port, "/");
      names.add(answer.status() == 200 ? answer.body().replace("hello from ", "").trim() : "status " + answer.status());
    }
    return names;
  }
}
