package io.kodiak.cp.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.cp.testing.Webhooks;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.KumaYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane on {@code store.type: kubernetes} against the real API server: its defaults
 * (the default Mesh, Kuma's initial policies, a mesh's CA) are written as Kubernetes objects, also
 * for a Mesh kubectl applies; what kubectl applies is what the REST API serves; the REST API is
 * read-only and says to use kubectl.
 */
class KubernetesStoreControlPlaneTest {
  private static KubeApiServer api;
  private static RunningControlPlane cp;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    api = KodiakCrds.startApiServer();
    cp = RunningControlPlane.onKubernetes(dir.resolve("data"), api);
    // the defaults are singleton work, done once this (only) replica holds the leader Lease
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> cp.get("/meshes/default/meshretries/mesh-retry-all-default").status() == 200);
  }

  @AfterAll
  static void stop() {
    if (cp != null) {
      cp.close();
    }
    api.close();
  }

  @Test
  void theDefaultsAreKubernetesObjects() {
    assertThat(cp.get("/meshes/default").status()).isEqualTo(200);
    assertThat(api.kubectl("get", "mesh", "default", "-o", "name"))
        .contains("mesh.kuma.io/default");
    String timeouts = api.kubectl("get", "meshtimeouts", "-n", "kodiak-system", "-o", "name");
    assertThat(timeouts).contains("mesh-timeout-all-default");
    assertThat(cp.get("/meshes/default/meshtimeouts/mesh-timeout-all-default").status())
        .isEqualTo(200);
  }

  @Test
  void whatKubectlAppliesTheRestApiServes() throws Exception {
    Path file = dir.resolve("timeout.yaml");
    Files.writeString(
        file, KumaYaml.meshTimeout("from-kubectl", "kodiak-system", "idleTimeout: 42s"));
    api.kubectl("apply", "-f", file.toString());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.get("/meshes/default/meshtimeouts/from-kubectl").status() == 200);
    assertThat(
            cp.get("/meshes/default/meshtimeouts/from-kubectl")
                .json()
                .at("/spec/to/0/default/idleTimeout")
                .asText())
        .isEqualTo("42s");
  }

  @Test
  void theAdmissionWebhookRefusesABadPolicyWithEveryViolation() throws Exception {
    Webhooks.validator(api, cp, dir);
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        KumaYaml.meshTimeout(
            "bad-timeout", "kodiak-system", "idleTimeout: banana\nconnectionTimeout: -5s"));
    // the webhook may take a moment to be called: the API server loads its configuration async
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> api.kubectl("apply", "-f", bad.toString()))
                    .hasMessageContaining("denied the request")
                    .hasMessageContaining("spec.to[0].default.idleTimeout")
                    .hasMessageContaining("spec.to[0].default.connectionTimeout"));
    assertThat(cp.get("/meshes/default/meshtimeouts/bad-timeout").status()).isEqualTo(404);

    Path badDataplane = dir.resolve("bad-dataplane.yaml");
    Files.writeString(
        badDataplane,
        """
        apiVersion: kuma.io/v1alpha1
        kind: Dataplane
        mesh: default
        metadata:
          name: web-01
          namespace: kodiak-system
        spec:
          networking:
            address: 127.0.0.5
            inbound:
              - port: 8080
                tags:
                  version: v1
        """);
    // no kuma.io/service tag: a rule of Kodiak's validator, not of the CRD's schema
    assertThatThrownBy(() -> api.kubectl("apply", "-f", badDataplane.toString()))
        .hasMessageContaining("denied the request")
        .hasMessageContaining("spec.networking.inbound[0]");
    api.kubectl("delete", "validatingwebhookconfiguration", "kodiak-validator");
  }

  @Test
  void theRestApiIsReadOnlyAndSaysToUseKubectl() {
    var put =
        cp.put(
            "/meshes/default/meshtimeouts/over-rest",
            "{\"type\":\"MeshTimeout\",\"mesh\":\"default\",\"name\":\"over-rest\","
                + "\"spec\":{\"targetRef\":{\"kind\":\"Mesh\"}}}");
    assertThat(put.status()).isEqualTo(405);
    assertThat(put.json().path("detail").asText()).contains("kubectl");
    assertThat(cp.delete("/meshes/default/meshtimeouts/mesh-timeout-all-default").status())
        .isEqualTo(405);
    assertThat(cp.get("/meshes/default/meshtimeouts/mesh-timeout-all-default").status())
        .isEqualTo(200);
    var anonymous = cp.send("PUT", "/meshes/default", "{}", null);
    assertThat(anonymous.status()).isEqualTo(401); // who asks comes first
  }

  @Test
  void aMeshWithMtlsGetsItsCaAsKubernetesSecrets() throws Exception {
    Path file = dir.resolve("secure.yaml");
    Files.writeString(file, KumaYaml.meshWithBuiltinMtls("secure"));
    api.kubectl("apply", "-f", file.toString());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                api.kubectl("get", "secrets", "-n", "kodiak-system", "-o", "name")
                    .contains("secure.ca-builtin-cert-ca-1"));
    String type =
        api.kubectl(
            "get",
            "secret",
            "secure.ca-builtin-cert-ca-1",
            "-n",
            "kodiak-system",
            "-o",
            "jsonpath={.type}");
    assertThat(type).isEqualTo("system.kuma.io/secret");
    // and Kuma's initial policies, as for a mesh written through the API
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                api.kubectl("get", "meshtimeouts", "-n", "kodiak-system", "-o", "name")
                    .contains("mesh-timeout-all-secure"));
  }
}
