package io.kodiak.cp.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.cp.testing.Webhooks;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.Kubelet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar injector as the real API server calls it (a MutatingWebhookConfiguration over TLS
 * with the control plane's CA): Pods of labelled namespaces get the kodiak-dp sidecar, with the
 * Pod's token and the control plane's CA, and the init container that redirects its traffic, and
 * then a Dataplane with its redirect ports; a Pod that opts out, or one in a namespace that is not
 * meshed, is left alone.
 */
class SidecarInjectionTest {
  private static KubeApiServer api;
  private static Kubelet kubelet;
  private static RunningControlPlane cp;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    api = KodiakCrds.startApiServer();
    kubelet = new Kubelet(api);
    kubelet.createMeshedNamespace("shop", Map.of());
    api.createNamespace("plain");
    cp = RunningControlPlane.onKubernetes(dir.resolve("data"), api);
    Webhooks.injector(api, cp, dir, "shop");
  }

  @AfterAll
  static void stop() {
    if (cp != null) {
      cp.close();
    }
    api.close();
  }

  @Test
  void aPodOfAMeshedNamespaceGetsTheSidecarAndThenADataplane() throws Exception {
    Pod pod =
        kubelet.createPod(
            "shop",
            "backend-1",
            Map.of("app", "backend"),
            Map.of(
                "kuma.io/sidecar-proxy-memory-limits",
                "256Mi",
                "traffic.kuma.io/exclude-outbound-ports",
                "5432"),
            Map.of("http", 8080));
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("kuma.io/sidecar-injected", "true")
        .containsEntry("kuma.io/envoy-admin-port", "9901");
    Container sidecar = sidecar(pod).orElseThrow();
    assertThat(sidecar.getImage()).isEqualTo("kodiak/kodiak-dp:0.1.0");
    assertThat(sidecar.getArgs())
        .contains(
            "run",
            "--name=$(POD_NAME).$(POD_NAMESPACE)",
            "--mesh=default",
            "--cp-address=https://kodiak-control-plane.kodiak-system.svc:5678",
            "--dataplane-token-file=/var/run/secrets/kubernetes.io/serviceaccount/token");
    assertThat(sidecar.getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .contains(tuple("KODIAK_CONTROL_PLANE_CA_CERT", Files.readString(cp.caCertFile())));
    assertThat(sidecar.getVolumeMounts())
        .as("the Pod's own service-account token")
        .anyMatch(m -> m.getMountPath().equals("/var/run/secrets/kubernetes.io/serviceaccount"));
    assertThat(sidecar.getResources().getLimits().get("memory").toString()).isEqualTo("256Mi");
    assertThat(sidecar.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(sidecar.getSecurityContext().getRunAsUser()).isEqualTo(5678L);

    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("kuma.io/transparent-proxying", "enabled")
        .containsEntry("kuma.io/transparent-proxying-inbound-port", "15006")
        .containsEntry("kuma.io/transparent-proxying-outbound-port", "15001");
    Container init = pod.getSpec().getInitContainers().get(0);
    assertThat(init.getName()).isEqualTo("kodiak-init");
    assertThat(init.getCommand()).containsExactly("kodiakctl");
    assertThat(init.getArgs())
        .containsExactly(
            "install",
            "transparent-proxy",
            "--redirect-inbound-port=15006",
            "--redirect-outbound-port=15001",
            "--kuma-dp-uid=5678",
            "--exclude-inbound-ports=9902,9001",
            "--exclude-outbound-ports=5432");
    assertThat(init.getSecurityContext().getCapabilities().getAdd())
        .containsExactly("NET_ADMIN", "NET_RAW");

    kubelet.run("shop", "backend-1", "127.0.0.51", true);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.get("/meshes/default/dataplanes/backend-1.shop").status() == 200);
    JsonNode redirect =
        cp.get("/meshes/default/dataplanes/backend-1.shop")
            .json()
            .path("networking")
            .path("transparentProxying");
    assertThat(redirect.path("redirectPortInbound").asInt())
        .as("its Dataplane names the inbound redirect port")
        .isEqualTo(15006);
    assertThat(redirect.path("redirectPortOutbound").asInt())
        .as("its Dataplane names the outbound redirect port")
        .isEqualTo(15001);
  }

  @Test
  void aPodWithAMalformedPortAnnotationIsRefusedSayingWhich() {
    assertThatThrownBy(
            () ->
                kubelet.createPod(
                    "shop",
                    "typo-1",
                    Map.of(),
                    Map.of("traffic.kuma.io/exclude-outbound-ports", "5432;6379"),
                    Map.of()))
        .hasMessageContaining(
            "Pod typo-1 cannot get a sidecar: annotation traffic.kuma.io/exclude-outbound-ports:"
                + " \"5432;6379\" is not a comma-separated list of ports (1-65535)");
    assertThat(api.client().pods().inNamespace("shop").withName("typo-1").get())
        .as("the refused Pod")
        .isNull();
  }

  @Test
  void aPodThatOptsOutOrIsNotInAMeshedNamespaceIsLeftAlone() {
    Pod optedOut =
        kubelet.createPod(
            "shop", "batch-1", Map.of("kuma.io/sidecar-injection", "disabled"), Map.of(), Map.of());
    assertThat(sidecar(optedOut)).isEmpty();
    assertThat(optedOut.getMetadata().getAnnotations())
        .doesNotContainKey("kuma.io/sidecar-injected");
    Pod plain = kubelet.createPod("plain", "tool-1", Map.of(), Map.of(), Map.of());
    assertThat(sidecar(plain)).isEmpty();
  }

  private static Optional<Container> sidecar(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("kodiak-sidecar"))
        .findFirst();
  }
}
