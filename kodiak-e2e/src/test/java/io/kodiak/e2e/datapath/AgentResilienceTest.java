package io.kodiak.e2e.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Running;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent waits for a control plane that is not up yet, reports readiness truthfully, and
 * restarts an Envoy that dies.
 */
class AgentResilienceTest {
  @TempDir Path dir;
  private final Running running = new Running();

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void retriesTheControlPlaneReportsReadinessAndRestartsEnvoy() throws Exception {
    int dpPort = Ports.free();
    int admin = Ports.free();
    int readiness = Ports.free();
    String yaml =
        Dataplanes.yaml(
            "default", "patient-1", "patient", "http", Ports.free(), Ports.free(), admin, Map.of());
    // the agent starts before any control plane exists, so it can hold neither a token nor the
    // control plane's CA: this control plane runs in development mode (no proxy auth, no TLS)
    AgentProcess agent =
        running.add(
            AgentProcess.launch(
                "http://127.0.0.1:" + dpPort,
                null,
                null,
                yaml,
                admin,
                dir.resolve("agent"),
                readiness));
    // no control plane yet: the agent is up, keeps retrying, and is not ready
    await().atMost(Duration.ofSeconds(20)).until(() -> readiness(readiness) == 503);
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.log().contains("not reachable"));
    assertThat(agent.alive()).isTrue();

    RunningControlPlane cp =
        running.add(
            RunningControlPlane.start(
                dir.resolve("cp"),
                Map.of(
                    "KODIAK_DP_SERVER_PORT",
                    String.valueOf(dpPort),
                    "KODIAK_DP_SERVER_AUTH",
                    "none",
                    "KODIAK_DP_SERVER_TLS_ENABLED",
                    "false")));
    agent.awaitEnvoy(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(20)).until(() -> readiness(readiness) == 200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.controlPlane().insights().online("default", "patient-1"));

    // Envoy dies: the agent starts a new one, which reconnects
    ProcessHandle envoy = agent.envoy().orElseThrow();
    envoy.destroyForcibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> !envoy.isAlive());
    await().atMost(Duration.ofSeconds(30)).until(() -> agent.log().contains("envoy exited"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                agent.envoy().map(p -> p.pid() != envoy.pid()).orElse(false)
                    && readiness(readiness) == 200
                    && cp.controlPlane().insights().online("default", "patient-1"));
  }

  private static int readiness(int port) {
    try {
      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return res.statusCode();
    } catch (Exception e) {
      return 0;
    }
  }
}
