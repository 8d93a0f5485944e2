package io.kodiak.e2e.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.cp.testing.Webhooks;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Traffic;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.Kubelet;
import io.kodiak.k8s.testing.KumaYaml;
import java.nio.file.Path;
import java.time.Duration;
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
 * Kubernetes mode end to end, on the stock default mesh: a real API server calling the control
 * plane's webhooks, Pods and Services created through it with their status written as a kubelet
 * would (127.0.0.x IPs), and the sidecar the injector put in each Pod (kodiak-dp and a real Envoy)
 * run on the host, as its container would, with the Pod's own service-account token. The caller's
 * application calls the backend Service's cluster IP, where only the caller's Envoy listens (no
 * iptables here; its outbound binds the address), and the backend's application listens on
 * 127.0.0.1 only, behind its Envoy's inbound on the Pod IP: a reply went through both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesDataPathTest {
  private static final Duration SOON = Duration.ofSeconds(30);

  private static KubeApiServer api;
  private static Kubelet kubelet;
  private static RunningControlPlane cp;
  private static String backendIp;
  private static final List<AutoCloseable> running = new ArrayList<>();
  private static final Map<String, AgentProcess> sidecars = new HashMap<>();
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    api = KodiakCrds.startApiServer();
    kubelet = new Kubelet(api);
    kubelet.createMeshedNamespace("shop", Map.of());
    cp = RunningControlPlane.onKubernetes(dir.resolve("cp"), api);
    Webhooks.validator(api, cp, dir);
    Webhooks.injector(api, cp, dir, "shop");
    backendIp =
        kubelet
            .createService(
                "shop", "backend", Map.of("app", "backend"), 80, new IntOrString("http"), "http")
            .getSpec()
            .getClusterIP();
    kubelet.createService("shop", "web", Map.of("app", "web"), 80, new IntOrString("http"), "http");
    pod("backend-1", "backend", "127.0.0.41", "web_shop_svc_80");
    pod("web-1", "web", "127.0.0.42", "backend_shop_svc_80");
  }

  @AfterAll
  static void stop() throws Exception {
    Collections.reverse(running); // sidecars before their applications
    for (AutoCloseable c : running) {
      c.close();
    }
    if (cp != null) {
      cp.close();
    }
    api.close();
  }

  @Test
  @Order(1)
  void trafficFlowsBetweenTwoServicesThroughBothSidecars() {
    await().atMost(SOON).until(() -> Traffic.get(backendIp, 80, "/", Map.of()).status() == 200);
    assertThat(Traffic.get(backendIp, 80, "/", Map.of()).body())
        .isEqualTo("hello from backend-1\n");
  }

  @Test
  @Order(2)
  void aMeshTrafficPermissionAppliedWithKubectlDeniesAndThenAllowsLive() throws Exception {
    api.apply(KumaYaml.meshWithBuiltinMtls("default"));
    // as in Kuma, mTLS without a permission lets nobody in
    await().atMost(SOON).until(() -> Traffic.get(backendIp, 80, "/", Map.of()).status() == 403);
    api.apply(KumaYaml.permissionFrom("backend-callers", "web_shop_svc_80", "Allow"));
    await().atMost(SOON).until(() -> Traffic.get(backendIp, 80, "/", Map.of()).status() == 200);
    api.apply(KumaYaml.permissionFrom("backend-callers", "web_shop_svc_80", "Deny"));
    await().atMost(SOON).until(() -> Traffic.get(backendIp, 80, "/", Map.of()).status() == 403);
    api.apply(KumaYaml.permissionFrom("backend-callers", "web_shop_svc_80", "Allow"));
    await().atMost(SOON).until(() -> Traffic.get(backendIp, 80, "/", Map.of()).status() == 200);
  }

  @Test
  @Order(3)
  void aDeletedPodsEndpointLeavesTheCallersEnvoy() throws Exception {
    pod("backend-2", "backend", "127.0.0.43", "");
    AgentProcess web = sidecars.get("web-1");
    await().atMost(SOON).until(() -> web.configDump().contains("\"127.0.0.43\""));
    long deleted = System.nanoTime();
    kubelet.deletePod("shop", "backend-2");
    await()
        .atMost(SOON)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !web.configDump().contains("\"127.0.0.43\""));
    System.out.printf(
        "a deleted Pod's endpoint left the caller's Envoy after %d ms%n",
        (System.nanoTime() - deleted) / 1_000_000);
    assertThat(Traffic.get(backendIp, 80, "/", Map.of()).body())
        .isEqualTo("hello from backend-1\n");
  }

  @Test
  @Order(4)
  void aSidecarWithAnotherPodsTokenIsRefused() throws Exception {
    AgentProcess thief =
        AgentProcess.launchNamed(
            cp.dpServerUrl(),
            cp.caCertFile(),
            kubelet.podToken("shop", "web-1"),
            "default",
            "backend-1.shop",
            Ports.free(),
            dir.resolve("thief"));
    running.add(thief);
    await().atMost(SOON).until(() -> !thief.alive());
    assertThat(thief.stop()).as("its exit code").isEqualTo(1);
    assertThat(thief.log()).contains("belongs to dataplane \"web-1.shop\"");
  }

  /** A Pod of {@code app} at {@code ip} with its application and its sidecar running. */
  private static void pod(String name, String app, String ip, String reachable) throws Exception {
    int appPort = Ports.free();
    int admin = Ports.free();
    Pod created =
        kubelet.createPod(
            "shop",
            name,
            Map.of("app", app),
            Map.of(
                "kuma.io/sidecar-injected",
                "true",
                "kuma.io/envoy-admin-port",
                String.valueOf(admin),
                "kuma.io/transparent-proxying-reachable-services",
                reachable),
            Map.of("http", appPort));
    kubelet.run("shop", name, ip, true);
    HttpServer application = DemoApp.backend(appPort, name);
    running.add(() -> application.stop(0));
    AgentProcess sidecar =
        AgentProcess.startNamed(
            cp.dpServerUrl(),
            cp.caCertFile(),
            kubelet.podToken("shop", name),
            "default",
            name + ".shop",
            admin,
            dir.resolve(name));
    running.add(sidecar);
    sidecars.put(name, sidecar);
  }
}
