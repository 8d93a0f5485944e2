package io.kodiak.e2e.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.TlsProbe;
import io.kodiak.e2e.support.Traffic;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mesh mTLS with the builtin CA and MeshTrafficPermission, through real Envoys, in a stock mesh
 * (Kuma's initial policies act too): SPIFFE identities in the handshake, plaintext refused under
 * STRICT and accepted under PERMISSIVE, allowed callers 200 and others 403 (HTTP) or a closed
 * connection (TCP), permission changes without restarts.
 */
class MtlsTest {
  @TempDir Path dir;
  private static final String MESH = "secure";
  private final Running running = new Running();

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void mutualTlsIdentitiesAndPermissions() throws Exception {
    RunningControlPlane cp = RunningControlPlane.start(dir.resolve("cp"));
    running.add(cp);
    assertThat(
            cp.put(
                    "/meshes/secure",
                    """
        {"type": "Mesh", "name": "secure",
         "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}}
        """)
                .status())
        .isEqualTo(201);
    assertThat(
            cp.put("/meshes/secure/meshtrafficpermissions/client-to-backend", permission("client"))
                .status())
        .isEqualTo(201);

    int backendApp = Ports.free();
    HttpServer backend = DemoApp.backend(backendApp, "b1");
    running.add(() -> backend.stop(0));
    int echoApp = Ports.free();
    ServerSocket echo = DemoApp.echo(echoApp);
    running.add(echo);
    int backendInbound = Ports.free();
    agent(cp, "backend-1", "backend", "http", backendInbound, backendApp, Map.of());
    agent(cp, "echo-1", "echo", "tcp", Ports.free(), echoApp, Map.of());
    int clientToBackend = Ports.free();
    int clientToEcho = Ports.free();
    agent(
        cp,
        "client-1",
        "client",
        "http",
        Ports.free(),
        Ports.free(),
        Map.of("backend", clientToBackend, "echo", clientToEcho));
    int intruderToBackend = Ports.free();
    agent(
        cp,
        "intruder-1",
        "intruder",
        "http",
        Ports.free(),
        Ports.free(),
        Map.of("backend", intruderToBackend));

    // allowed: through both sidecars over mutual TLS
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Traffic.get(clientToBackend, "/").status() == 200);
    assertThat(Traffic.get(clientToBackend, "/").body()).isEqualTo("hello from b1\n");
    // not allowed: HTTP answers 403, TCP closes the connection
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Traffic.get(intruderToBackend, "/").status() == 403);
    assertThat(Traffic.echo(clientToEcho, "ping")).isNotEqualTo("ping");

    // the backend's sidecar presents the backend's SPIFFE identity; plaintext is refused (STRICT)
    assertThat(serverUris(backendInbound))
        .contains("spiffe://secure/backend", "kuma://kuma.io/service/backend");
    assertThat(Traffic.get(backendInbound, "/").status()).isNotEqualTo(200);

    // permissions change without restarts
    assertThat(
            cp.put(
                    "/meshes/secure/meshtrafficpermissions/everyone-to-echo",
                    """
        {"type": "MeshTrafficPermission", "mesh": "secure", "name": "everyone-to-echo",
         "spec": {"targetRef": {"kind": "MeshService", "name": "echo"},
                  "from": [{"targetRef": {"kind": "Mesh"}, "default": {"action": "Allow"}}]}}
        """)
                .status())
        .isEqualTo(201);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Traffic.echo(clientToEcho, "ping").equals("ping"));
    assertThat(Traffic.get(clientToBackend, "/").status())
        .isEqualTo(200); // a pooled connection is open now
    assertThat(
            cp.put(
                    "/meshes/secure/meshtrafficpermissions/client-to-backend",
                    permission("intruder"))
                .status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Traffic.get(intruderToBackend, "/").status() == 200);
    // revocation applies to open connections too: every request from now on is refused
    for (int i = 0; i < 5; i++) {
      assertThat(Traffic.get(clientToBackend, "/").status()).isEqualTo(403);
    }

    // MeshTLS: TLS 1.3 only on the backend, then a Permissive mode for it alone
    assertThat(serverUris(backendInbound, "TLSv1.2")).isNotEmpty();
    assertThat(
            cp.put(
                    "/meshes/secure/meshtlses/backend-tls",
                    """
        {"type": "MeshTLS", "mesh": "secure", "name": "backend-tls",
         "spec": {"targetRef": {"kind": "MeshService", "name": "backend"},
                  "from": [{"targetRef": {"kind": "Mesh"}, "default": {"tlsVersion": {"min": "TLS13"}}}]}}
        """)
                .status())
        .isEqualTo(201);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> serverUris(backendInbound, "TLSv1.2").isEmpty());
    assertThat(serverUris(backendInbound, "TLSv1.3")).contains("spiffe://secure/backend");
    assertThat(Traffic.get(intruderToBackend, "/").status()).isEqualTo(200);
    assertThat(
            cp.put(
                    "/meshes/secure/meshtlses/backend-tls",
                    """
        {"type": "MeshTLS", "mesh": "secure", "name": "backend-tls",
         "spec": {"targetRef": {"kind": "MeshService", "name": "backend"},
                  "from": [{"targetRef": {"kind": "Mesh"}, "default": {"mode": "Permissive"}}]}}
        """)
                .status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Traffic.get(backendInbound, "/").status() == 200);
    assertThat(cp.delete("/meshes/secure/meshtlses/backend-tls").status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Traffic.get(backendInbound, "/").status() != 200);

    // PERMISSIVE accepts plaintext as well as mutual TLS
    assertThat(
            cp.put(
                    "/meshes/secure",
                    """
        {"type": "Mesh", "name": "secure",
         "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin", "mode": "PERMISSIVE"}]}}
        """)
                .status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Traffic.get(backendInbound, "/").status() == 200);
    assertThat(Traffic.get(intruderToBackend, "/").status()).isEqualTo(200);

    // key material never leaves through the inspect API
    assertThat(cp.get("/meshes/secure/dataplanes/backend-1/_config").body())
        .doesNotContain("PRIVATE KEY")
        .contains("identity_cert");
    assertThat(cp.get("/meshes/secure/secrets/secure.ca-builtin-key-ca-1").status()).isEqualTo(401);
  }

  private static String permission(String from) {
    return """
        {"type": "MeshTrafficPermission", "mesh": "secure", "name": "client-to-backend",
         "spec": {"targetRef": {"kind": "MeshService", "name": "backend"},
                  "from": [{"targetRef": {"kind": "MeshService", "name": "%s"}, "default": {"action": "Allow"}}]}}
        """
        .formatted(from);
  }

  private void agent(
      RunningControlPlane cp,
      String name,
      String service,
      String protocol,
      int inbound,
      int app,
      Map<String, Integer> outbounds) {
    int admin = Ports.free();
    String yaml =
        Dataplanes.yaml("secure", name, service, protocol, inbound, app, admin, outbounds);
    running.add(
        AgentProcess.start(
            cp.dpServerUrl(),
            cp.caCertFile(),
            cp.dataplaneToken(MESH, name),
            yaml,
            admin,
            dir.resolve(name)));
  }

  private static List<String> serverUris(int port) throws Exception {
    return serverUris(port, null);
  }

  /**
   * The URI SANs the server presents (none when the handshake fails before), offering one TLS
   * version.
   */
  private static List<String> serverUris(int port, String protocol) throws Exception {
    var certificate = TlsProbe.serverCertificate(port, protocol);
    return certificate.isPresent() ? TlsProbe.uris(certificate.get()) : List.of();
  }
}
