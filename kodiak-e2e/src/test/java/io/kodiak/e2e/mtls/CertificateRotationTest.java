package io.kodiak.e2e.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.kodiak.ca.Pem;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.ContinuousLoad;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.TlsProbe;
import io.kodiak.e2e.support.Traffic;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While a client sends requests without pause, workload certificates with a short lifetime are
 * renewed several times and the mesh switches to a new CA: not one request fails.
 */
class CertificateRotationTest {
  @TempDir Path dir;
  private static final String MESH = "rot";
  private final Running running = new Running();

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void renewalAndCaRotationDropNoRequest() throws Exception {
    RunningControlPlane cp = RunningControlPlane.start(dir.resolve("cp"));
    running.add(cp);
    assertThat(
            cp.put(
                    "/meshes/rot",
                    mesh("ca-1", "{\"name\": \"ca-1\", \"type\": \"builtin\"," + rotation() + "}"))
                .status())
        .isEqualTo(201);
    assertThat(
            cp.put(
                    "/meshes/rot/meshtrafficpermissions/all",
                    """
        {"type": "MeshTrafficPermission", "mesh": "rot", "name": "all",
         "spec": {"targetRef": {"kind": "Mesh"}, "from": [{"targetRef": {"kind": "Mesh"}, "default": {"action": "Allow"}}]}}
        """)
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
      // renewals: certificates live 5 s and are renewed at 80 %
      Set<BigInteger> serials = new HashSet<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                serials.add(serverCertificate(inbound).getSerialNumber());
                return serials.size() >= 3;
              });
      // CA rotation: a second backend becomes the enabled one; both roots are trusted meanwhile
      assertThat(
              cp.put(
                      "/meshes/rot",
                      mesh(
                          "ca-2",
                          "{\"name\": \"ca-1\", \"type\": \"builtin\","
                              + rotation()
                              + "},"
                              + "{\"name\": \"ca-2\", \"type\": \"builtin\","
                              + rotation()
                              + "}"))
                  .status())
          .isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  cp.send(
                              "GET",
                              "/meshes/rot/secrets/rot.ca-builtin-cert-ca-2",
                              null,
                              cp.adminToken())
                          .status()
                      == 200);
      X509Certificate ca2 =
          Pem.certificate(
              new String(
                  Base64.getDecoder()
                      .decode(
                          cp.send(
                                  "GET",
                                  "/meshes/rot/secrets/rot.ca-builtin-cert-ca-2",
                                  null,
                                  cp.adminToken())
                              .json()
                              .path("data")
                              .asText()),
                  StandardCharsets.UTF_8));
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> signedBy(serverCertificate(inbound), ca2));
      int before = load.ok();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > before + 20);
    } finally {
      load.close();
    }
    assertThat(load.failures()).as("failed requests during renewal and rotation").isEmpty();
    assertThat(load.ok()).isGreaterThan(100);
  }

  private static String rotation() {
    return "\"dpCert\": {\"rotation\": {\"expiration\": \"5s\"}}";
  }

  private static String mesh(String enabled, String backends) {
    return "{\"type\": \"Mesh\", \"name\": \"rot\", \"skipCreatingInitialPolicies\": [\"*\"], \"mtls\": "
        + "{\"enabledBackend\": \""
        + enabled
        + "\", \"backends\": ["
        + backends
        + "]}}";
  }

  private void agent(
      RunningControlPlane cp,
      String name,
      String service,
      int inbound,
      int app,
      Map<String, Integer> outs) {
    int admin = Ports.free();
    String yaml = Dataplanes.yaml("rot", name, service, "http", inbound, app, admin, outs);
    running.add(
        AgentProcess.start(
            cp.dpServerUrl(),
            cp.caCertFile(),
            cp.dataplaneToken(MESH, name),
            yaml,
            admin,
            dir.resolve(name)));
  }

  private static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
    try {
      certificate.verify(ca.getPublicKey());
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static X509Certificate serverCertificate(int port) throws Exception {
    return TlsProbe.serverCertificate(port, null).orElseThrow();
  }
}
