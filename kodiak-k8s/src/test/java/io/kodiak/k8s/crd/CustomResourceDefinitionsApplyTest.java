package io.kodiak.k8s.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kodiak's CRDs on the real API server: every one is accepted and established, and Kuma's own
 * Kubernetes YAML applies with kubectl unchanged and comes back whole (nothing pruned).
 */
class CustomResourceDefinitionsApplyTest {
  private static KubeApiServer api;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    api = KubeApiServer.start();
    KodiakCrds.install(api);
    api.createNamespace("kuma-system");
    api.createNamespace("kuma-demo");
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void everyDefinitionIsEstablished() {
    String names = api.kubectl("get", "crd", "-o", "name");
    for (var type : CustomResourceDefinitions.types()) {
      assertThat(names).contains("customresourcedefinition.apiextensions.k8s.io/" + type.path());
    }
  }

  @Test
  void kumasYamlAppliesAndComesBackWhole() throws Exception {
    String yaml =
        """
        apiVersion: kuma.io/v1alpha1
        kind: Mesh
        metadata:
          name: default
        spec:
          mtls:
            enabledBackend: ca-1
            backends:
              - name: ca-1
                type: builtin
                dpCert:
                  rotation:
                    expiration: 1d
                conf:
                  caCert:
                    RSAbits: 2048
                    expiration: 10y
        ---
        apiVersion: kuma.io/v1alpha1
        kind: MeshTimeout
        metadata:
          name: timeout-web
          namespace: kuma-system
          labels:
            kuma.io/mesh: default
        spec:
          targetRef:
            kind: Mesh
          to:
            - targetRef:
                kind: MeshService
                name: web_kuma-demo_svc_8080
              default:
                idleTimeout: 20s
                connectionTimeout: 2s
                http:
                  requestTimeout: 2s
        ---
        apiVersion: kuma.io/v1alpha1
        kind: MeshHTTPRoute
        metadata:
          name: split
          namespace: kuma-system
          labels:
            kuma.io/mesh: default
        spec:
          targetRef:
            kind: Mesh
          to:
            - targetRef:
                kind: MeshService
                name: backend_kuma-demo_svc_3001
              rules:
                - matches:
                    - path:
                        type: PathPrefix
                        value: /api
                  default:
                    backendRefs:
                      - kind: MeshServiceSubset
                        name: backend_kuma-demo_svc_3001
                        tags:
                          version: v2
                        weight: 90
        ---
        apiVersion: kuma.io/v1alpha1
        kind: Dataplane
        mesh: default
        metadata:
          name: web-01
          namespace: kuma-demo
        spec:
          networking:
            address: 127.0.0.5
            inbound:
              - port: 8080
                tags:
                  kuma.io/service: web_kuma-demo_svc_8080
                  kuma.io/protocol: http
        """;
    Path file = dir.resolve("kuma.yaml");
    Files.writeString(file, yaml);
    api.kubectl("apply", "-f", file.toString());

    var applied = Documents.parseAll(yaml);
    assertThat(get("mesh", "default", null).get("spec")).isEqualTo(applied.get(0).get("spec"));
    assertThat(get("meshtimeout", "timeout-web", "kuma-system").get("spec"))
        .isEqualTo(applied.get(1).get("spec"));
    assertThat(get("meshhttproute", "split", "kuma-system").get("spec"))
        .isEqualTo(applied.get(2).get("spec"));
    JsonNode dataplane = get("dataplane", "web-01", "kuma-demo");
    assertThat(dataplane.get("mesh").asText()).isEqualTo("default");
    assertThat(dataplane.get("spec")).isEqualTo(applied.get(3).get("spec"));
  }

  @Test
  void aSpecOfTheWrongShapeIsRefusedByTheApiServer() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        apiVersion: kuma.io/v1alpha1
        kind: MeshTimeout
        metadata:
          name: bad
          namespace: kuma-system
          labels:
            kuma.io/mesh: default
        spec:
          targetRef:
            kind: Mesh
          to: "not a list"
        """);
    assertThatThrownBy(() -> api.kubectl("apply", "-f", file.toString()))
        .hasMessageContaining("spec.to")
        .hasMessageContaining("array");
  }

  private static JsonNode get(String kind, String name, String namespace) {
    String json =
        namespace == null
            ? api.kubectl("get", kind, name, "-o", "json")
            : api.kubectl("get", kind, name, "-n", namespace, "-o", "json");
    return Documents.parse(json);
  }
}
