package io.kodiak.e2e.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.ContinuousLoad;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.TlsProbe;
import io.kodiak.e2e.support.Traffic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Turning mTLS on for a live mesh, the way Kuma advises (PERMISSIVE, then STRICT), while a client
 * sends requests without pause: not one request fails.
 */
class EnablingMtlsTest {
  @TempDir Path dir;
  private final Running running = new Running();

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void permissiveThenStrictDropsNoRequest() throws Exception {
    RunningControlPlane cp = RunningControlPlane.start(dir.resolve("cp"));
    running.add(cp);
    assertThat(
            cp.put(
                    "/meshes/live",
                    "{\"type\": \"Mesh\", \"name\": \"live\", \"skipCreatingInitialPolicies\": [\"*\"]}")
                .status())
        .isEqualTo(201);
    int app = Ports.free();
    HttpServer backend = DemoApp.backend(app, "b1");
    running.add(() -> backend.stop(0));
    int inbound = Ports.free();
    int out = Ports.free();
    agent(cp, "backend-1", "backend", inbound, app, Map.of());
    agent(cp, "client-1", "client", Ports.free(), Ports.free(), Map.of("backend", out));
    await().atMost(Duration.ofSeconds(20)).until(() -> Traffic.get(out, "/").status() == 200);

    ContinuousLoad load = ContinuousLoad.start(out);
    try {
      assertThat(
              cp.put(
                      "/meshes/live/meshtrafficpermissions/all",
                      """
          {"type": "MeshTrafficPermission", "mesh": "live", "name": "all",
           "spec": {"targetRef": {"kind": "Mesh"}, "from": [{"targetRef": {"kind": "Mesh"}, "default": {"action": "Allow"}}]}}
          """)
                  .status())
          .isEqualTo(201);
      assertThat(cp.put("/meshes/live", mesh("PERMISSIVE")).status()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> TlsProbe.serverCertificate(inbound, null).isPresent());
      int before = load.ok();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> load.ok() > before + 20 || load.failures().size() > 3);
      assertThat(load.failures()).as("failed requests after PERMISSIVE").isEmpty();
      assertThat(cp.put("/meshes/live", mesh("STRICT")).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20)).until(() -> Traffic.get(inbound, "/").status() != 200);
      int after = load.ok();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> load.ok() > after + 20 || load.failures().size() > 3);
      assertThat(load.failures()).as("failed requests after STRICT").isEmpty();
    } finally {
      load.close();
    }
    assertThat(load.failures()).as("failed requests while turning mTLS on").isEmpty();
    assertThat(load.ok()).isGreaterThan(50);
  }

  private static String mesh(String mode) {
    return "{\"type\": \"Mesh\", \"name\": \"live\", \"skipCreatingInitialPolicies\": [\"*\"], \"mtls\": "
        + "{\"enabledBackend\": \"ca-1\", \"backends\": [{\"name\": \"ca-1\", \"type\": \"builtin\", \"mode\": \""
        + mode
        + "\"}]}}";
  }

  private void agent(
      RunningControlPlane cp,
      String name,
      String service,
      int inbound,
      int app,
      Map<String, Integer> outs) {
    int admin = Ports.free();
    String yaml = Dataplanes.yaml("live", name, service, "http", inbound, app, admin, outs);
    running.add(
        AgentProcess.start(
            cp.dpServerUrl(),
            cp.caCertFile(),
            cp.dataplaneToken("live", name),
            yaml,
            admin,
            dir.resolve(name)));
  }
}
