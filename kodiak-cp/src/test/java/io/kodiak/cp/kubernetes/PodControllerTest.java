package io.kodiak.cp.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.Kubelet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pod controller on the real API server: a meshed Pod becomes a Dataplane by Kuma's rules, it
 * follows the Pod's readiness, labels and mesh, goes with it, and comes back when someone deletes
 * it; Pods without a sidecar get none.
 */
class PodControllerTest {
  private static final Duration SOON = Duration.ofSeconds(10);
  private static final Map<String, String> INJECTED = Kubelet.INJECTED;

  private static KubeApiServer api;
  private static Kubelet kubelet;
  private static RunningControlPlane cp;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    api = KodiakCrds.startApiServer();
    kubelet = new Kubelet(api);
    kubelet.createMeshedNamespace("shop", Map.of());
    kubelet.createMeshedNamespace("billing", Map.of("kuma.io/mesh", "payments"));
    cp = RunningControlPlane.onKubernetes(dir.resolve("data"), api);
    kubelet.createService(
        "shop", "backend", Map.of("app", "backend"), 80, new IntOrString("http"), "http");
  }

  @AfterAll
  static void stop() {
    if (cp != null) {
      cp.close();
    }
    api.close();
  }

  @Test
  void aRunningPodSelectedByAServiceGetsKumasDataplane() {
    kubelet.createPod(
        "shop",
        "backend-1",
        Map.of("app", "backend", "version", "v1"),
        INJECTED,
        Map.of("http", 8080));
    assertThat(cp.get("/meshes/default/dataplanes/backend-1.shop").status())
        .as("no Dataplane before the Pod has an IP")
        .isEqualTo(404);
    kubelet.run("shop", "backend-1", "127.0.0.21", true);

    JsonNode dataplane = awaitDataplane("default", "backend-1.shop");
    assertThat(dataplane.at("/networking/address").asText()).isEqualTo("127.0.0.21");
    JsonNode inbound = dataplane.at("/networking/inbound/0");
    assertThat(inbound.path("port").asInt()).as("the named target port").isEqualTo(8080);
    assertThat(inbound.path("state").asText()).isEqualTo("Ready");
    assertThat(inbound.path("tags"))
        .hasToString(
            "{\"app\":\"backend\",\"k8s.kuma.io/namespace\":\"shop\","
                + "\"k8s.kuma.io/service-name\":\"backend\",\"k8s.kuma.io/service-port\":\"80\","
                + "\"kuma.io/protocol\":\"http\",\"kuma.io/service\":\"backend_shop_svc_80\","
                + "\"version\":\"v1\"}");
    assertThat(dataplane.at("/labels/kuma.io~1proxy-type").asText()).isEqualTo("sidecar");
    assertThat(api.kubectl("get", "dataplanes", "-n", "shop", "-o", "name"))
        .contains("dataplane.kuma.io/backend-1");
    String podUid =
        api.client().pods().inNamespace("shop").withName("backend-1").get().getMetadata().getUid();
    assertThat(
            api.kubectl(
                "get",
                "dataplane",
                "backend-1",
                "-n",
                "shop",
                "-o",
                "jsonpath={range .metadata.ownerReferences[?(@.kind==\"Pod\")]}"
                    + "{.name} {.uid} {.controller}{end}"))
        .as("its Pod owns it (Kubernetes deletes it with the Pod, control plane or not)")
        .isEqualTo("backend-1 " + podUid + " true");
  }

  @Test
  void aCallerGetsTheMeshServicesAsOutboundsAndAPodNoServiceSelectsAnIgnoredInbound() {
    String clusterIp =
        api.client()
            .services()
            .inNamespace("shop")
            .withName("backend")
            .get()
            .getSpec()
            .getClusterIP();
    kubelet.createPod("shop", "client-1", Map.of("app", "client"), INJECTED, Map.of());
    kubelet.run("shop", "client-1", "127.0.0.22", true);

    JsonNode networking = awaitDataplane("default", "client-1.shop").path("networking");
    assertThat(networking.at("/inbound/0/state").asText()).isEqualTo("Ignored");
    assertThat(networking.at("/inbound/0/tags/kuma.io~1service").asText())
        .isEqualTo("client-1_shop_svc");
    assertThat(networking.path("outbound").toString())
        .contains(
            "{\"address\":\""
                + clusterIp
                + "\",\"port\":80,\"tags\":{\"kuma.io/service\":\"backend_shop_svc_80\"}}");
  }

  @Test
  void theDataplaneFollowsReadinessAndLabelsAndGoesWithThePod() {
    kubelet.createPod(
        "shop", "backend-2", Map.of("app", "backend"), INJECTED, Map.of("http", 8080));
    kubelet.run("shop", "backend-2", "127.0.0.23", true);
    awaitDataplane("default", "backend-2.shop");

    kubelet.run("shop", "backend-2", "127.0.0.23", false);
    await()
        .atMost(SOON)
        .until(() -> inbound("backend-2.shop").path("state").asText().equals("NotReady"));

    api.client()
        .pods()
        .inNamespace("shop")
        .withName("backend-2")
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .addToLabels("version", "v2")
                    .endMetadata()
                    .build());
    await()
        .atMost(SOON)
        .until(() -> inbound("backend-2.shop").at("/tags/version").asText().equals("v2"));

    kubelet.deletePod("shop", "backend-2");
    await()
        .atMost(SOON)
        .until(() -> cp.get("/meshes/default/dataplanes/backend-2.shop").status() == 404);
  }

  @Test
  void aDataplaneSomeoneDeletesComesBack() {
    kubelet.createPod(
        "shop", "backend-3", Map.of("app", "backend"), INJECTED, Map.of("http", 8080));
    kubelet.run("shop", "backend-3", "127.0.0.24", true);
    awaitDataplane("default", "backend-3.shop");

    api.kubectl("delete", "dataplane", "backend-3", "-n", "shop");
    await()
        .atMost(SOON)
        .until(() -> cp.get("/meshes/default/dataplanes/backend-3.shop").status() == 200);
  }

  @Test
  void aPodWithoutASidecarGetsNoDataplane() {
    kubelet.createPod("shop", "plain-1", Map.of("app", "backend"), Map.of(), Map.of("http", 8080));
    kubelet.run("shop", "plain-1", "127.0.0.25", true);
    kubelet.createPod("shop", "marker-1", Map.of("app", "backend"), INJECTED, Map.of("http", 8080));
    kubelet.run("shop", "marker-1", "127.0.0.26", true);
    awaitDataplane("default", "marker-1.shop"); // events are handled in order: plain-1 was seen
    assertThat(cp.get("/meshes/default/dataplanes/plain-1.shop").status()).isEqualTo(404);
  }

  @Test
  void aPodIsInTheMeshItsNamespaceNamesOnceItExistsAndMovesWhenItsOwnLabelSaysOtherwise()
      throws Exception {
    kubelet.createPod("billing", "ledger-1", Map.of("app", "ledger"), INJECTED, Map.of());
    kubelet.run("billing", "ledger-1", "127.0.0.27", true);
    Path mesh = dir.resolve("payments.yaml");
    Files.writeString(
        mesh,
        """
        apiVersion: kuma.io/v1alpha1
        kind: Mesh
        metadata:
          name: payments
        """);
    api.kubectl("apply", "-f", mesh.toString()); // after the Pod: it waited for its mesh
    awaitDataplane("payments", "ledger-1.billing");

    api.client()
        .pods()
        .inNamespace("billing")
        .withName("ledger-1")
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .addToLabels("kuma.io/mesh", "default")
                    .endMetadata()
                    .build());
    awaitDataplane("default", "ledger-1.billing");
    await()
        .atMost(SOON)
        .until(() -> cp.get("/meshes/payments/dataplanes/ledger-1.billing").status() == 404);
  }

  private static JsonNode inbound(String name) {
    return cp.get("/meshes/default/dataplanes/" + name).json().at("/networking/inbound/0");
  }

  private static JsonNode awaitDataplane(String mesh, String name) {
    String path = "/meshes/" + mesh + "/dataplanes/" + name;
    await().atMost(SOON).until(() -> cp.get(path).status() == 200);
    return cp.get(path).json();
  }
}
