package io.kodiak.e2e.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.kodiak.ca.CertificateAuthority;
import io.kodiak.ca.IssuedCertificate;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.cp.testing.Webhooks;
import io.kodiak.ctl.testing.KodiakctlInNamespace;
import io.kodiak.ctl.testing.NetworkNamespace;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.PodNetwork;
import io.kodiak.e2e.support.Ports;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.Kubelet;
import io.kodiak.k8s.testing.KumaYaml;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transparent proxying as a Kubernetes user gets it, on the stock default mesh: each Pod is a
 * network namespace on a bridge, its applications know nothing of the mesh (they listen on
 * 0.0.0.0:8080 and call a Service's cluster IP), and what the injector put in the Pod runs there:
 * the init container's {@code kodiakctl install transparent-proxy} with the Pod's own arguments,
 * then the sidecar (kodiak-dp and a real Envoy) as the sidecar's uid, reaching the control plane at
 * the address it was injected with. The cluster IPs are bound nowhere; only the nat rules and
 * Envoy's original-destination listeners get a request there. Needs root (make test runs as root).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransparentProxyDataPathTest {
  private static final Duration SOON = Duration.ofSeconds(30);
  private static final int APP_PORT = 8080;

  private static PodNetwork network;
  private static KubeApiServer api;
  private static Kubelet kubelet;
  private static RunningControlPlane cp;
  private static String backendIp;
  private static String webIp;
  private static NetworkNamespace web;
  private static AgentProcess webSidecar;
  private static final Map<String, AgentProcess> sidecars = new HashMap<>();

  /** Each Pod's application container as the injector left it (its probes rewritten). */
  private static final Map<String, Container> probes = new HashMap<>();

  private static NetworkNamespace backend;
  private static HttpServer outside;
  private static final List<AutoCloseable> running = new ArrayList<>();
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    // The sidecars run as another uid and read their files under here.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    network = PodNetwork.create();
    running.add(network);
    api = KodiakCrds.startApiServer("10.96.0.0/16"); // off loopback: loopback is never redirected
    running.add(api);
    kubelet = new Kubelet(api);
    kubelet.createMeshedNamespace("shop", Map.of());
    int dpServerPort = Ports.free();
    String dpServer = "https://" + network.nodeAddress() + ":" + dpServerPort;
    Path cpData = dir.resolve("cp");
    writeControlPlaneCertificate(cpData, network.nodeAddress());
    cp =
        RunningControlPlane.onKubernetes(
            cpData,
            api,
            Map.of(
                "KODIAK_DP_SERVER_INTERFACE",
                network.nodeAddress(),
                "KODIAK_DP_SERVER_PORT",
                String.valueOf(dpServerPort),
                "KODIAK_KUBERNETES_INJECTOR_CONTROL_PLANE_ADDRESS",
                dpServer));
    running.add(cp);
    Webhooks.validator(api, cp, dir);
    Webhooks.injector(api, cp, dir, "shop");
    backendIp =
        kubelet
            .createService(
                "shop", "backend", Map.of("app", "backend"), 80, new IntOrString("http"), "http")
            .getSpec()
            .getClusterIP();
    webIp =
        kubelet
            .createService("shop", "web", Map.of("app", "web"), 80, new IntOrString("http"), "http")
            .getSpec()
            .getClusterIP();
    backend = pod("backend-1", "backend");
    web = pod("web-1", "web");
    webSidecar = sidecars.get("web-1");
    outside = HttpServer.create(new InetSocketAddress(network.nodeAddress(), 0), 16);
    outside.createContext(
        "/",
        exchange -> {
          byte[] body = "outside the mesh\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    outside.start();
    running.add(() -> outside.stop(0));
  }

  /** Everything started, closed last first; every close is tried, the first failure thrown. */
  @AfterAll
  static void stop() throws Exception {
    Collections.reverse(running);
    Exception first = null;
    for (AutoCloseable c : running) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Test
  @Order(1)
  void anApplicationCallingAClusterIpIsAnsweredThroughBothSidecars() {
    await().atMost(SOON).until(() -> curl(web, "http://" + backendIp + "/").status() == 200);
    long before = webSidecar.stat("cluster.backend_shop_svc_80.upstream_rq_total");
    assertThat(curl(web, "http://" + backendIp + "/").body()).isEqualTo("hello from backend-1\n");
    assertThat(webSidecar.stat("cluster.backend_shop_svc_80.upstream_rq_total"))
        .as("requests the web Pod's Envoy sent to the backend Service")
        .isEqualTo(before + 1);
    assertThat(curlFromHost(aroundTheSidecar()).body())
        .as("without mTLS, a client outside the mesh reaches the application (through its Envoy)")
        .isEqualTo("hello from backend-1\n");
  }

  @Test
  @Order(2)
  void aConnectionToARedirectPortItselfIsClosedAndTheSidecarCarriesOn() {
    AgentProcess backendSidecar = sidecars.get("backend-1");
    String closed = "tcp.redirect_loop.downstream_cx_total";
    String passedOn = "cluster.inbound_passthrough.upstream_cx_total";
    long passedBefore = backendSidecar.stat(passedOn);
    for (String port : List.of("15006", "15001")) {
      long closedBefore = backendSidecar.stat(closed);
      assertThat(curlFromHost("http://" + network.address(backend) + ":" + port + "/").status())
          .as("a request straight to the backend's redirect port %s", port)
          .isZero();
      assertThat(backendSidecar.stat(closed))
          .as("connections the backend's Envoy closed at a redirect port")
          .isEqualTo(closedBefore + 1);
    }
    assertThat(backendSidecar.stat(passedOn)).as("connections passed on").isEqualTo(passedBefore);
    assertThat(curl(web, "http://" + backendIp + "/").body()).isEqualTo("hello from backend-1\n");
  }

  @Test
  @Order(3)
  void trafficLeavingTheMeshPassesThroughTheSidecar() {
    assertThat(curl(web, outsideUrl()).body()).isEqualTo("outside the mesh\n");
  }

  @Test
  @Order(4)
  void withMtlsTheApplicationIsReachableOnlyThroughItsSidecarAndPermissionsApply()
      throws Exception {
    api.apply(KumaYaml.meshWithBuiltinMtls("default"));
    await().atMost(SOON).until(() -> curlFromHost(aroundTheSidecar()).status() == 0);
    Container application = probes.get("backend-1");
    assertThat(curlFromHost(probeUrl(application.getReadinessProbe())).body())
        .as("the kubelet's rewritten HTTP readiness probe, through the sidecar's probe port")
        .isEqualTo("hello from backend-1\n");
    assertThat(curlFromHost(probeUrl(application.getLivenessProbe())).status())
        .as("the kubelet's rewritten TCP liveness probe")
        .isEqualTo(200);
    String pod = "http://" + network.address(backend);
    assertThat(curlFromHost(pod + ":9001/8080/other").status())
        .as("a path of the application that is no probe, through the probe port")
        .isEqualTo(404);
    assertThat(curlFromHost(pod + ":9902/ready").status())
        .as("the sidecar's own readiness, on the Pod IP")
        .isEqualTo(200);
    // as in Kuma, mTLS without a permission lets nobody in: the backend's Envoy answers
    await().atMost(SOON).until(() -> curl(web, "http://" + backendIp + "/").status() == 403);

    api.apply(KumaYaml.permissionFrom("backend-callers", "web_shop_svc_80", "Allow"));
    await().atMost(SOON).until(() -> curl(web, "http://" + backendIp + "/").status() == 200);
    assertThat(curl(web, "http://" + webIp + "/").body())
        .as("a Pod calling its own Service (its Envoy picks itself: mTLS back into its inbound)")
        .isEqualTo("hello from web-1\n");
    api.apply(KumaYaml.permissionFrom("backend-callers", "web_shop_svc_80", "Deny"));
    await().atMost(SOON).until(() -> curl(web, "http://" + backendIp + "/").status() == 403);
    api.apply(KumaYaml.permissionFrom("backend-callers", "web_shop_svc_80", "Allow"));
    await().atMost(SOON).until(() -> curl(web, "http://" + backendIp + "/").status() == 200);
  }

  @Test
  @Order(5)
  void aMeshWithoutOutboundPassthroughKeepsTrafficInside() throws Exception {
    api.apply(
        KumaYaml.meshWithBuiltinMtls("default")
            + """
              networking:
                outbound:
                  passthrough: false
            """);
    await().atMost(SOON).until(() -> curl(web, outsideUrl()).status() == 0);
    assertThat(webSidecar.alive()).as("the web Pod's sidecar").isTrue();
    assertThat(curl(web, "http://" + backendIp + "/").body()).isEqualTo("hello from backend-1\n");
  }

  /**
   * A Pod as its node runs it: a namespace on the bridge, the Pod created through the API (the
   * injector adds its containers), the init container's command, the Pod's status, its application,
   * then its sidecar as injected.
   */
  private static NetworkNamespace pod(String name, String app) throws Exception {
    NetworkNamespace namespace = network.addPod(name); // closed with the network
    Pod created =
        kubelet.createPod(
            "shop",
            name,
            Map.of("app", app),
            Map.of(),
            Map.of("http", APP_PORT),
            new ProbeBuilder()
                .withNewHttpGet()
                .withPath("/")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .build(),
            new ProbeBuilder()
                .withNewTcpSocket()
                .withPort(new IntOrString(APP_PORT))
                .endTcpSocket()
                .withTimeoutSeconds(2)
                .build());
    probes.put(name, created.getSpec().getContainers().get(0));
    Container init = container(created.getSpec().getInitContainers(), "kodiak-init");
    assertThat(init.getCommand()).containsExactly("kodiakctl");
    assertThat(KodiakctlInNamespace.run(namespace, init.getArgs()))
        .contains("transparent proxy installed");

    kubelet.run("shop", name, network.address(namespace), true);
    Path www = dir.resolve(name + "-www");
    Files.createDirectories(www);
    Files.writeString(www.resolve("index.html"), "hello from " + name + "\n");
    namespace.start(
        List.of(
            "python3",
            "-m",
            "http.server",
            String.valueOf(APP_PORT),
            "--bind",
            "0.0.0.0",
            "--directory",
            www.toString()));

    Container sidecar = container(created.getSpec().getContainers(), "kodiak-sidecar");
    AgentProcess agent =
        AgentProcess.startInPod(
            namespace,
            sidecar.getSecurityContext().getRunAsUser().intValue(),
            argument(sidecar, "--cp-address="),
            cp.caCertFile(),
            kubelet.podToken("shop", name),
            argument(sidecar, "--mesh="),
            name + ".shop",
            Integer.parseInt(argument(sidecar, "--admin-port=")),
            Integer.parseInt(argument(sidecar, "--readiness-port=")),
            sidecar.getArgs().stream()
                .filter(
                    a ->
                        a.startsWith("--readiness-address=")
                            || a.startsWith("--application-probe-proxy-port=")
                            || a.startsWith("--application-probe="))
                .toList(),
            dir.resolve(name));
    running.add(agent);
    sidecars.put(name, agent);
    return namespace;
  }

  /** Where the kubelet sends a rewritten probe of the backend Pod. */
  private static String probeUrl(Probe probe) {
    assertThat(probe.getTcpSocket()).as("a rewritten probe").isNull();
    return "http://"
        + network.address(backend)
        + ":"
        + probe.getHttpGet().getPort().getIntVal()
        + probe.getHttpGet().getPath();
  }

  /** The backend application's own port at its Pod IP, as a client outside the Pod dials it. */
  private static String aroundTheSidecar() {
    return "http://" + network.address(backend) + ":" + APP_PORT + "/";
  }

  private static String outsideUrl() {
    return "http://" + network.nodeAddress() + ":" + outside.getAddress().getPort() + "/";
  }

  private static Container container(List<Container> containers, String name) {
    return containers.stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the injector added no container " + name));
  }

  private static String argument(Container container, String prefix) {
    return container.getArgs().stream()
        .filter(a -> a.startsWith(prefix))
        .map(a -> a.substring(prefix.length()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no " + prefix));
  }

  private record Reply(int status, String body) {}

  /** A request with curl from inside {@code from}, as an application there makes it. */
  private static Reply curl(NetworkNamespace from, String url) {
    try {
      return reply(from.exec(curlCommand(url)));
    } catch (IllegalStateException e) { // curl failed: refused, reset, timed out
      return new Reply(0, e.getMessage());
    }
  }

  /** A request from the host over the bridge: outside every Pod and outside the mesh. */
  private static Reply curlFromHost(String url) {
    try {
      return reply(host(curlCommand(url)));
    } catch (IllegalStateException e) {
      return new Reply(0, e.getMessage());
    }
  }

  private static List<String> curlCommand(String url) {
    return List.of("curl", "-s", "--max-time", "5", "-w", "\n%{http_code}", url);
  }

  /** curl's output: the body, then the status on a line of its own (0 for no HTTP answer). */
  private static Reply reply(String output) {
    int split = output.lastIndexOf('\n');
    return new Reply(
        Integer.parseInt(output.substring(split + 1).strip()), output.substring(0, split));
  }

  private static String host(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(command + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The four files the control plane keeps its TLS in, written before it starts so that its
   * certificate also names the node address the Pods dial (it reuses what it finds).
   */
  private static void writeControlPlaneCertificate(Path dataDir, String nodeAddress)
      throws IOException {
    Files.createDirectories(dataDir);
    Instant now = Instant.now();
    CertificateAuthority ca =
        CertificateAuthority.generate(
            "kodiak-control-plane", CertificateAuthority.KeyType.EC_P256, Duration.ofDays(1), now);
    IssuedCertificate server =
        ca.issueServer(
            List.of("localhost"), List.of("127.0.0.1", nodeAddress), Duration.ofDays(1), now);
    Files.writeString(dataDir.resolve("cp-ca.pem"), ca.certificatePem());
    Files.writeString(dataDir.resolve("cp-ca-key.pem"), ca.keyPem());
    Files.writeString(dataDir.resolve("cp-tls.pem"), server.certificatePem() + ca.certificatePem());
    Files.writeString(dataDir.resolve("cp-tls-key.pem"), server.keyPem());
  }
}
